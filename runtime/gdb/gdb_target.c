/* The target description gdb reads with qXfer:features:read: AArch64 core, FP/SIMD and EL1
 * registers, and EL2's and EL3's when the CPU has those levels. */
#include <stdbool.h>
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
	/* gdb shows V0..V31 as unions of lanes and derives q/d/s/h/b from them. */
	"<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/><vector id=\"v2u\" type=\"uint64\" count=\"2\"/>"
	"<vector id=\"v2i\" type=\"int64\" count=\"2\"/><vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v4u\" type=\"uint32\" count=\"4\"/><vector id=\"v4i\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v8u\" type=\"uint16\" count=\"8\"/><vector id=\"v8i\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v16u\" type=\"uint8\" count=\"16\"/><vector id=\"v16i\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v1u\" type=\"uint128\" count=\"1\"/><vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
	"<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
	"<field name=\"s\" type=\"v2i\"/></union>\n"
	"<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
	"<field name=\"s\" type=\"v4i\"/></union>\n"
	"<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>\n"
	"<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
	"<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
	"<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
	"<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/><field name=\"q\" type=\"vnq\"/></union>\n"
	"<reg name=\"v0\" bitsize=\"128\" type=\"aarch64v\" regnum=\"34\"/><reg name=\"v1\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v2\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v3\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v4\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v5\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v6\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v7\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v8\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v9\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v10\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v11\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v12\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v13\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v14\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v15\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v16\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v17\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v18\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v19\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v20\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v21\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v22\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v23\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v24\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v25\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v26\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v27\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v28\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v29\" bitsize=\"128\" type=\"aarch64v\"/>"
	"<reg name=\"v30\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v31\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"fpsr\" bitsize=\"32\"/>\n"
	"<reg name=\"fpcr\" bitsize=\"32\"/>\n"
	"</feature>\n"
	"<feature name=\"org.qvp.aarch64.el1\">\n"
	"<reg name=\"SCTLR_EL1\" bitsize=\"64\" regnum=\"68\" group=\"system\"/>\n"
	"<reg name=\"TCR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TTBR0_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TTBR1_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"ESR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"FAR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"ELR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"SPSR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"VBAR_EL1\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"CurrentEL\" bitsize=\"64\" group=\"system\"/>\n"
	"</feature>\n";

static const char el2_xml[] =
	"<feature name=\"org.qvp.aarch64.el2\">\n"
	"<reg name=\"HCR_EL2\" bitsize=\"64\" regnum=\"78\" group=\"system\"/>\n"
	"<reg name=\"SCTLR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TCR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TTBR0_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"VTTBR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"ESR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"FAR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"ELR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"SPSR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"VBAR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"MAIR_EL2\" bitsize=\"64\" regnum=\"101\" group=\"system\"/>\n"
	"<reg name=\"CPTR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TPIDR_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"CNTHCTL_EL2\" bitsize=\"64\" group=\"system\"/>\n"
	"</feature>\n";

static const char el3_xml[] =
	"<feature name=\"org.qvp.aarch64.el3\">\n"
	"<reg name=\"SCR_EL3\" bitsize=\"64\" regnum=\"88\" group=\"system\"/>\n"
	"<reg name=\"SCTLR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TCR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TTBR0_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"ESR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"FAR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"ELR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"SPSR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"VBAR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"MAIR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"CPTR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"TPIDR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"<reg name=\"MDCR_EL3\" bitsize=\"64\" group=\"system\"/>\n"
	"</feature>\n";

/* Stays in step with the XML above: the registers' numbers are enum cpu_register's. */
_Static_assert(CPU_REG_HCR_EL2 - CPU_REG_SCTLR_EL1 == 10, "one <reg> per EL1 system register");
_Static_assert(CPU_REG_HCR_EL2 == 78 && CPU_REG_SCR_EL3 == 88 && CPU_REG_MAIR_EL2 == 101 &&
		       CPU_REG_SYSTEM_END == 105,
	       "the EL2 and EL3 features' register numbers");

const char *gdb_target_xml(bool el2, bool el3, size_t *length)
{
	static char xml[sizeof(target_xml) + sizeof(el2_xml) + sizeof(el3_xml) + 16];

	*length = (size_t)snprintf(xml, sizeof(xml), "%s%s%s</target>\n", target_xml, el2 ? el2_xml : "",
	                           el3 ? el3_xml : "");
	return xml;
}

_Static_assert(CPU_REG_FPSR == CPU_REG_V0 + 32 && CPU_REG_FPCR == CPU_REG_FPSR + 1 &&
		       CPU_REG_SCTLR_EL1 == CPU_REG_FPCR + 1, "the XML's register numbers");

unsigned gdb_register_bytes(unsigned number)
{
	if (number < CPU_REG_PSTATE)
		return 8;
	if (number == CPU_REG_PSTATE || number == CPU_REG_FPSR || number == CPU_REG_FPCR)
		return 4;
	if (number >= CPU_REG_V0 && number < CPU_REG_V0 + 32)
		return 16;
	if (number >= CPU_REG_SCTLR_EL1 && number < CPU_REG_SYSTEM_END)
		return 8;
	return 0;
}
