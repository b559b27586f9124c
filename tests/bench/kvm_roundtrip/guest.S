/* EXITS reads of the simulation-control ID register, then exit code 0. Under KVM every read is
 * one MMIO exit to userspace and back: the round trip tests/bench/kvm_roundtrip.sh measures. */
	.text
	.globl	_start
_start:
	movz	x1, #0x0b00, lsl #16	/* qvp,sim-control at 0x0b000000 */
	ldr	x2, =EXITS
1:	ldr	w0, [x1]		/* ID: one exit */
	subs	x2, x2, #1
	b.ne	1b
	str	wzr, [x1, #4]		/* EXIT with code 0 */
2:	b	2b
	.ltorg
