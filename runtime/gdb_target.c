/* The target description gdb reads with qXfer:features:read: AArch64 core and EL1 registers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cpu.h"
#include "gdb_target.h"

static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>aarch64</architecture>\n"
	"<feature name=\"org.gnu.gdb.aarch64.core\">\n"
	"<reg name=\"x0\" bitsize=\"64\" regnum=\"0\"/><reg name=\"x1\" bitsize=\"64\"/>"
	"<reg name=\"x2\" bitsize=\"64\"/><reg name=\"x3\" bitsize=\"64\"/><reg name=\"x4\" bitsize=\"64\"/>"
	"<reg name=\"x5\" bitsize=\"64\"/><reg name=\"x6\" bitsize=\"64\"/><reg name=\"x7\" bitsize=\"64\"/>"
	"<reg name=\"x8\" bitsize=\"64\"/><reg name=\"x9\" bitsize=\"64\"/><reg name=\"x10\" bitsize=\"64\"/>"
	"<reg name=\"x11\" bitsize=\"64\"/><reg name=\"x12\" bitsize=\"64\"/><reg name=\"x13\" bitsize=\"64\"/>"
	"<reg name=\"x14\" bitsize=\"64\"/><reg name=\"x15\" bitsize=\"64\"/><reg name=\"x16\" bitsize=\"64\"/>"
	"<reg name=\"x17\" bitsize=\"64\"/><reg name=\"x18\" bitsize=\"64\"/><reg name=\"x19\" bitsize=\"64\"/>"
	"<reg name=\"x20\" bitsize=\"64\"/><reg name=\"x21\" bitsize=\"64\"/><reg name=\"x22\" bitsize=\"64\"/>"
	"<reg name=\"x23\" bitsize=\"64\"/><reg name=\"x24\" bitsize=\"64\"/><reg name=\"x25\" bitsize=\"64\"/>"
	"<reg name=\"x26\" bitsize=\"64\"/><reg name=\"x27\" bitsize=\"64\"/><reg name=\"x28\" bitsize=\"64\"/>"
	"<reg name=\"x29\" bitsize=\"64\"/><reg name=\"x30\" bitsize=\"64\"/>\n"
	"<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"cpsr\" bitsize=\"32\"/>\n"
	"</feature>\n"
	"<feature name=\"org.qvp.aarch64.el1\">\n"
	"<reg name=\"SCTLR_EL1\" bitsize=\"64\" regnum=\"64\" group=\"system\"/>\n"
	"<reg name=\"TCR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TTBR0_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TTBR1_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"ESR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"FAR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"ELR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"SPSR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"VBAR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"CurrentEL\" bitsize=\"64\" group=\"system\"/>\n"
	"</feature>\n"
	"</target>\n";

/* Stays in step with the XML above: the registers' numbers are enum cpu_register's. */
_Static_assert(CPU_REG_SYSTEM_END - CPU_REG_SCTLR_EL1 == 10, "one <reg> per system register");

const char *gdb_target_xml(size_t *length)
{
	*length = sizeof(target_xml) - 1;
	return target_xml;
}

unsigned gdb_register_bytes(unsigned number)
{
	if (number < CPU_REG_PSTATE)
		return 8;
	if (number == CPU_REG_PSTATE)
		return 4;
	if (number >= CPU_REG_SCTLR_EL1 && number < CPU_REG_SYSTEM_END)
		return 8;
	return 0;
}
