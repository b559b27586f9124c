/* ARM Generic Interrupt Controller v2 (GIC-400 programmer's model, IHI 0048B, DDI 0471B):
 * register offsets and fields shared by the model, its tests and the guest SDK. */
#ifndef QVP_GICV2_H
#define QVP_GICV2_H

#ifdef __cplusplus
extern "C" {
#endif

/* Interrupt IDs: 0-15 SGIs, 16-31 PPIs, 32 and up SPIs; GICV2_NUM_IRQS in all. */
#define GICV2_NUM_IRQS 128
#define GICV2_SPI_BASE 32
#define GICV2_PPI_BASE 16
#define GICV2_SPURIOUS 1023     /* nothing to acknowledge */
/* The irq input of PPI `id` (16-31) of CPU `cpu`: a per-CPU device drives its own CPU's. */
#define GICV2_PPI_INPUT(cpu, id) ((cpu) * GICV2_NUM_IRQS + (id))
#define GICV2_SPURIOUS_GRP1 1022 /* IAR: the highest is Group 1 and GICC_CTLR.AckCtl is 0 */

/* Distributor, from the first `reg` entry. */
enum gicv2_distributor_register {
	GICD_CTLR = 0x000,
	GICD_TYPER = 0x004,
	GICD_IIDR = 0x008,
	GICD_IGROUPR = 0x080,   /* 1 bit per interrupt, 32 per register, to 0x0fc */
	GICD_ISENABLER = 0x100,
	GICD_ICENABLER = 0x180,
	GICD_ISPENDR = 0x200,
	GICD_ICPENDR = 0x280,
	GICD_ISACTIVER = 0x300,
	GICD_ICACTIVER = 0x380,
	GICD_IPRIORITYR = 0x400, /* 1 byte per interrupt, to 0x7f8 */
	GICD_ITARGETSR = 0x800,  /* 1 byte per interrupt, to 0xbf8 */
	GICD_ICFGR = 0xc00,      /* 2 bits per interrupt, to 0xcfc */
	GICD_PPISR = 0xd00,      /* GIC-400 input status: not modelled, reads as zero */
	GICD_SPISR = 0xd04,
	GICD_NSACR = 0xe00,
	GICD_SGIR = 0xf00,
	GICD_CPENDSGIR = 0xf10,  /* 1 byte per SGI: a bit per source CPU */
	GICD_SPENDSGIR = 0xf20,
	GICD_PIDR4 = 0xfd0,      /* identification registers to 0xffc */
	GICD_PIDR0 = 0xfe0,
	GICD_CIDR0 = 0xff0,
};

/* CPU interface, from the second `reg` entry. */
enum gicv2_cpu_register {
	GICC_CTLR = 0x000,
	GICC_PMR = 0x004,
	GICC_BPR = 0x008,
	GICC_IAR = 0x00c,
	GICC_EOIR = 0x010,
	GICC_RPR = 0x014,
	GICC_HPPIR = 0x018,
	GICC_ABPR = 0x01c,
	GICC_AIAR = 0x020,
	GICC_AEOIR = 0x024,
	GICC_AHPPIR = 0x028,
	GICC_APR0 = 0x0d0,
	GICC_NSAPR0 = 0x0e0,
	GICC_IIDR = 0x0fc,
	GICC_DIR = 0x1000,
};

/* Virtualization extensions (IHI 0048B chapter 5), present with EL2 (--el2): the hypervisor's
 * GICH frame ("this CPU" view, the third `reg` entry) and the virtual CPU interface GICV (the
 * fourth), which has GICC's layout (enum gicv2_cpu_register) driven by the list registers. */
enum gicv2_hyp_register {
	GICH_HCR = 0x000,
	GICH_VTR = 0x004,
	GICH_VMCR = 0x008,
	GICH_MISR = 0x010,
	GICH_EISR0 = 0x020,
	GICH_EISR1 = 0x024,
	GICH_ELRSR0 = 0x030,
	GICH_ELRSR1 = 0x034,
	GICH_APR = 0x0f0,
	GICH_LR0 = 0x100, /* GICV2_NUM_LRS of them, a word each */
};

#define GICV2_NUM_LRS     4 /* as QEMU's GICv2 */
#define GICV2_MAINTENANCE_PPI 25 /* PPI 9 in the device tree, as QEMU's virt */

enum gicv2_hyp_fields {
	GICH_HCR_EN = 1u << 0,
	GICH_HCR_UIE = 1u << 1,
	GICH_HCR_LRENPIE = 1u << 2,
	GICH_HCR_NPIE = 1u << 3,
	GICH_HCR_VGRP0EIE = 1u << 4,
	GICH_HCR_VGRP0DIE = 1u << 5,
	GICH_HCR_VGRP1EIE = 1u << 6,
	GICH_HCR_VGRP1DIE = 1u << 7,
	GICH_HCR_EOICOUNT_SHIFT = 27,

	GICH_MISR_EOI = 1u << 0,
	GICH_MISR_U = 1u << 1,
	GICH_MISR_LRENP = 1u << 2,
	GICH_MISR_NP = 1u << 3,
	GICH_MISR_VGRP0E = 1u << 4,
	GICH_MISR_VGRP0D = 1u << 5,
	GICH_MISR_VGRP1E = 1u << 6,
	GICH_MISR_VGRP1D = 1u << 7,

	/* GICH_VMCR: GICV_CTLR's bits in place (0-4, 9), then ABPR, BPR and the priority mask. */
	GICH_VMCR_CTLR_MASK = 0x21fu,
	GICH_VMCR_ABP_SHIFT = 18,
	GICH_VMCR_BP_SHIFT = 21,
	GICH_VMCR_PRIMASK_SHIFT = 27,

	/* A list register: virtual ID, physical ID (HW) or EOI and source CPU, priority, state, group, HW. */
	GICH_LR_VIRTUAL_ID_MASK = 0x3ffu,
	GICH_LR_PHYSICAL_ID_SHIFT = 10,
	GICH_LR_EOI = 1u << 19,
	GICH_LR_PRIORITY_SHIFT = 23,
	GICH_LR_STATE_SHIFT = 28,
	GICH_LR_PENDING = 1u << 28,
	GICH_LR_ACTIVE = 1u << 29,
	GICH_LR_GROUP1 = 1u << 30,
};
#define GICH_LR_HW 0x80000000u /* past an enum's int range */

/* GICH_VTR: ListRegs - 1, and five preemption and priority bits (PREbits, PRIbits - 1). */
#define GICV2_GICH_VTR ((GICV2_NUM_LRS - 1) | 4u << 26 | 4u << 29)

enum gicv2_fields {
	GICD_CTLR_ENABLE_GRP0 = 1u << 0,
	GICD_CTLR_ENABLE_GRP1 = 1u << 1,

	GICC_CTLR_ENABLE_GRP0 = 1u << 0,
	GICC_CTLR_ENABLE_GRP1 = 1u << 1,
	GICC_CTLR_ACK_CTL = 1u << 2,
	GICC_CTLR_FIQ_EN = 1u << 3,   /* Group 0 is signalled as FIQ */
	GICC_CTLR_CBPR = 1u << 4,     /* GICC_BPR also controls Group 1 */
	GICC_CTLR_EOI_MODE = 1u << 9, /* EOIR drops priority only; DIR deactivates */

	GICD_SGIR_FILTER_LIST = 0u << 24,
	GICD_SGIR_FILTER_OTHERS = 1u << 24,
	GICD_SGIR_FILTER_SELF = 2u << 24,
	GICD_SGIR_NSATT = 1u << 15, /* a Secure write's SGI goes where it is Group 1, not Group 0 */
};

#define GICV2_PRIORITY_MASK 0xf8u /* 32 priority levels, as the GIC-400 */
#define GICV2_GICD_IIDR 0x0200143bu
#define GICV2_GICC_IIDR 0x0202143bu

#ifdef __cplusplus
}
#endif
#endif
