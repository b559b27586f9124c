/*
 * EL3 vector table of el3_monitor.c: every entry saves the context in a struct
 * exception_frame (<qvp/exception.h>, the SDK's layout) on the SP_EL3 stack with the _EL3
 * syndrome registers, calls el3_dispatch(frame), restores the (possibly changed) context and
 * returns with ERET.
 */
#define FRAME_SIZE	304
#define FRAME_ELR	256
#define FRAME_ESR	272
#define FRAME_VECTOR	288

	.macro	entry index
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\index
	b	el3_save_and_dispatch
	.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global	el3_vectors
el3_vectors:
	.irp	index, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	entry	\index
	.endr

el3_save_and_dispatch:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, sp_el0
	stp	x30, x1, [sp, #240]
	mrs	x1, elr_el3
	mrs	x2, spsr_el3
	stp	x1, x2, [sp, #FRAME_ELR]
	mrs	x1, esr_el3
	mrs	x2, far_el3
	stp	x1, x2, [sp, #FRAME_ESR]
	str	x0, [sp, #FRAME_VECTOR]

	mov	x0, sp
	bl	el3_dispatch

	ldp	x1, x2, [sp, #FRAME_ELR]
	msr	elr_el3, x1
	msr	spsr_el3, x2
	ldp	x30, x1, [sp, #240]
	msr	sp_el0, x1
	ldp	x28, x29, [sp, #224]
	ldp	x26, x27, [sp, #208]
	ldp	x24, x25, [sp, #192]
	ldp	x22, x23, [sp, #176]
	ldp	x20, x21, [sp, #160]
	ldp	x18, x19, [sp, #144]
	ldp	x16, x17, [sp, #128]
	ldp	x14, x15, [sp, #112]
	ldp	x12, x13, [sp, #96]
	ldp	x10, x11, [sp, #80]
	ldp	x8, x9, [sp, #64]
	ldp	x6, x7, [sp, #48]
	ldp	x4, x5, [sp, #32]
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret

	/* Drops from EL3 to EL2h (x2 = 2) or EL1h (x2 = 1) at `entry` (x0) with that level's SP = `stack` (x1), interrupts masked. */
	.text
	.global	el3_enter_lower
el3_enter_lower:
	msr	elr_el3, x0
	cmp	x2, #2
	b.eq	1f
	msr	sp_el1, x1
	mov	x3, #0x3c5
	b	2f
1:	msr	sp_el2, x1
	mov	x3, #0x3c9
2:	msr	spsr_el3, x3
	isb
	eret
