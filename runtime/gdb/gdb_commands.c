/* The packets that read and change the halted target: registers, memory, breakpoints. */
#include <string.h>

#include "gdb_stub_internal.h"
#include "gdb_target.h"

enum gdb_action gdb_read_registers(struct gdb_stub *stub)
{
	struct cpu *cpu = gdb_selected_cpu(stub);
	char *out = stub->reply;

	for (unsigned reg = 0; reg < CPU_REG_COUNT; reg++) {
		uint64_t value = 0;
		cpu->ops->get_register(cpu, (enum cpu_register)reg, &value);
		gdb_encode_register(out, value, gdb_register_bytes(reg));
		out += 2 * gdb_register_bytes(reg);
	}
	gdb_reply(stub, stub->reply);
	return ACTION_STAY;
}

enum gdb_action gdb_write_registers(struct gdb_stub *stub, const char *text, size_t length)
{
	struct cpu *cpu = gdb_selected_cpu(stub);

	if (length != 2 * (8 * CPU_REG_PSTATE + 4)) {
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	for (unsigned reg = 0; reg < CPU_REG_COUNT; reg++) {
		unsigned bytes = gdb_register_bytes(reg);
		uint64_t value = gdb_decode_register(text, bytes);
		cpu->ops->set_register(cpu, (enum cpu_register)reg, value);
		gdb_record_write(stub, INPUT_REGISTER, reg, &value, sizeof(value));
		text += 2 * bytes;
	}
	gdb_history_changed(stub);
	gdb_reply(stub, "OK");
	return ACTION_STAY;
}

static bool is_vector(uint64_t number)
{
	return number >= CPU_REG_V0 && number < CPU_REG_V0 + 32;
}

/* One register into `out` as gdb encodes it (target byte order); -1 if the CPU has none. */
static int encode_one_register(struct cpu *cpu, uint64_t number, char *out)
{
	uint64_t value[2] = { 0, 0 };

	if (!gdb_register_bytes((unsigned)number))
		return -1;
	if (is_vector(number)) {
		if (!cpu->ops->get_vector || cpu->ops->get_vector(cpu, (unsigned)(number - CPU_REG_V0), value) < 0)
			return -1;
		gdb_encode_register(out, value[0], 8);
		gdb_encode_register(out + 16, value[1], 8);
		return 0;
	}
	if (cpu->ops->get_register(cpu, (enum cpu_register)number, &value[0]) < 0)
		return -1;
	gdb_encode_register(out, value[0], gdb_register_bytes((unsigned)number));
	return 0;
}

/* `text` holds exactly the register's bytes in hex. */
static int decode_one_register(struct gdb_stub *stub, uint64_t number, const char *text)
{
	struct cpu *cpu = gdb_selected_cpu(stub);
	unsigned bytes = gdb_register_bytes((unsigned)number);
	uint64_t value[2];

	if (!bytes || strlen(text) != 2 * bytes)
		return -1;
	if (is_vector(number)) {
		value[0] = gdb_decode_register(text, 8);
		value[1] = gdb_decode_register(text + 16, 8);
		if (!cpu->ops->set_vector || cpu->ops->set_vector(cpu, (unsigned)(number - CPU_REG_V0), value) < 0)
			return -1;
		gdb_record_write(stub, INPUT_VECTOR, number - CPU_REG_V0, value, sizeof(value));
		return 0;
	}
	value[0] = gdb_decode_register(text, bytes);
	if (cpu->ops->set_register(cpu, (enum cpu_register)number, value[0]) < 0)
		return -1;
	gdb_record_write(stub, INPUT_REGISTER, number, value, sizeof(value[0]));
	return 0;
}

enum gdb_action gdb_read_register(struct gdb_stub *stub, const char *text)
{
	uint64_t number;

	if (!gdb_parse_number(&text, &number) || *text || encode_one_register(gdb_selected_cpu(stub), number, stub->reply) < 0) {
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	gdb_reply(stub, stub->reply);
	return ACTION_STAY;
}

enum gdb_action gdb_write_register(struct gdb_stub *stub, const char *text)
{
	uint64_t number;

	if (!gdb_parse_number(&text, &number) || *text++ != '=' || decode_one_register(stub, number, text) < 0)
		gdb_reply(stub, "E01");
	else {
		gdb_history_changed(stub);
		gdb_reply(stub, "OK");
	}
	return ACTION_STAY;
}

enum gdb_action gdb_read_memory(struct gdb_stub *stub, const char *text)
{
	struct cpu *cpu = gdb_selected_cpu(stub);
	uint64_t address, length;

	if (!gdb_parse_range(&text, &address, &length, '\0', sizeof(stub->memory))) {
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	if (cpu->ops->read_memory(cpu, address, stub->memory, length) < 0) {
		gdb_reply(stub, "E14"); /* EFAULT: not mapped, or not RAM */
		return ACTION_STAY;
	}
	gdb_hex_encode(stub->reply, stub->memory, length);
	gdb_reply(stub, stub->reply);
	return ACTION_STAY;
}

/* M (hex data) and X (binary data, already unescaped by the framing). */
enum gdb_action gdb_write_memory(struct gdb_stub *stub, const char *text, size_t packet_length, bool binary)
{
	struct cpu *cpu = gdb_selected_cpu(stub);
	const char *start = text;
	uint64_t address, length;
	size_t data_length;

	if (!gdb_parse_range(&text, &address, &length, ':', sizeof(stub->memory))) {
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	text++;
	data_length = packet_length - (size_t)(text - start);
	if (binary ? data_length != length : data_length != 2 * length ||
	                                         !gdb_hex_decode(text, stub->memory, length)) {
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	if (binary)
		memcpy(stub->memory, text, length);
	if (length && cpu->ops->write_memory(cpu, address, stub->memory, length) < 0) {
		gdb_reply(stub, "E14");
		return ACTION_STAY;
	}
	if (length) {
		gdb_record_write(stub, INPUT_MEMORY, address, stub->memory, length);
		gdb_history_changed(stub);
	}
	gdb_reply(stub, "OK");
	return ACTION_STAY;
}

static bool debug_kind(char type, enum cpu_debug_kind *kind)
{
	static const enum cpu_debug_kind kinds[] = { CPU_DEBUG_BREAK, CPU_DEBUG_BREAK, CPU_DEBUG_WATCH_WRITE,
		                                     CPU_DEBUG_WATCH_READ, CPU_DEBUG_WATCH_ACCESS };

	if (type < '0' || type > '4')
		return false;
	*kind = kinds[type - '0'];
	return true;
}

/* Into every CPU: in all-stop mode any CPU that reaches a breakpoint stops the target. */
static int insert_point(struct gdb_stub *stub, enum cpu_debug_kind kind, uint64_t address, uint64_t length)
{
	const struct machine *machine = stub->machine;
	unsigned k = 0;

	if (stub->point_count == MAX_DEBUG_POINTS)
		return -1;
	for (; k < machine->cpu_count; k++)
		if (machine->cpus[k].cpu->ops->insert_debug(machine->cpus[k].cpu, kind, address, length) < 0)
			break;
	if (k < machine->cpu_count) {
		while (k-- > 0)
			machine->cpus[k].cpu->ops->remove_debug(machine->cpus[k].cpu, kind, address, length);
		return -1;
	}
	stub->points[stub->point_count++] = (struct debug_point){ kind, address, length };
	return 0;
}

static int remove_point(struct gdb_stub *stub, enum cpu_debug_kind kind, uint64_t address, uint64_t length)
{
	const struct machine *machine = stub->machine;
	int status = 0;

	for (unsigned k = 0; k < stub->point_count; k++) {
		struct debug_point *point = &stub->points[k];
		if (point->kind != kind || point->address != address || point->length != length)
			continue;
		*point = stub->points[--stub->point_count];
		for (unsigned c = 0; c < machine->cpu_count; c++)
			if (machine->cpus[c].cpu->ops->remove_debug(machine->cpus[c].cpu, kind, address, length) < 0)
				status = -1;
		return status;
	}
	return -1;
}

/* Z/z TYPE,ADDR,KIND: the kind of a breakpoint is its instruction size, of a watchpoint its length. */
enum gdb_action gdb_breakpoint(struct gdb_stub *stub, const char *text, bool insert)
{
	struct cpu *cpu = gdb_selected_cpu(stub);
	enum cpu_debug_kind kind;
	uint64_t address, length;
	const char *p = text + 2;
	int status;

	if (!cpu->ops->insert_debug || !cpu->ops->remove_debug) {
		/* an error, not "", which would make gdb write BRK into guest memory instead */
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	if (!debug_kind(text[0], &kind) || text[1] != ',' || !gdb_parse_number(&p, &address) || *p++ != ',' ||
	    !gdb_parse_number(&p, &length) || (*p && *p != ';')) {
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	if (kind == CPU_DEBUG_BREAK)
		length = 1; /* by PC: the instruction's size does not matter */
	status = insert ? insert_point(stub, kind, address, length) : remove_point(stub, kind, address, length);
	gdb_reply(stub, status < 0 ? "E01" : "OK");
	return ACTION_STAY;
}
