/* Guest image loading. ELF segments go to their physical addresses (p_paddr), as QEMU does. */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int loader_read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat info;
	int fd = open(path, O_RDONLY);
	ssize_t got;

	if (fd < 0)
		return error_set("%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &info) < 0 || !S_ISREG(info.st_mode)) {
		close(fd);
		return error_set("%s: not a regular file", path);
	}
	*size = (size_t)info.st_size;
	*data = malloc(*size ? *size : 1);
	if (!*data) {
		close(fd);
		return error_set("%s: out of memory reading %zu bytes", path, *size);
	}
	got = *size ? read(fd, *data, *size) : 0;
	close(fd);
	if (got < 0 || (size_t)got != *size) {
		free(*data);
		return error_set("%s: read failed", path);
	}
	return 0;
}

static const char *machine_name(unsigned machine)
{
	switch (machine) {
	case EM_X86_64:
		return "x86-64";
	case EM_386:
		return "i386";
	case EM_ARM:
		return "32-bit Arm";
	case EM_RISCV:
		return "RISC-V";
	default:
		return "another machine";
	}
}

/* libelf reads tables lazily, so a cut-off file would otherwise load without complaint. */
static int check_tables_in_file(const GElf_Ehdr *header, const char *path, size_t file_size)
{
	uint64_t program_end = header->e_phoff + (uint64_t)header->e_phnum * header->e_phentsize;
	uint64_t section_end = header->e_shoff + (uint64_t)header->e_shnum * header->e_shentsize;

	if (header->e_phoff > file_size || program_end > file_size)
		return error_set("%s: program headers run past the end of the file (truncated?)", path);
	if (header->e_shoff > file_size || section_end > file_size)
		return error_set("%s: section headers run past the end of the file (truncated?)", path);
	return 0;
}

static int check_elf_header(Elf *elf, const char *path, GElf_Ehdr *header)
{
	if (elf_kind(elf) != ELF_K_ELF)
		return error_set("%s: not an ELF file", path);
	if (!gelf_getehdr(elf, header))
		return error_set("%s: malformed ELF header: %s", path, elf_errmsg(-1));
	if (header->e_ident[EI_CLASS] != ELFCLASS64)
		return error_set("%s: 32-bit ELF; qvp runs ELF64 AArch64 images", path);
	if (header->e_ident[EI_DATA] != ELFDATA2LSB)
		return error_set("%s: big-endian ELF; qvp runs little-endian AArch64 images", path);
	if (header->e_machine != EM_AARCH64)
		return error_set("%s: ELF for %s (e_machine %u), not AArch64", path, machine_name(header->e_machine),
				 header->e_machine);
	if (header->e_type != ET_EXEC && header->e_type != ET_DYN)
		return error_set("%s: ELF type %u is not an executable", path, header->e_type);
	return 0;
}

static int load_segment(struct bus *bus, const char *path, size_t index, const GElf_Phdr *segment,
			const uint8_t *file, size_t file_size, struct image *image)
{
	uint8_t *ram;

	if (segment->p_filesz > segment->p_memsz)
		return error_set("%s: segment %zu: file size 0x%" PRIx64 " exceeds memory size 0x%" PRIx64, path, index,
				 (uint64_t)segment->p_filesz, (uint64_t)segment->p_memsz);
	if (segment->p_offset > file_size || segment->p_filesz > file_size - segment->p_offset)
		return error_set("%s: segment %zu: data at file offset 0x%" PRIx64 " runs past the end of the file", path,
				 index, (uint64_t)segment->p_offset);
	if (segment->p_memsz == 0)
		return 0;
	ram = bus_ram_pointer(bus, segment->p_paddr, segment->p_memsz);
	if (!ram)
		return error_set("%s: segment %zu at 0x%" PRIx64 "-0x%" PRIx64 " is outside RAM", path, index,
				 (uint64_t)segment->p_paddr, (uint64_t)(segment->p_paddr + segment->p_memsz - 1));
	memcpy(ram, file + segment->p_offset, segment->p_filesz);
	memset(ram + segment->p_filesz, 0, segment->p_memsz - segment->p_filesz);
	if (segment->p_paddr < image->low)
		image->low = segment->p_paddr;
	if (segment->p_paddr + segment->p_memsz > image->high)
		image->high = segment->p_paddr + segment->p_memsz;
	return 0;
}

static int load_segments(Elf *elf, struct bus *bus, const char *path, const uint8_t *file, size_t file_size,
			 struct image *image)
{
	size_t count, loaded = 0;

	if (elf_getphdrnum(elf, &count) != 0)
		return error_set("%s: malformed program headers: %s", path, elf_errmsg(-1));
	for (size_t i = 0; i < count; i++) {
		GElf_Phdr segment;
		if (!gelf_getphdr(elf, (int)i, &segment))
			return error_set("%s: malformed program header %zu: %s", path, i, elf_errmsg(-1));
		if (segment.p_type != PT_LOAD)
			continue;
		if (load_segment(bus, path, i, &segment, file, file_size, image) < 0)
			return -1;
		loaded++;
	}
	if (loaded == 0)
		return error_set("%s: no loadable segment", path);
	return 0;
}

static int compare_symbols(const void *a, const void *b)
{
	const struct symbol *left = a, *right = b;

	if (left->address != right->address)
		return left->address < right->address ? -1 : 1;
	return strcmp(left->name, right->name);
}

static int add_symbol(struct image *image, const char *name, uint64_t address, uint64_t size)
{
	struct symbol *symbols = realloc(image->symbols, (image->symbol_count + 1) * sizeof(*symbols));

	if (!symbols)
		return error_set("out of memory reading symbols");
	image->symbols = symbols;
	symbols[image->symbol_count].name = strdup(name);
	if (!symbols[image->symbol_count].name)
		return error_set("out of memory reading symbols");
	symbols[image->symbol_count].address = address;
	symbols[image->symbol_count].size = size;
	image->symbol_count++;
	return 0;
}

/* Keeps named functions and objects; a stripped image simply has none. */
static int load_symbols(Elf *elf, struct image *image)
{
	Elf_Scn *section = NULL;

	while ((section = elf_nextscn(elf, section)) != NULL) {
		GElf_Shdr header;
		Elf_Data *data;
		if (!gelf_getshdr(section, &header) || header.sh_type != SHT_SYMTAB || header.sh_entsize == 0)
			continue;
		data = elf_getdata(section, NULL);
		for (size_t i = 0; data && i < header.sh_size / header.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			int type;
			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			name = elf_strptr(elf, header.sh_link, sym.st_name);
			if ((type != STT_FUNC && type != STT_OBJECT) || !name || !name[0])
				continue;
			if (add_symbol(image, name, sym.st_value, sym.st_size) < 0)
				return -1;
		}
	}
	if (image->symbol_count)
		qsort(image->symbols, image->symbol_count, sizeof(*image->symbols), compare_symbols);
	return 0;
}

int loader_load_elf(struct bus *bus, const char *path, struct image *image)
{
	uint8_t *file;
	size_t file_size;
	GElf_Ehdr header;
	Elf *elf;
	int result;

	memset(image, 0, sizeof(*image));
	image->low = UINT64_MAX;
	if (loader_read_file(path, &file, &file_size) < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)file, file_size);
	if (!elf) {
		free(file);
		return error_set("%s: not an ELF file: %s", path, elf_errmsg(-1));
	}
	result = check_elf_header(elf, path, &header);
	if (result == 0)
		result = check_tables_in_file(&header, path, file_size);
	if (result == 0)
		result = load_segments(elf, bus, path, file, file_size, image);
	if (result == 0)
		result = load_symbols(elf, image);
	image->entry = header.e_entry;
	elf_end(elf);
	free(file);
	if (result < 0)
		image_release(image);
	return result;
}

int loader_load_raw(struct bus *bus, const char *path, uint64_t address, struct image *image)
{
	uint8_t *file, *ram;
	size_t file_size;

	memset(image, 0, sizeof(*image));
	if (loader_read_file(path, &file, &file_size) < 0)
		return -1;
	if (file_size == 0) {
		free(file);
		return error_set("%s: empty file", path);
	}
	ram = bus_ram_pointer(bus, address, file_size);
	if (!ram) {
		free(file);
		return error_set("%s: %zu bytes at 0x%" PRIx64 " do not fit in RAM", path, file_size, address);
	}
	memcpy(ram, file, file_size);
	free(file);
	image->entry = address;
	image->low = address;
	image->high = address + file_size;
	return 0;
}

void image_release(struct image *image)
{
	for (size_t i = 0; i < image->symbol_count; i++)
		free(image->symbols[i].name);
	free(image->symbols);
	image->symbols = NULL;
	image->symbol_count = 0;
}

const struct symbol *image_find_symbol(const struct image *image, const char *name)
{
	for (size_t i = 0; i < image->symbol_count; i++)
		if (strcmp(image->symbols[i].name, name) == 0)
			return &image->symbols[i];
	return NULL;
}

const struct symbol *image_symbol_at(const struct image *image, uint64_t address)
{
	size_t low = 0, high = image->symbol_count;
	const struct symbol *symbol;

	while (low < high) { /* find the first symbol that starts after address */
		size_t middle = low + (high - low) / 2;
		if (image->symbols[middle].address <= address)
			low = middle + 1;
		else
			high = middle;
	}
	if (low == 0)
		return NULL;
	symbol = &image->symbols[low - 1];
	return address - symbol->address < symbol->size ? symbol : NULL;
}

void image_name_address(const struct image *image, uint64_t address, char *buffer, size_t size)
{
	const struct symbol *symbol = image ? image_symbol_at(image, address) : NULL;

	if (!symbol)
		snprintf(buffer, size, "%s", "");
	else if (address == symbol->address)
		snprintf(buffer, size, " (%s)", symbol->name);
	else
		snprintf(buffer, size, " (%s+0x%" PRIx64 ")", symbol->name, address - symbol->address);
}
