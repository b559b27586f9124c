/* `monitor el`: where in the boot chain the selected CPU is: its exception level, stack pointer
 * selection and security state, which gdb's cpsr shows only as bits. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "gdb_stub_internal.h"

#define SCR_EL3_NS 1u

bool gdb_cpu_has_register(struct cpu *cpu, enum cpu_register reg)
{
	uint64_t value;

	return cpu->ops->get_register(cpu, reg, &value) == 0;
}

/* Secure at EL3, below it as SCR_EL3.NS says; a CPU without EL3 is Non-secure (QEMU's virt). */
static void describe_security(struct cpu *cpu, unsigned el, char *out, size_t size)
{
	uint64_t scr;

	if (cpu->ops->get_register(cpu, CPU_REG_SCR_EL3, &scr) < 0)
		snprintf(out, size, "Non-secure (no EL3)");
	else
		snprintf(out, size, "%s (SCR_EL3 0x%" PRIx64 ")", el == 3 || !(scr & SCR_EL3_NS) ? "Secure" : "Non-secure",
		         scr);
}

bool gdb_level_monitor(struct gdb_stub *stub, const char *command, char *out, size_t size)
{
	struct cpu *cpu = gdb_selected_cpu(stub);
	uint64_t pstate = 0;
	unsigned el;
	char security[64];

	if (strcmp(command, "el") != 0)
		return false;
	if (cpu->ops->get_register(cpu, CPU_REG_PSTATE, &pstate) < 0) {
		snprintf(out, size, "el: %s\n", error_message());
		return true;
	}
	el = (unsigned)(pstate >> 2) & 3;
	describe_security(cpu, el, security, sizeof(security));
	snprintf(out, size, "cpu %u: EL%u%s, %s\n", stub->thread, el, el > 0 && (pstate & 1) ? "h" : "t", security);
	return true;
}
