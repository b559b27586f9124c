/* The example SystemC peripheral (runtime/systemc/accelerator.cpp, docs/systemc.md): a DMA
 * engine that copies, adds a constant to, or sums 32-bit words in guest memory and raises an
 * interrupt when done. Register offsets and fields, shared with the guest firmware (C). */
#ifndef QVP_SC_ACCELERATOR_REGS_H
#define QVP_SC_ACCELERATOR_REGS_H

enum sc_accel_register {
	SC_ACCEL_ID = 0x00,     /* RO: SC_ACCEL_ID_VALUE */
	SC_ACCEL_CTRL = 0x04,   /* RW: SC_ACCEL_CTRL_IRQ_ENABLE; write SC_ACCEL_CTRL_START to start */
	SC_ACCEL_STATUS = 0x08, /* RO BUSY; DONE and ERROR are cleared by writing 1 to them */
	SC_ACCEL_OP = 0x0c,     /* RW: enum sc_accel_op */
	SC_ACCEL_SRC_LO = 0x10, /* RW: source address in guest physical memory, bits 31:0 */
	SC_ACCEL_SRC_HI = 0x14, /*     bits 63:32 */
	SC_ACCEL_DST_LO = 0x18, /* RW: destination address (COPY and ADD) */
	SC_ACCEL_DST_HI = 0x1c,
	SC_ACCEL_LENGTH = 0x20,        /* RW: bytes, a multiple of 4, at most SC_ACCEL_MAX_LENGTH */
	SC_ACCEL_OPERAND = 0x24,       /* RW: the constant ADD adds */
	SC_ACCEL_RESULT = 0x28,        /* RO: CHECKSUM's sum of the words, modulo 2^32 */
	SC_ACCEL_COMPLETED = 0x2c,     /* RO: operations finished since reset */
	SC_ACCEL_REGISTERS_END = 0x30, /* an access at or past this offset is a TLM address error */
};

enum sc_accel_op {
	SC_ACCEL_OP_COPY = 0,     /* dst[i] = src[i] */
	SC_ACCEL_OP_ADD = 1,      /* dst[i] = src[i] + OPERAND */
	SC_ACCEL_OP_CHECKSUM = 2, /* RESULT = sum of src[i]; nothing written */
};

#define SC_ACCEL_ID_VALUE        0x51534341u /* "QSCA" */
#define SC_ACCEL_CTRL_START      (1u << 0)
#define SC_ACCEL_CTRL_IRQ_ENABLE (1u << 1)
#define SC_ACCEL_STATUS_BUSY     (1u << 0)
#define SC_ACCEL_STATUS_DONE     (1u << 1)
#define SC_ACCEL_STATUS_ERROR    (1u << 2) /* a DMA access failed, or a bad OP or LENGTH */
#define SC_ACCEL_MAX_LENGTH      0x10000u
/* An operation takes SETUP plus PER_WORD per 32-bit word of SystemC time, then interrupts. */
#define SC_ACCEL_SETUP_NS    100u
#define SC_ACCEL_PER_WORD_NS 2u

#endif
