/*
 * Debugger stops under KVM (KVM_SET_GUEST_DEBUG). Breakpoints are BRK instructions written
 * into guest memory (KVM_GUESTDBG_USE_SW_BP makes every BRK exit to us), watchpoints use the
 * CPU's watchpoint registers (KVM_GUESTDBG_USE_HW), and steps use the software-step
 * exception. Like the iss backend, a stop is reported before the instruction executes, and
 * the next run steps over that instruction first with the stop that caught it out of the way.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "error.h"
#include "kvm_internal.h"

#define BRK_0 0xd4200000u /* BRK #0 */

enum {
	EC_BREAKPOINT_LOWER = 0x30,
	EC_SOFTWARE_STEP_LOWER = 0x32,
	EC_WATCHPOINT_LOWER = 0x34,
	EC_BRK64 = 0x3c,
};

/* DBGWCR_EL1: enabled, EL1 and EL0 (PAC 0b11), load/store control and byte address select. */
#define WCR_ENABLE       1u
#define WCR_EL1_AND_EL0  (3u << 1)
#define WCR_LOAD         (1u << 3)
#define WCR_STORE        (2u << 3)
#define WCR_BAS_SHIFT    5

static unsigned exception_class(const struct kvm_cpu *kc)
{
	return kc->run->debug.arch.hsr >> 26;
}

/* Applies the breakpoints and watchpoints now set, plus a single step if asked. */
static int apply(struct kvm_cpu *kc, bool single_step, bool without_watchpoints)
{
	struct kvm_guest_debug debug;
	struct kvm_debug *d = &kc->debug;

	memset(&debug, 0, sizeof(debug));
	if (d->break_count || d->watch_count || single_step)
		debug.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	if (single_step)
		debug.control |= KVM_GUESTDBG_SINGLESTEP;
	if (d->watch_count && !without_watchpoints) {
		debug.control |= KVM_GUESTDBG_USE_HW;
		for (unsigned k = 0; k < d->watch_count; k++) {
			debug.arch.dbg_wvr[k] = d->watch[k].address & ~7ull;
			debug.arch.dbg_wcr[k] = d->watch[k].control;
		}
	}
	if (ioctl(kc->vcpu_fd, KVM_SET_GUEST_DEBUG, &debug) < 0)
		return error_set("kvm: KVM_SET_GUEST_DEBUG failed: %s", strerror(errno));
	return 0;
}

/* The host's view of the guest instruction at `va`, through the guest's page tables. */
static uint32_t *instruction_pointer(struct kvm_cpu *kc, uint64_t va)
{
	struct iss_arch_state state;
	uint64_t pa;
	uint32_t *host;

	if (kvm_borrow_interpreter(kc, &state) == NULL || iss_translate_address(kc->interpreter, va, &pa) < 0)
		return NULL;
	host = (uint32_t *)bus_ram_pointer(kc->bus, pa, 4);
	if (!host || (pa & 3))
		error_set("kvm: no instruction in RAM at 0x%" PRIx64, va);
	return (pa & 3) ? NULL : host;
}

static void write_instruction(uint32_t *host, uint32_t word)
{
	*host = word;
	__builtin___clear_cache((char *)host, (char *)(host + 1)); /* the guest fetches through its I-cache */
}

static struct guest_breakpoint *find_breakpoint(struct kvm_cpu *kc, uint64_t address)
{
	for (unsigned k = 0; k < kc->vm->break_count; k++)
		if (kc->vm->breaks[k].address == address)
			return &kc->vm->breaks[k];
	return NULL;
}

static uint64_t vcpu_bit(const struct kvm_cpu *kc)
{
	return 1ull << kc->index;
}

/* The first vCPU to want a breakpoint writes the BRK (through its page tables); the others
 * that want it too only stop there: gdb inserts each point into every CPU. */
static int insert_breakpoint(struct kvm_cpu *kc, uint64_t address)
{
	struct kvm_vm *vm = kc->vm;
	struct guest_breakpoint *point = find_breakpoint(kc, address), *breaks;
	uint32_t *host;

	if (point && (point->vcpus & vcpu_bit(kc)))
		return error_set("kvm: there is a breakpoint at 0x%" PRIx64 " already", address);
	if (!point) {
		host = instruction_pointer(kc, address);
		if (!host)
			return -1;
		breaks = realloc(vm->breaks, (vm->break_count + 1) * sizeof(*breaks));
		if (!breaks)
			return error_set("kvm: out of memory for a breakpoint");
		vm->breaks = breaks;
		point = &vm->breaks[vm->break_count++];
		*point = (struct guest_breakpoint){ address, *host, host, 0 };
		write_instruction(host, BRK_0);
	}
	point->vcpus |= vcpu_bit(kc);
	kc->debug.break_count++;
	return apply(kc, false, false);
}

/* The last vCPU to let a breakpoint go puts the guest's instruction back. */
static int remove_breakpoint(struct kvm_cpu *kc, uint64_t address)
{
	struct kvm_vm *vm = kc->vm;
	struct guest_breakpoint *point = find_breakpoint(kc, address);

	if (!point || !(point->vcpus & vcpu_bit(kc)))
		return error_set("kvm: no breakpoint at 0x%" PRIx64, address);
	point->vcpus &= ~vcpu_bit(kc);
	kc->debug.break_count--;
	if (!point->vcpus) {
		write_instruction(point->host, point->original);
		*point = vm->breaks[--vm->break_count];
	}
	return apply(kc, false, false);
}

/* One watchpoint register covers the bytes of one aligned doubleword. */
static int insert_watchpoint(struct kvm_cpu *kc, enum cpu_debug_kind kind, uint64_t address, uint64_t length)
{
	struct kvm_debug *d = &kc->debug;
	unsigned offset = (unsigned)(address & 7);
	uint32_t control = WCR_ENABLE | WCR_EL1_AND_EL0;

	if (length == 0 || offset + length > 8)
		return error_set("kvm: a watchpoint must lie within one aligned 8-byte word (0x%" PRIx64 ", %" PRIu64
				 " bytes)", address, length);
	if (d->watch_count == d->watch_slots || d->watch_count == KVM_ARM_MAX_DBG_REGS)
		return error_set("kvm: all %u hardware watchpoints are in use", d->watch_slots);
	if (kind != CPU_DEBUG_WATCH_WRITE)
		control |= WCR_LOAD;
	if (kind != CPU_DEBUG_WATCH_READ)
		control |= WCR_STORE;
	control |= (uint32_t)(((1u << length) - 1) << offset) << WCR_BAS_SHIFT;
	d->watch[d->watch_count++] = (struct guest_watchpoint){ kind, address, length, control };
	return apply(kc, false, false);
}

static int remove_watchpoint(struct kvm_cpu *kc, enum cpu_debug_kind kind, uint64_t address, uint64_t length)
{
	struct kvm_debug *d = &kc->debug;

	for (unsigned k = 0; k < d->watch_count; k++) {
		if (d->watch[k].kind == kind && d->watch[k].address == address && d->watch[k].length == length) {
			d->watch[k] = d->watch[--d->watch_count];
			return apply(kc, false, false);
		}
	}
	return error_set("kvm: no watchpoint at 0x%" PRIx64, address);
}

int kvm_cpu_insert_debug(struct cpu *cpu, enum cpu_debug_kind kind, uint64_t address, uint64_t length)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	if (kind == CPU_DEBUG_BREAK)
		return insert_breakpoint(kc, address);
	return insert_watchpoint(kc, kind, address, length);
}

int kvm_cpu_remove_debug(struct cpu *cpu, enum cpu_debug_kind kind, uint64_t address, uint64_t length)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	if (kind == CPU_DEBUG_BREAK)
		return remove_breakpoint(kc, address);
	return remove_watchpoint(kc, kind, address, length);
}

bool kvm_cpu_watch_hit(struct cpu *cpu, enum cpu_debug_kind *kind, uint64_t *address)
{
	struct kvm_debug *d = &to_kvm_cpu(cpu)->debug;

	if (!d->watch_hit)
		return false;
	*kind = d->hit_kind;
	*address = d->hit_address;
	return true;
}

/* The watchpoint whose doubleword holds the data address the CPU reported. */
static void note_watch_hit(struct kvm_cpu *kc, uint64_t far)
{
	struct kvm_debug *d = &kc->debug;

	for (unsigned k = 0; k < d->watch_count; k++) {
		if ((d->watch[k].address & ~7ull) == (far & ~7ull)) {
			d->watch_hit = true;
			d->hit_kind = d->watch[k].kind;
			d->hit_address = far > d->watch[k].address ? far : d->watch[k].address;
			return;
		}
	}
}

/* KVM_EXIT_DEBUG outside a step: ours stops the run; a guest's own BRK becomes its exception. */
enum cpu_stop_reason kvm_debug_exit(struct kvm_cpu *kc)
{
	uint64_t pc = 0;

	switch (exception_class(kc)) {
	case EC_BRK64:
		if (kc->cpu.ops->get_register(&kc->cpu, CPU_REG_PC, &pc) < 0)
			return CPU_STOP_FATAL;
		if (find_breakpoint(kc, pc)) {
			kc->debug.resume_pending = true;
			return CPU_STOP_BREAKPOINT;
		}
		return kvm_emulate_instruction(kc) < 0 ? CPU_STOP_FATAL : CPU_STOP_BUDGET;
	case EC_WATCHPOINT_LOWER:
	case EC_WATCHPOINT_LOWER + 1:
		note_watch_hit(kc, kc->run->debug.arch.far);
		kc->debug.resume_pending = true;
		return CPU_STOP_BREAKPOINT;
	default:
		error_set("kvm: unexpected debug exit (ESR 0x%08x)", kc->run->debug.arch.hsr);
		return CPU_STOP_FATAL;
	}
}

/* Executes exactly one instruction (or stops for another reason first). */
enum cpu_stop_reason kvm_debug_step(struct kvm_cpu *kc, bool without_watchpoints)
{
	enum cpu_stop_reason reason = CPU_STOP_BUDGET;

	if (apply(kc, true, without_watchpoints) < 0)
		return CPU_STOP_FATAL;
	for (;;) {
		kc->run->immediate_exit = 0; /* a late budget signal must not end the step early */
		if (ioctl(kc->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			error_set("kvm: KVM_RUN failed: %s", strerror(errno));
			reason = CPU_STOP_FATAL;
			break;
		}
		if (kc->run->exit_reason == KVM_EXIT_DEBUG && exception_class(kc) == EC_SOFTWARE_STEP_LOWER) {
			kc->modes.exits.debug++;
			kc->debug.steps++;
			break;
		}
		reason = kvm_handle_exit(kc);
		if (reason != CPU_STOP_BUDGET)
			break;
	}
	if (apply(kc, false, false) < 0)
		return CPU_STOP_FATAL;
	return reason;
}

/* Before a run: the instruction the last stop was reported before executes first. */
enum cpu_stop_reason kvm_debug_resume(struct kvm_cpu *kc)
{
	struct kvm_debug *d = &kc->debug;
	struct guest_breakpoint *point;
	uint64_t pc = 0;
	enum cpu_stop_reason reason;

	d->watch_hit = false;
	if (!d->resume_pending)
		return CPU_STOP_BUDGET;
	d->resume_pending = false;
	if (kc->cpu.ops->get_register(&kc->cpu, CPU_REG_PC, &pc) < 0)
		return CPU_STOP_FATAL;
	point = find_breakpoint(kc, pc);
	if (point)
		write_instruction(point->host, point->original);
	reason = kvm_debug_step(kc, true);
	if (point)
		write_instruction(point->host, BRK_0);
	return reason;
}

void kvm_debug_init(struct kvm_cpu *kc)
{
	int slots = ioctl(kc->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_WPS);

	kc->debug.watch_slots = slots > 0 ? (unsigned)slots : 0;
}

void kvm_debug_release_vm(struct kvm_vm *vm)
{
	free(vm->breaks);
}
