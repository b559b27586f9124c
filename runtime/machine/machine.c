/* Machine construction and the few services models call while the CPU runs. */
#include "machine.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "iss.h"
#ifdef QVP_HAVE_KVM
#include "kvm.h"
#endif
#include "linux_boot.h"
#include "platform.h"
#include "psci.h"
#include "semihosting.h"
#include "trace.h"

#ifdef QVP_HAVE_KVM
/* KVM's in-kernel PSCI: SYSTEM_OFF and SYSTEM_RESET end up where runtime/machine/psci.c sends them. */
static void kvm_system_event(void *opaque, bool reset)
{
	if (reset)
		machine_request_reset(opaque);
	else
		machine_request_exit(opaque, 0);
}

/* Board CPU `index` as a vCPU of the board's one VM (the first CPU's); the others than the
 * first start off, until KVM's in-kernel PSCI turns them on (loop.c follows it). */
static struct cpu *create_kvm_cpu(struct machine *machine, const struct machine_config *config, unsigned index)
{
	struct kvm_cpu_config kvm = {
		.time_per_instruction = machine->time_per_instruction,
		.timer_hooks = machine->sysreg_hooks,
		.timer_hook_count = machine->sysreg_hook_count,
		.precise = config->precise,
		.system_event = kvm_system_event,
		.system_event_opaque = machine,
		.join = index ? machine->cpus[0].cpu : NULL,
		.index = index,
		.affinity = machine->cpus[index].affinity,
		.powered_off = index != 0,
		.several_cpus = machine->cpu_count > 1,
	};

	return kvm_cpu_create(machine->bus, &kvm);
}

static bool kvm_usable(void)
{
	return kvm_available();
}
#else
static struct cpu *create_kvm_cpu(struct machine *machine, const struct machine_config *config, unsigned index)
{
	(void)machine;
	(void)config;
	(void)index;
	error_set("backend kvm: not available in this build (it needs an arm64 host with /dev/kvm)");
	return NULL;
}

static bool kvm_usable(void)
{
	return false;
}
#endif

/* The interpreter, with the system registers models serve (the generic timer). */
static struct cpu *create_iss_cpu(struct machine *machine)
{
	struct cpu *cpu = iss_create(machine->bus);

	if (cpu && platform_start_el2(machine->fdt))
		iss_enable_el2(cpu); /* every CPU, CPU_ON's fresh ones too, resets at EL2h */
	if (cpu && platform_start_el3(machine->fdt))
		iss_enable_el3(cpu); /* then at EL3h; SMC goes to the firmware, never to qvp's PSCI */
	if (cpu)
		iss_set_call_hook(cpu, psci_call, machine);
	if (cpu && machine->semihosting)
		iss_set_semihosting_hook(cpu, semihosting_call, machine);
	if (cpu && machine->config.coverage) /* every CPU, of every board a reset builds, marks one map */
		iss_set_coverage(cpu, machine->config.coverage);
	if (cpu && machine->config.insn_tracer)
		iss_set_insn_tracer(cpu, machine->config.insn_tracer);

	for (unsigned i = 0; cpu && i < machine->sysreg_hook_count; i++) {
		if (iss_add_sysreg_hook(cpu, machine->sysreg_hooks[i]) < 0) {
			cpu->ops->destroy(cpu);
			return NULL;
		}
	}
	return cpu;
}

static struct cpu *create_cpu(struct machine *machine, const struct machine_config *config, unsigned index)
{
	switch (config->backend) {
	case BACKEND_AUTO: /* KVM cannot start a guest at EL2, nor serve semihosting */
		return kvm_usable() && !platform_start_el2(machine->fdt) && !platform_start_el3(machine->fdt) &&
		               !config->semihosting
		           ? create_kvm_cpu(machine, config, index)
		           : create_iss_cpu(machine);
	case BACKEND_ISS:
		return create_iss_cpu(machine);
	case BACKEND_KVM:
		if (platform_start_el3(machine->fdt)) {
			error_set("backend kvm: cannot start the CPUs at EL3 (--el3, or qvp,start-el3 in the tree): "
			          "use --backend iss");
			return NULL;
		}
		if (config->semihosting) {
			error_set("backend kvm: no semihosting (--semihosting): use --backend iss");
			return NULL;
		}
		if (platform_start_el2(machine->fdt)) {
			error_set("backend kvm: cannot start the CPUs at EL2 (--el2, or qvp,start-el2 in the "
			          "tree): the host kernel owns EL2 there; use --backend iss");
			return NULL;
		}
		return create_kvm_cpu(machine, config, index);
	}
	return NULL;
}

/* A device wrote RAM (DMA): every CPU's decoded code and exclusive monitor there are stale. */
static void cpus_hear_ram_written(void *opaque, uint64_t address, uint64_t length)
{
	struct machine *machine = opaque;

	for (unsigned k = 0; k < machine->cpu_count; k++) {
		struct cpu *cpu = machine->cpus[k].cpu;
		if (cpu && cpu->ops->ram_written)
			cpu->ops->ram_written(cpu, address, length);
	}
}

/* A ROM device changed mode: every CPU drops what it cached of it. */
static void cpus_hear_map_changed(void *opaque, uint64_t address, uint64_t length)
{
	struct machine *machine = opaque;

	for (unsigned k = 0; k < machine->cpu_count; k++) {
		struct cpu *cpu = machine->cpus[k].cpu;
		if (cpu && cpu->ops->map_changed)
			cpu->ops->map_changed(cpu, address, length);
	}
}

/* --bios: the flash model loaded it into bank 0; the CPU starts there, at address 0. */
static int start_from_flash(struct machine *machine, const struct machine_config *config)
{
	struct bus_ram flash;

	if (config->backend == BACKEND_KVM)
		return error_set("backend kvm: cannot run --bios firmware in place from flash (a ROM device); "
				 "use --backend iss");
	if (!bus_find_memory(machine->bus, 0, &flash) || !flash.read_only)
		return error_set("--bios %s: the board has no flash at address 0 (a \"cfi-flash\" node)",
				 config->bios_path);
	memset(&machine->image, 0, sizeof(machine->image));
	return 0;
}

static int load_firmware(struct machine *machine, const struct machine_config *config)
{
	if (config->bios_path)
		return start_from_flash(machine, config);
	if (config->kernel_path)
		return linux_boot_load(machine, config->kernel_path, config->initrd_path, config->bootargs);
	if (config->raw_firmware)
		return loader_load_raw(machine->bus, config->firmware_path, config->raw_address, &machine->image);
	return loader_load_elf(machine->bus, config->firmware_path, &machine->image);
}

/* Like QEMU: the DTB goes at the start of RAM when the image leaves room, else after it. */
static int place_fdt(struct machine *machine)
{
	uint64_t size = fdt_totalsize(machine->fdt);
	uint64_t address = machine->ram_base;
	uint8_t *ram;

	if (machine->image.low < address + size && address < machine->image.high)
		address = (machine->image.high + 0xffff) & ~0xffffull;
	ram = bus_ram_pointer(machine->bus, address, size);
	if (!ram)
		return error_set("no room in RAM for the %" PRIu64 "-byte device tree after the image", size);
	memcpy(ram, machine->fdt, size);
	machine->fdt_address = address;
	return 0;
}

/* An iss CPU joins the cluster of the board's other iss CPUs: one exclusive monitor, one event. */
static int join_cluster(struct machine *machine, struct cpu *cpu, unsigned index)
{
	iss_set_mpidr(cpu, machine->cpus[index].affinity);
	for (unsigned k = 0; k < machine->cpu_count; k++)
		if (k != index && machine->cpus[k].cpu)
			return iss_join(cpu, machine->cpus[k].cpu);
	return 0;
}

static bool is_kvm(const struct cpu *cpu)
{
	return strcmp(cpu->ops->name, "kvm") == 0;
}

/* A backend CPU for board CPU `index`, with its MPIDR; several iss CPUs share a cluster,
 * several kvm vCPUs a VM. The first CPU's backend is the board's (--backend auto picks once). */
static struct cpu *create_board_cpu(struct machine *machine, const struct machine_config *config, unsigned index)
{
	struct cpu *cpu;

	if (machine->cpu_count == 1)
		return create_cpu(machine, config, index);
	if (index == 0 || is_kvm(machine->cpus[0].cpu))
		cpu = create_cpu(machine, config, index);
	else
		cpu = create_iss_cpu(machine);
	if (!cpu)
		return NULL;
	if (!is_kvm(cpu) && join_cluster(machine, cpu, index) < 0) {
		cpu->ops->destroy(cpu);
		return NULL;
	}
	for (unsigned line = 0; line < CPU_LINE_COUNT; line++)
		cpu->ops->set_line(cpu, (enum cpu_line)line, machine->line_level[index][line]);
	return cpu;
}

/* Every CPU the tree describes, in MPIDR order; CPU 0 starts at the image's entry with x0 the
 * device tree's address, the others wait for PSCI CPU_ON; but with --bios firmware at EL3 all
 * leave reset at the entry, as on QEMU's secure board with firmware loaded: PSCI is the
 * firmware's, which holds the secondaries itself (TF-A's hold pen). */
static int create_cpus(struct machine *machine, const struct machine_config *config)
{
	uint64_t affinity[MACHINE_MAX_CPUS];
	struct cpu *boot;

	if (platform_cpu_affinities(machine->fdt, config->platform_path, affinity, &machine->cpu_count) < 0)
		return -1;
	for (unsigned k = 0; k < machine->cpu_count; k++) {
		machine->cpus[k] = (struct machine_cpu){ .affinity = affinity[k], .local = machine->now };
		machine->cpus[k].cpu = create_board_cpu(machine, config, k);
		if (!machine->cpus[k].cpu)
			return -1;
		machine->cpus[k].build = ++machine->cpu_builds;
	}
	boot = machine->cpus[0].cpu;
	machine->cpus[0].powered = true;
	machine->cpu = boot;
	machine->current_cpu = 0;
	if (boot->ops->set_register(boot, CPU_REG_PC, machine->image.entry) < 0)
		return -1;
	for (unsigned k = 1; k < machine->cpu_count && config->bios_path && platform_start_el3(machine->fdt); k++) {
		struct cpu *secondary = machine->cpus[k].cpu;
		if (secondary->ops->set_register(secondary, CPU_REG_PC, machine->image.entry) < 0)
			return -1;
		machine->cpus[k].powered = true;
	}
	/* a --bios firmware finds the tree at the start of RAM itself, as on QEMU: x0 is 0 */
	return boot->ops->set_register(boot, CPU_REG_X0, config->bios_path ? 0 : machine->fdt_address);
}

int machine_start_cpu(struct machine *machine, unsigned index, uint64_t entry, uint64_t context)
{
	struct machine_cpu *target = &machine->cpus[index];

	target->cpu->ops->destroy(target->cpu); /* a fresh CPU: reset state, nothing left from before */
	target->cpu = create_board_cpu(machine, &machine->config, index);
	if (!target->cpu)
		return -1;
	target->build = ++machine->cpu_builds;
	if (target->cpu->ops->set_register(target->cpu, CPU_REG_PC, entry) < 0 ||
	    target->cpu->ops->set_register(target->cpu, CPU_REG_X0, context) < 0)
		return -1;
	target->powered = true;
	target->waiting = false;
	target->local = machine_now(machine);
	if (machine->debugger) /* its breakpoints go into the new CPU before it runs */
		machine->debugger(machine, MACHINE_DEBUG_CPU_STARTED, NULL);
	return 0;
}

/* The bus, the models, the loaded images and the CPU: what a reset builds anew. */
static int build_board(struct machine *machine, const struct machine_config *config)
{
	machine->bus = bus_create();
	machine->events = event_queue_create();
	if (!machine->bus || !machine->events)
		return error_set("out of memory");
	bus_take_spare_ram(machine->bus, &machine->ram_spares);
	if (platform_build(machine, config->platform_path) < 0 || load_firmware(machine, config) < 0 ||
	    (!config->kernel_path && place_fdt(machine) < 0))
		return -1;
	if (create_cpus(machine, config) < 0)
		return -1;
	if (machine->cpu->ops->ram_written) /* devices' DMA over decoded code */
		bus_set_ram_observer(machine->bus, cpus_hear_ram_written, machine);
	bus_set_map_observer(machine->bus, cpus_hear_map_changed, machine);
	/* models built before the CPU may already drive its lines */
	for (unsigned line = 0; line < CPU_LINE_COUNT; line++)
		machine->cpu->ops->set_line(machine->cpu, (enum cpu_line)line, machine->line_level[0][line]);
	return 0;
}

static void release_board(struct machine *machine)
{
	for (unsigned k = 0; k < machine->cpu_count; k++)
		if (machine->cpus[k].cpu)
			machine->cpus[k].cpu->ops->destroy(machine->cpus[k].cpu);
	memset(machine->cpus, 0, sizeof(machine->cpus));
	machine->cpu_count = 0;
	machine->cpu = NULL;
	platform_teardown(machine);
	event_queue_destroy(machine->events);
	/* a board rebuilt for a saved state keeps its RAM's pages resident: a reverse step restores into them */
	bus_destroy_keeping_ram(machine->bus, machine->config.ram_from_snapshot ? &machine->ram_spares : NULL);
	image_release(&machine->image);
	free(machine->models);
	free(machine->fdt);
	machine->bus = NULL;
	machine->events = NULL;
	machine->models = NULL;
	machine->fdt = NULL;
	memset(&machine->image, 0, sizeof(machine->image));
	memset(machine->line_level, 0, sizeof(machine->line_level));
	machine->sysreg_hook_count = 0;
	machine->ram_base = machine->ram_size = machine->fdt_address = 0;
}

struct machine *machine_create(const struct machine_config *config)
{
	struct machine *machine = calloc(1, sizeof(*machine));

	if (!machine) {
		error_set("out of memory");
		return NULL;
	}
	machine->config = *config;
	machine->console = config->console ? config->console : stdout;
	machine->quantum = config->quantum;
	machine->window = config->window ? config->window : MACHINE_WINDOW;
	if (machine->window > machine->quantum)
		machine->window = machine->quantum;
	machine->timeout = config->timeout;
	machine->run_deadline = VTIME_NEVER;
	machine->stats.idle_forever_since = VTIME_NEVER;
	machine->rtc_epoch = config->rtc_epoch ? config->rtc_epoch : QVP_RTC_EPOCH;
	machine->systemc_target = config->systemc_target;
	machine->systemc_opaque = config->systemc_opaque;
	if (config->semihosting &&
	    !(machine->semihosting = semihosting_create(config->semihosting_root,
	                                                config->semihosting_cmdline ? config->semihosting_cmdline
	                                                                            : config->firmware_path))) {
		machine_destroy(machine);
		return NULL;
	}
	if (build_board(machine, config) < 0) {
		machine_destroy(machine);
		return NULL;
	}
	machine->config.ram_from_snapshot = false; /* a reset after the restore loads the images */
	/* Under KVM one trip through the runtime costs far more host time than 10 us of guest
	 * time (docs/kvm.md), so there the window defaults to the quantum. */
	if (!config->window && is_kvm(machine->cpus[0].cpu))
		machine->window = machine->quantum;
	return machine;
}

void machine_destroy(struct machine *machine)
{
	if (!machine)
		return;
	release_board(machine);
	bus_free_spare_ram(&machine->ram_spares);
	semihosting_destroy(machine->semihosting);
	free(machine->board_source);
	free(machine);
}

int machine_reset(struct machine *machine)
{
	int status;

	machine->reset_requested = false;
	release_board(machine);
	status = build_board(machine, &machine->config);
	bus_free_spare_ram(&machine->ram_spares); /* those the new board did not take */
	if (status < 0)
		return error_set("system reset: %s", error_message());
	machine->stats.resets++;
	return 0;
}

void machine_request_reset(struct machine *machine)
{
	machine->reset_requested = true;
	if (machine->cpu_running)
		machine_kick_cpu(machine);
}

void machine_request_fatal_stop(struct machine *machine)
{
	if (machine->stop_cause != MACHINE_RUNNING)
		return;
	machine->stop_cause = MACHINE_FATAL;
	if (machine->cpu_running)
		machine_kick_cpu(machine);
}

void machine_kick_cpu(struct machine *machine)
{
	machine->cpu_kicked = true;
	machine->cpu->ops->kick(machine->cpu);
}

vtime_t machine_now(const struct machine *machine)
{
	if (!machine->cpu_running)
		return machine->now;
	return machine->now + machine->cpu->ops->executed_in_run(machine->cpu) * machine->time_per_instruction +
	       machine->stall;
}

vtime_t machine_counter_time(struct machine *machine)
{
	vtime_t now = machine_now(machine);

	if (machine->cpu_count <= 1)
		return now; /* one CPU's time never goes back (kvm's counter leads are its own) */
	if (now > machine->time_seen)
		machine->time_seen = now;
	return machine->time_seen;
}

void machine_set_insn_tracer(struct machine *machine, const struct iss_insn_tracer *tracer)
{
	machine->config.insn_tracer = tracer;
	for (unsigned i = 0; i < machine->cpu_count; i++)
		if (machine->cpus[i].cpu)
			iss_set_insn_tracer(machine->cpus[i].cpu, tracer);
}

bool machine_console_muted(const struct machine *machine)
{
	uint64_t position = machine->stats.instructions;

	if (machine->cpu_running)
		position += machine->cpu->ops->executed_in_run(machine->cpu);
	return position < machine->replay_frontier;
}

void machine_stall_cpu(struct machine *machine, vtime_t time)
{
	if (!machine->cpu_running || !time)
		return;
	machine->stall += time;
	machine_kick_cpu(machine);
}

void machine_request_exit(struct machine *machine, int exit_code)
{
	if (machine->stop_cause != MACHINE_RUNNING)
		return;
	machine->stop_cause = MACHINE_GUEST_EXIT;
	machine->exit_code = exit_code;
	if (machine->cpu_running)
		machine_kick_cpu(machine);
}

void machine_cancel_exit(struct machine *machine)
{
	if (machine->stop_cause == MACHINE_GUEST_EXIT)
		machine->stop_cause = MACHINE_RUNNING;
}

void machine_set_cpu_line(struct machine *machine, unsigned cpu_index, enum cpu_line line, bool level)
{
	struct cpu *cpu;

	if (cpu_index >= MACHINE_MAX_CPUS || machine->line_level[cpu_index][line] == level)
		return;
	machine->line_level[cpu_index][line] = level;
	if (machine->trace)
		trace_cpu_line(machine->trace, machine_now(machine), cpu_index, line, level);
	cpu = cpu_index < machine->cpu_count ? machine->cpus[cpu_index].cpu : NULL;
	if (!cpu)
		return; /* not built yet: the CPU takes the level when it is */
	cpu->ops->set_line(cpu, line, level);
	if (level && machine->cpu_running && cpu_index == machine->current_cpu)
		machine_kick_cpu(machine);
}

int machine_schedule_event(struct machine *machine, struct event *event, vtime_t time)
{
	if (event_schedule(machine->events, event, time) < 0)
		return -1;
	if (machine->cpu_running && time < machine->run_deadline) {
		machine->run_deadline = time;
		machine_kick_cpu(machine);
	}
	return 0;
}

int machine_add_sysreg_hook(struct machine *machine, const struct iss_sysreg_hook *hook)
{
	if (machine->sysreg_hook_count == MACHINE_MAX_SYSREG_HOOKS)
		return error_set("too many system-register hooks (at most %d)", MACHINE_MAX_SYSREG_HOOKS);
	machine->sysreg_hooks[machine->sysreg_hook_count++] = hook;
	return 0;
}
