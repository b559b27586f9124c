/*
 * EL1 vector table: every entry reports the exception and ends the run (exception.c).
 * Firmware that wants interrupts will install its own table.
 */
	.macro	entry index
	.balign	0x80
	mov	x0, #\index
	b	common
	.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global	sdk_vectors
sdk_vectors:
	.irp	index, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	entry	\index
	.endr

common:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	sdk_exception
	.size	sdk_vectors, . - sdk_vectors
