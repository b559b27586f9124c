/* Builds the machine from its device tree: memory nodes become RAM, and each node with a
 * `compatible` gets the model the table names, in device-tree order, interrupt controllers
 * first so that every device finds the controller its interrupts go to. */
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "irq.h"
#include "models.h"

/* A peripheral written in SystemC: the SystemC platform (qvp-sc) builds it; plain qvp cannot. */
static int systemc_target_create(const struct model_config *config, struct model_instance *instance)
{
	struct machine *machine = config->machine;

	if (!machine->systemc_target)
		return error_set("compatible \"qvp,systemc-target\" is a peripheral written in SystemC: "
				 "run this board with qvp-sc");
	return machine->systemc_target(machine->systemc_opaque, config, instance);
}

struct compatible_model {
	const char *compatible;
	model_create_fn create; /* NULL: described for the guest, nothing for qvp to build */
	bool without_reg;       /* a device with no registers on the bus (base and size 0) */
};

static const struct compatible_model compatible_models[] = {
	{ "arm,pl011", pl011_create, false },
	{ "qvp,sim-control", sim_control_create, false },
	{ "arm,cortex-a15-gic", gicv2_create, false },
	{ "arm,gic-400", gicv2_create, false },
	{ "arm,armv8-timer", generic_timer_create, true }, /* system registers, through the CPU */
	{ "arm,sp804", sp804_create, false },
	{ "arm,pl031", pl031_create, false },
	{ "arm,pl061", pl061_create, false },
	{ "virtio,mmio", virtio_mmio_create, false },
	{ "cfi-flash", cfi_flash_create, false },
	{ "qvp,systemc-target", systemc_target_create, true }, /* runtime/systemc/ reads its reg */
	{ "arm,psci-0.2", NULL, false },       /* PSCI is a firmware interface, not a device */
	{ "arm,psci-1.0", NULL, false },
	{ "fixed-clock", NULL, false },        /* a rate the guest reads; nothing runs */
	{ "arm,cortex-a57", NULL, false },     /* CPUs are the backend's */
	{ "arm,cortex-a53", NULL, false },
	{ "arm,armv8", NULL, false },
};

static const char *path_extension(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot ? dot : "";
}

/* Reads the file at `fd` into a malloc'd buffer. */
static int read_fd(int fd, const char *path, void **data, size_t *size)
{
	struct stat info;

	if (fstat(fd, &info) < 0 || !S_ISREG(info.st_mode))
		return error_set("%s: not a regular file", path);
	*size = (size_t)info.st_size;
	*data = malloc(*size ? *size : 1);
	if (!*data)
		return error_set("%s: out of memory", path);
	if (pread(fd, *data, *size, 0) != (ssize_t)*size) {
		free(*data);
		return error_set("%s: read failed", path);
	}
	return 0;
}

/* The first line dtc printed, which names the file, line and column of a syntax error. */
static void first_line(int fd, char *line, size_t size)
{
	ssize_t got = read(fd, line, size - 1);
	char *newline;

	line[got > 0 ? got : 0] = '\0';
	newline = strchr(line, '\n');
	if (newline)
		*newline = '\0';
}

static int run_dtc(const char *source, int output_fd, char *message, size_t message_size)
{
	int errors[2], status;
	pid_t child;

	if (pipe(errors) < 0)
		return error_set("%s: cannot run dtc: %s", source, strerror(errno));
	child = fork();
	if (child == 0) {
		dup2(output_fd, STDOUT_FILENO);
		dup2(errors[1], STDERR_FILENO);
		close(errors[0]);
		execlp(QVP_DTC, QVP_DTC, "-q", "-I", "dts", "-O", "dtb", source, (char *)NULL);
		_exit(127);
	}
	close(errors[1]);
	first_line(errors[0], message, message_size);
	close(errors[0]);
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return error_set("%s: cannot run dtc: %s", source, strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return error_set("%s: cannot run dtc (" QVP_DTC "): is device-tree-compiler installed?", source);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return error_set("%s: does not compile: %s", source, message[0] ? message : "dtc failed");
	return 0;
}

static int compile_dts(const char *path, void **fdt, size_t *size)
{
	char temporary[] = "/tmp/qvp-dtb-XXXXXX";
	char message[512];
	int fd, result;

	if (access(path, R_OK) != 0)
		return error_set("%s: cannot open: %s", path, strerror(errno));
	fd = mkstemp(temporary);
	if (fd < 0)
		return error_set("%s: cannot create a temporary file for dtc: %s", path, strerror(errno));
	unlink(temporary);
	result = run_dtc(path, fd, message, sizeof(message));
	if (result == 0)
		result = read_fd(fd, path, fdt, size);
	close(fd);
	return result;
}

static int read_dtb(const char *path, void **fdt, size_t *size)
{
	int fd = open(path, O_RDONLY);
	int result;

	if (fd < 0)
		return error_set("%s: cannot open: %s", path, strerror(errno));
	result = read_fd(fd, path, fdt, size);
	close(fd);
	return result;
}

int platform_load_fdt(const char *path, void **fdt, size_t *size)
{
	int result, check;

	if (strcmp(path_extension(path), ".dts") == 0)
		result = compile_dts(path, fdt, size);
	else
		result = read_dtb(path, fdt, size);
	if (result < 0)
		return -1;
	check = fdt_check_full(*fdt, *size);
	if (check != 0) {
		free(*fdt);
		*fdt = NULL;
		return error_set("%s: not a valid device tree blob: %s", path, fdt_strerror(check));
	}
	return 0;
}

/* Reads the node's first `reg` entry with the parent's #address-cells and #size-cells. */
static int node_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int address_cells = fdt_address_cells(fdt, parent);
	int size_cells = fdt_size_cells(fdt, parent);
	int length, entry_cells;
	const fdt32_t *cells = fdt_getprop(fdt, node, "reg", &length);

	if (!cells || address_cells < 1 || address_cells > 2 || size_cells < 0 || size_cells > 2)
		return -1;
	entry_cells = address_cells + size_cells;
	if ((index + 1) * entry_cells * 4 > length)
		return -1;
	cells += index * entry_cells;
	*base = 0;
	*size = 0;
	for (int i = 0; i < address_cells; i++)
		*base = (*base << 32) | fdt32_to_cpu(*cells++);
	for (int i = 0; i < size_cells; i++)
		*size = (*size << 32) | fdt32_to_cpu(*cells++);
	return 0;
}

static bool node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);

	return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

/* A device the secure world has (secure-status "okay", as QEMU's secure=on board marks the
 * secure RAM, UART, GPIO and flash) is on the bus even though the normal world's view of the
 * tree says "disabled". */
static bool node_built(const void *fdt, int node)
{
	const char *secure = fdt_getprop(fdt, node, "secure-status", NULL);

	if (secure)
		return strcmp(secure, "okay") == 0 || strcmp(secure, "ok") == 0;
	return node_enabled(fdt, node);
}

static int add_memory(struct machine *machine, const char *file, int node, const char *path)
{
	uint64_t base, size;
	int added = 0;

	for (int index = 0; node_reg(machine->fdt, node, index, &base, &size) == 0; index++, added++) {
		if (bus_add_ram(machine->bus, path, base, size) < 0)
			return error_set("%s: %s: %s", file, path, error_message());
		if (machine->ram_size == 0) {
			machine->ram_base = base;
			machine->ram_size = size;
		}
	}
	if (added == 0)
		return error_set("%s: %s: memory node without a usable reg property", file, path);
	return 0;
}

static const struct compatible_model *find_model(const void *fdt, int node, const char **compatible)
{
	int length, at = 0;
	const char *list = fdt_getprop(fdt, node, "compatible", &length);

	*compatible = NULL;
	while (list && at < length) { /* a list of NUL-terminated strings, most specific first */
		const char *entry = list + at;
		if (!*compatible)
			*compatible = entry;
		for (size_t i = 0; i < sizeof(compatible_models) / sizeof(compatible_models[0]); i++)
			if (strcmp(compatible_models[i].compatible, entry) == 0)
				return &compatible_models[i];
		at += (int)strnlen(entry, (size_t)(length - at)) + 1;
	}
	return NULL;
}

static int create_model(struct machine *machine, const char *file, int node, const char *path,
			const struct compatible_model *model)
{
	struct model_config config = { .machine = machine, .fdt = machine->fdt, .node = node, .path = path };
	struct model_instance *instance = &machine->models[machine->model_count];

	if (!model->without_reg && node_reg(machine->fdt, node, 0, &config.base, &config.size) < 0)
		return error_set("%s: %s: missing or malformed reg property", file, path);
	memset(instance, 0, sizeof(*instance));
	instance->path = strdup(path);
	if (!instance->path)
		return error_set("%s: %s: out of memory", file, path);
	if (model->create(&config, instance) < 0) {
		free(instance->path);
		return error_set("%s: %s: %s", file, path, error_message());
	}
	machine->model_count++;
	return 0;
}

int platform_node_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size)
{
	return node_reg(fdt, node, index, base, size);
}

static bool is_cpu_node(const void *fdt, int node)
{
	const char *type = fdt_getprop(fdt, node, "device_type", NULL);

	return type && strcmp(type, "cpu") == 0;
}

unsigned platform_cpu_count(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node;
	unsigned count = 0;

	if (cpus < 0)
		return 1;
	fdt_for_each_subnode(node, fdt, cpus)
		if (is_cpu_node(fdt, node))
			count++;
	return count ? count : 1;
}

/* A CPU's `reg`: its MPIDR affinity, in the one or two cells /cpus gives addresses. */
static int cpu_affinity(const void *fdt, int cpus, int node, const char *file, uint64_t *affinity)
{
	int cells = fdt_address_cells(fdt, cpus), length;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &length);
	char path[256] = "";

	fdt_get_path(fdt, node, path, sizeof(path));
	if (!reg || (cells != 1 && cells != 2) || length < cells * 4)
		return error_set("%s: %s: a CPU node needs a reg property (its MPIDR affinity)", file, path);
	*affinity = fdt32_to_cpu(reg[0]);
	if (cells == 2)
		*affinity = *affinity << 32 | fdt32_to_cpu(reg[1]);
	if (*affinity & ~MPIDR_AFFINITY_FIELDS)
		return error_set("%s: %s: reg 0x%" PRIx64 " sets bits outside MPIDR's affinity fields", file, path, *affinity);
	return 0;
}

static int compare_affinity(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int platform_cpu_affinities(const void *fdt, const char *file, uint64_t *affinity, unsigned *count)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node;
	unsigned n = 0;

	if (cpus >= 0) {
		fdt_for_each_subnode(node, fdt, cpus) {
			if (!is_cpu_node(fdt, node))
				continue;
			if (n == MACHINE_MAX_CPUS)
				return error_set("%s: more than %d CPUs; a GICv2 serves at most %d", file,
				                 MACHINE_MAX_CPUS, MACHINE_MAX_CPUS);
			if (cpu_affinity(fdt, cpus, node, file, &affinity[n]) < 0)
				return -1;
			n++;
		}
	}
	if (n == 0)
		affinity[n++] = 0; /* a tree without CPU nodes: one CPU, affinity 0.0.0.0 */
	qsort(affinity, n, sizeof(*affinity), compare_affinity);
	for (unsigned k = 1; k < n; k++)
		if (affinity[k] == affinity[k - 1])
			return error_set("%s: two CPU nodes have reg 0x%" PRIx64 "; each CPU needs its own MPIDR", file,
			                 affinity[k]);
	*count = n;
	return 0;
}

static bool is_interrupt_controller(const void *fdt, int node)
{
	return fdt_getprop(fdt, node, "interrupt-controller", NULL) != NULL;
}

/* A node the secure world has and the normal world does not: its regions are Secure-only. */
static int mark_secure_only(struct machine *machine, const char *file, int node, const char *path)
{
	uint64_t base, size;

	if (node_enabled(machine->fdt, node) || !node_built(machine->fdt, node))
		return 0;
	for (int index = 0; node_reg(machine->fdt, node, index, &base, &size) == 0; index++)
		if (bus_set_secure_only(machine->bus, base, size) < 0)
			return error_set("%s: %s: %s", file, path, error_message());
	return 0;
}

static int build_node(struct machine *machine, const char *file, int node)
{
	const void *fdt = machine->fdt;
	const char *device_type = fdt_getprop(fdt, node, "device_type", NULL);
	const struct compatible_model *model;
	const char *compatible;
	char path[256];

	if (fdt_get_path(fdt, node, path, sizeof(path)) != 0)
		return error_set("%s: node at offset %d: path too long", file, node);
	if (!node_built(fdt, node))
		return 0;
	if (device_type && strcmp(device_type, "memory") == 0)
		return add_memory(machine, file, node, path) < 0 ? -1 : mark_secure_only(machine, file, node, path);
	model = find_model(fdt, node, &compatible);
	if (!compatible)
		return 0; /* containers such as /cpus and /chosen */
	if (!model)
		return error_set("%s: %s: no model for compatible \"%s\"", file, path, compatible);
	if (!model->create)
		return 0;
	if (create_model(machine, file, node, path, model) < 0)
		return -1;
	return model->without_reg ? 0 : mark_secure_only(machine, file, node, path);
}

static int count_nodes(const void *fdt)
{
	int count = 0;

	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL))
		count++;
	return count;
}

/* The CPU's clock-frequency sets how much virtual time one instruction takes. */
static int read_cpu_clock(struct machine *machine, const char *file)
{
	int node = fdt_path_offset(machine->fdt, "/cpus/cpu@0");
	const fdt32_t *frequency;
	uint32_t hz;
	int length;

	machine->time_per_instruction = VTIME_NS; /* 1 GHz unless the board says otherwise */
	if (node < 0)
		return 0;
	frequency = fdt_getprop(machine->fdt, node, "clock-frequency", &length);
	if (!frequency)
		return 0;
	hz = length == 4 ? fdt32_to_cpu(*frequency) : 0;
	if (hz == 0 || VTIME_S % hz != 0)
		return error_set("%s: /cpus/cpu@0: clock-frequency must be a non-zero divisor of 1 THz", file);
	machine->time_per_instruction = VTIME_S / hz;
	return 0;
}

/* --memory: the size of the first enabled memory node's first reg entry, as QEMU's -m does,
 * written into the tree itself so firmware and Linux read the same size the bus has. */
static int resize_memory(void *fdt, const char *file, uint64_t memory_size)
{
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", sizeof("memory"));
	int address_cells, size_cells, length;
	fdt32_t *cells;

	while (node >= 0 && !node_enabled(fdt, node))
		node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", sizeof("memory"));
	if (node < 0)
		return error_set("--memory: %s has no memory node to resize", file);
	address_cells = fdt_address_cells(fdt, fdt_parent_offset(fdt, node));
	size_cells = fdt_size_cells(fdt, fdt_parent_offset(fdt, node));
	cells = fdt_getprop_w(fdt, node, "reg", &length);
	if (!cells || address_cells < 1 || address_cells > 2 || size_cells < 1 || size_cells > 2 ||
	    length < (address_cells + size_cells) * 4)
		return error_set("--memory: %s: the memory node has no usable reg property", file);
	if (size_cells == 1 && memory_size > UINT32_MAX)
		return error_set("--memory: %s describes memory sizes in 32 bits: at most 4294967295 bytes", file);
	cells += address_cells;
	if (size_cells == 2)
		*cells++ = cpu_to_fdt32((uint32_t)(memory_size >> 32));
	*cells = cpu_to_fdt32((uint32_t)memory_size);
	return 0;
}

/* A copy of the first CPU node of `source` (the tree as it was), every property alike but
 * `reg`, for CPU `index` (cpu@index). */
static int add_cpu_node(void *fdt, int cpus, const void *source, int first, unsigned index)
{
	char name[16];
	int node, property;

	snprintf(name, sizeof(name), "cpu@%u", index);
	node = fdt_add_subnode(fdt, cpus, name);
	if (node < 0)
		return node;
	fdt_for_each_property_offset(property, source, first) {
		const char *property_name;
		int length, err;
		const void *value = fdt_getprop_by_offset(source, property, &property_name, &length);
		if (strcmp(property_name, "reg") == 0)
			err = fdt_setprop_u32(fdt, node, "reg", index);
		else
			err = fdt_setprop(fdt, node, property_name, value, length);
		if (err < 0)
			return err;
	}
	return 0;
}

/* --cpus: a board whose tree has one CPU node gets `count`, reg 0 to count - 1 (Aff0). */
static int set_cpu_count(void **fdt, const char *file, unsigned count)
{
	int cpus = fdt_path_offset(*fdt, "/cpus"), first = -1, node, size, err = 0;
	void *grown, *source;

	if (cpus >= 0) {
		fdt_for_each_subnode(node, *fdt, cpus) {
			if (!is_cpu_node(*fdt, node))
				continue;
			if (first >= 0)
				return error_set("--cpus: %s already describes several CPUs; edit its tree instead", file);
			first = node;
		}
	}
	if (first < 0 || fdt_address_cells(*fdt, cpus) != 1)
		return error_set("--cpus: %s has no /cpus node with one CPU (and one address cell) to copy", file);
	size = (int)fdt_totalsize(*fdt) + (int)count * 512;
	source = malloc(fdt_totalsize(*fdt));
	grown = realloc(*fdt, (size_t)size);
	if (!source || !grown) {
		free(source);
		return error_set("%s: out of memory", file);
	}
	*fdt = grown;
	memcpy(source, *fdt, fdt_totalsize(*fdt));
	err = fdt_open_into(*fdt, *fdt, size);
	for (unsigned index = count - 1; !err && index >= 1; index--) /* each goes first: descending keeps cpu@N order */
		err = add_cpu_node(*fdt, cpus, source, first, index);
	free(source);
	if (!err)
		err = fdt_pack(*fdt);
	if (err < 0)
		return error_set("--cpus: %s: %s", file, fdt_strerror(err));
	return 0;
}

bool platform_start_el2(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus");

	return cpus >= 0 && fdt_getprop(fdt, cpus, "qvp,start-el2", NULL) != NULL;
}

bool platform_start_el3(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus");

	return cpus >= 0 && fdt_getprop(fdt, cpus, "qvp,start-el3", NULL) != NULL;
}

/* Room for a few more properties in the tree: libfdt edits in place. */
static int grow_fdt(void **fdt, const char *file, int extra)
{
	int size = (int)fdt_totalsize(*fdt) + extra;
	void *grown = realloc(*fdt, (size_t)size);

	if (!grown)
		return error_set("%s: out of memory", file);
	*fdt = grown;
	return fdt_open_into(*fdt, *fdt, size);
}

/* PSCI nodes say "smc": with EL2 the hypervisor owns HVC, as on QEMU's virt with virtualization=on. */
static int use_smc_conduit(void *fdt)
{
	static const char *const compatibles[] = { "arm,psci-0.2", "arm,psci-1.0", "arm,psci" };
	int err = 0;

	for (size_t k = 0; k < sizeof(compatibles) / sizeof(compatibles[0]) && !err; k++)
		for (int node = fdt_node_offset_by_compatible(fdt, -1, compatibles[k]); node >= 0 && !err;
		     node = fdt_node_offset_by_compatible(fdt, node, compatibles[k]))
			err = fdt_setprop_string(fdt, node, "method", "smc");
	return err;
}

/* QEMU virt's GICv2 virtualization frames and maintenance interrupt (PPI 9) with virtualization=on. */
#define GICH_BASE 0x08030000ull
#define GICV_BASE 0x08040000ull
#define GIC_VIRT_FRAME_SIZE 0x10000ull

/* A GICv2 node with its distributor and CPU interface only gets the GICH and GICV frames and
 * the maintenance interrupt, as QEMU's virt board describes them with virtualization=on. */
static int add_gic_virtualization(void *fdt)
{
	static const char *const compatibles[] = { "arm,cortex-a15-gic", "arm,gic-400" };
	const fdt32_t maintenance[3] = { cpu_to_fdt32(1), cpu_to_fdt32(9), cpu_to_fdt32(4) };
	uint64_t base, size;
	int err = 0;

	for (size_t k = 0; k < sizeof(compatibles) / sizeof(compatibles[0]) && !err; k++)
		for (int node = fdt_node_offset_by_compatible(fdt, -1, compatibles[k]); node >= 0 && !err;
		     node = fdt_node_offset_by_compatible(fdt, node, compatibles[k])) {
			int parent = fdt_parent_offset(fdt, node);
			if (node_reg(fdt, node, 1, &base, &size) < 0 || node_reg(fdt, node, 2, &base, &size) == 0)
				continue; /* no CPU interface, or the frames are there already */
			err = fdt_appendprop_addrrange(fdt, parent, node, "reg", GICH_BASE, GIC_VIRT_FRAME_SIZE);
			if (!err)
				err = fdt_appendprop_addrrange(fdt, parent, node, "reg", GICV_BASE, GIC_VIRT_FRAME_SIZE);
			if (!err)
				err = fdt_setprop(fdt, node, "interrupts", maintenance, sizeof(maintenance));
		}
	return err;
}

/* --el2 writes qvp,start-el2 into /cpus; a tree that has it gets the SMC conduit and the GIC's
 * virtualization frames. */
static int apply_el2(void **fdt, const char *file, bool requested)
{
	int cpus, err;

	if (!requested && !platform_start_el2(*fdt))
		return 0;
	err = grow_fdt(fdt, file, 512);
	cpus = err ? err : fdt_path_offset(*fdt, "/cpus");
	if (cpus < 0)
		return error_set("--el2: %s has no /cpus node to mark with qvp,start-el2", file);
	err = requested ? fdt_setprop_empty(*fdt, cpus, "qvp,start-el2") : 0;
	if (!err)
		err = use_smc_conduit(*fdt);
	if (!err)
		err = add_gic_virtualization(*fdt);
	if (!err)
		err = fdt_pack(*fdt);
	if (err < 0)
		return error_set("--el2: %s: %s", file, fdt_strerror(err));
	return 0;
}

/* --el3 writes qvp,start-el3 into /cpus (the psci node stays: answering it is the firmware's job). */
static int apply_el3(void **fdt, const char *file, bool requested)
{
	int cpus, err;

	if (!requested)
		return 0;
	err = grow_fdt(fdt, file, 64);
	cpus = err ? err : fdt_path_offset(*fdt, "/cpus");
	if (cpus < 0)
		return error_set("--el3: %s has no /cpus node to mark with qvp,start-el3", file);
	err = fdt_setprop_empty(*fdt, cpus, "qvp,start-el3");
	if (!err)
		err = fdt_pack(*fdt);
	if (err < 0)
		return error_set("--el3: %s: %s", file, fdt_strerror(err));
	return 0;
}

/* The board's tree as the machine first read it: a rebuild (a reset, a restored checkpoint)
 * builds the same board, without running dtc again and whatever the file holds by then. */
static int copy_board_source(struct machine *machine, const char *path)
{
	if (!machine->board_source &&
	    platform_load_fdt(path, &machine->board_source, &machine->board_source_size) < 0)
		return -1;
	machine->fdt = malloc(machine->board_source_size);
	if (!machine->fdt)
		return error_set("%s: out of memory", path);
	memcpy(machine->fdt, machine->board_source, machine->board_source_size);
	return 0;
}

int platform_build(struct machine *machine, const char *path)
{
	if (copy_board_source(machine, path) < 0)
		return -1;
	if (apply_el2(&machine->fdt, path, machine->config.start_el2) < 0)
		return -1;
	if (apply_el3(&machine->fdt, path, machine->config.start_el3) < 0)
		return -1;
	if (machine->config.cpu_count > 1 && set_cpu_count(&machine->fdt, path, machine->config.cpu_count) < 0)
		return -1;
	if (machine->config.memory_size && resize_memory(machine->fdt, path, machine->config.memory_size) < 0)
		return -1;
	machine->models = calloc((size_t)count_nodes(machine->fdt) + 1, sizeof(*machine->models));
	if (!machine->models)
		return error_set("%s: out of memory", path);
	if (read_cpu_clock(machine, path) < 0)
		return -1;
	/* pass 0: interrupt controllers; pass 1: everything else */
	for (int pass = 0; pass < 2; pass++) {
		for (int node = fdt_next_node(machine->fdt, 0, NULL); node >= 0;
		     node = fdt_next_node(machine->fdt, node, NULL)) {
			if (is_interrupt_controller(machine->fdt, node) != (pass == 0))
				continue;
			if (build_node(machine, path, node) < 0) {
				platform_teardown(machine);
				return -1;
			}
		}
	}
	if (machine->ram_size == 0)
		return error_set("%s: no memory node: the board has no RAM", path);
	return 0;
}

void platform_teardown(struct machine *machine)
{
	while (machine->model_count > 0) {
		struct model_instance *instance = &machine->models[--machine->model_count];
		if (instance->destroy)
			instance->destroy(instance->state);
		free(instance->path);
	}
	irq_release_controllers(machine);
}
