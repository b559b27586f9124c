/* A Linux init that needs no FP/SIMD and no libc: it says hello on the console and powers the
 * board off through reboot(2), which the kernel turns into PSCI SYSTEM_OFF. The Linux test
 * boots it with rdinit=/poweroff-init to check the boot and power-off path on its own. */
#include <linux/reboot.h>
#include <asm/unistd.h>

static long syscall3(long number, long a, long b, long c)
{
	register long x8 __asm__("x8") = number;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

static long syscall4(long number, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = number;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}

void _start(void)
{
	static const char message[] = "qvp-poweroff-init: hello from PID 1, powering off\n";

	syscall3(__NR_write, 1, (long)message, sizeof(message) - 1);
	syscall4(__NR_reboot, (long)LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
	for (;;)
		syscall3(__NR_exit, 1, 0, 0);
}
