/*
 * The floor for tests/bench/kvm_roundtrip.sh: a guest binary under the barest KVM_RUN loop
 * (no runtime, no bus, no models) that answers every MMIO read with the simulation-control ID
 * and stops at the first MMIO write. Prints the exits served and the wall time of the loop.
 *
 * usage: bare_kvm GUEST.bin   (loaded and entered at 0x40080000, RAM at 0x40000000)
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RAM_BASE   0x40000000ull
#define RAM_SIZE   (16ull << 20)
#define ENTRY      0x40080000ull
#define ID_VALUE   0x51565043u
#define PSTATE_EL1H_MASKED 0x3c5ull

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void set_core(int vcpu, size_t offset, uint64_t value)
{
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offset / sizeof(uint32_t)),
		.addr = (uint64_t)(uintptr_t)&value,
	};
	if (ioctl(vcpu, KVM_SET_ONE_REG, &reg) < 0)
		die("KVM_SET_ONE_REG");
}

static void load(const char *path, uint8_t *ram)
{
	FILE *file = fopen(path, "rb");
	size_t size;

	if (!file)
		die(path);
	size = fread(ram + (ENTRY - RAM_BASE), 1, RAM_SIZE - (ENTRY - RAM_BASE), file);
	fclose(file);
	if (size == 0) {
		fprintf(stderr, "%s: empty\n", path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct kvm_vcpu_init init;
	struct kvm_userspace_memory_region region;
	struct timespec start, end;
	struct kvm_run *run;
	uint64_t exits = 0;
	uint8_t *ram;
	int kvm, vm, vcpu;

	if (argc != 2) {
		fprintf(stderr, "usage: bare_kvm GUEST.bin\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || ram == MAP_FAILED)
		die("KVM_CREATE_VM");
	load(argv[1], ram);
	region = (struct kvm_userspace_memory_region){ 0, 0, RAM_BASE, RAM_SIZE, (uint64_t)(uintptr_t)ram };
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0 || ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0 || ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
		die("vCPU");
	run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("kvm_run");
	set_core(vcpu, offsetof(struct kvm_regs, regs.pc), ENTRY);
	set_core(vcpu, offsetof(struct kvm_regs, regs.pstate), PSTATE_EL1H_MASKED);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_MMIO) {
			fprintf(stderr, "unexpected exit %u\n", run->exit_reason);
			return 1;
		}
		exits++;
		if (run->mmio.is_write)
			break;
		uint32_t id = ID_VALUE;
		memcpy(run->mmio.data, &id, sizeof(id));
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("exits: %llu\n", (unsigned long long)exits);
	printf("wall time: %.6f s\n", (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) * 1e-9);
	return 0;
}
