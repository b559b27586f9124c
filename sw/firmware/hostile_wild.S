/*
 * hostile.elf's excursions into code it does not control (hostile.c): wild_enter() saves the
 * callee-saved registers and SP_EL1 in a struct wild_context, loads x0-x30 and SP_EL0 from it
 * and ERETs to a target at EL0 or EL1. The excursion ends in an exception: hostile.c's handler
 * restores x19-x30 from the context and returns to wild_resume at EL1h, where wild_enter
 * returns with x0 set by the handler. SP_EL1 never changes on the way: EL0 cannot write it, and
 * an EL1 target faults on its first fetch.
 *
 * struct wild_context layout (bytes): x19-x30 at 0, SP_EL1 at 96, resume PC at 104,
 * target at 112, SPSR at 120, SP_EL0 at 128, x0-x30 for the excursion at 136.
 */
#define CTX_SP		96
#define CTX_RESUME	104
#define CTX_TARGET	112
#define CTX_SPSR	120
#define CTX_SP_EL0	128
#define CTX_REGS	136

	.text
	.balign	4
	.global	wild_enter
	.type	wild_enter, %function
wild_enter:				/* uint64_t wild_enter(struct wild_context *ctx) */
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x9, sp
	str	x9, [x0, #CTX_SP]
	adr	x9, wild_resume
	str	x9, [x0, #CTX_RESUME]
	ldr	x9, [x0, #CTX_TARGET]
	msr	elr_el1, x9
	ldr	x9, [x0, #CTX_SPSR]
	msr	spsr_el1, x9
	ldr	x9, [x0, #CTX_SP_EL0]
	msr	sp_el0, x9
	add	x0, x0, #CTX_REGS
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
wild_resume:				/* the handler restored x19-x30 and set x0 */
	ret
	.size	wild_enter, . - wild_enter
