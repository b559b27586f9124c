/*
 * Entry point. The loader enters at EL1 with the MMU and caches off and x0 holding the
 * DTB's address (qvp) or 0 (QEMU with an ELF image). Turns FP/SIMD on, sets up the stack,
 * clears BSS, installs the vector table, then runs exit(main()).
 */
	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	mov	x19, x0			/* callee-saved: survives the calls below */

	/* CPACR_EL1.FPEN = 3: FP/SIMD at EL1 and EL0 (out of reset it traps), for firmware built with it. */
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb

	ldr	x1, =__stack_top
	mov	sp, x1

	/* BSS is 16-byte aligned and sized by the linker script. */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	ldr	x1, =sdk_vectors
	msr	vbar_el1, x1
	isb

	mov	x0, x19
	bl	sdk_start
	bl	main
	bl	exit			/* main's return value is already in w0 */
	.size _start, . - _start
	.ltorg
