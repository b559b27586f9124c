/*
 * Where PSCI CPU_ON starts a secondary CPU (qvp/smp.h): EL1, MMU off, x0 = the context id,
 * which smp_start_cpu() makes the CPU's index. Like crt0: FP/SIMD on, a stack (its own, in
 * smp_stacks), the SDK's vectors; then smp_secondary_main(index), which never returns.
 */
	.text
	.global smp_secondary_entry
	.type smp_secondary_entry, %function
smp_secondary_entry:
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	ldr	x1, =smp_stacks
	add	x2, x0, #1
	mov	x3, #16384		/* SMP_STACK_SIZE */
	madd	x1, x2, x3, x1		/* the top of smp_stacks[index] */
	mov	sp, x1
	ldr	x1, =sdk_vectors
	msr	vbar_el1, x1
	isb
	bl	smp_secondary_main
1:	wfi
	b	1b
	.size smp_secondary_entry, . - smp_secondary_entry
	.ltorg
