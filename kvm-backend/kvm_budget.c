#include "kvm_budget.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"

/* The kick: the signal handler asks KVM_RUN to return, even if it arrives just before it.
 * The vCPUs run one at a time on this thread: the one whose run started last is kicked. */
static struct kvm_run *kicked_run;

static void kick_handler(int signal)
{
	(void)signal;
	if (kicked_run)
		kicked_run->immediate_exit = 1;
}

static int kick_signal(void)
{
	return SIGRTMIN + 1;
}

static int install_kick_handler(struct kvm_run *run)
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	action.sa_handler = kick_handler;
	action.sa_flags = SA_RESTART; /* KVM_RUN itself returns EINTR; other calls just go on */
	sigemptyset(&action.sa_mask);
	kicked_run = run;
	if (sigaction(kick_signal(), &action, NULL) < 0)
		return error_set("kvm: cannot install the kick signal handler: %s", strerror(errno));
	return 0;
}

/* Counts instructions retired in the guest only (exclude_host), on this thread. */
static int open_guest_instruction_counter(void)
{
	struct perf_event_attr attr;
	struct f_owner_ex owner = { .type = F_OWNER_TID, .pid = (pid_t)syscall(SYS_gettid) };
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_INSTRUCTIONS;
	attr.exclude_host = 1;
	attr.disabled = 1;
	attr.sample_period = 1u << 20;
	attr.wakeup_events = 1;
	fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETOWN_EX, &owner) < 0 || fcntl(fd, F_SETSIG, kick_signal()) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int create_kick_timer(struct kvm_budget *budget)
{
	struct sigevent event;

	memset(&event, 0, sizeof(event));
	event.sigev_notify = SIGEV_THREAD_ID;
	event.sigev_signo = kick_signal();
	event._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &event, &budget->timer) < 0)
		return error_set("kvm: cannot create the kick timer: %s", strerror(errno));
	budget->timer_created = true;
	return 0;
}

int kvm_budget_init(struct kvm_budget *budget, struct kvm_run *run, vtime_t time_per_instruction)
{
	memset(budget, 0, sizeof(*budget));
	budget->run = run;
	budget->time_per_instruction = time_per_instruction;
	if (install_kick_handler(run) < 0)
		return -1;
	budget->counter_fd = open_guest_instruction_counter();
	return create_kick_timer(budget);
}

void kvm_budget_destroy(struct kvm_budget *budget)
{
	if (budget->counter_fd >= 0)
		close(budget->counter_fd);
	if (budget->timer_created)
		timer_delete(budget->timer);
	if (kicked_run == budget->run)
		kicked_run = NULL;
}

static void arm_timer(struct kvm_budget *budget, vtime_t duration)
{
	struct itimerspec when = { 0 };
	uint64_t ns = duration / VTIME_NS;

	ns = ns ? ns : 1;
	when.it_value.tv_sec = (time_t)(ns / 1000000000u);
	when.it_value.tv_nsec = (long)(ns % 1000000000u);
	timer_settime(budget->timer, 0, &when, NULL);
}

static vtime_t backstop_duration(vtime_t expected)
{
	const vtime_t least = 20 * VTIME_MS;

	return expected > least / 10 ? expected * 10 : least;
}

void kvm_budget_start(struct kvm_budget *budget, uint64_t instructions)
{
	budget->budget = instructions;
	kicked_run = budget->run;
	kicked_run->immediate_exit = 0;
	clock_gettime(CLOCK_MONOTONIC, &budget->started);
	if (budget->counter_fd >= 0) {
		uint64_t period = instructions;
		ioctl(budget->counter_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(budget->counter_fd, PERF_EVENT_IOC_PERIOD, &period);
		ioctl(budget->counter_fd, PERF_EVENT_IOC_ENABLE, 0);
		/* A backstop: some PMUs (QEMU's without -icount) never count guest instructions. */
		arm_timer(budget, backstop_duration(instructions * budget->time_per_instruction));
		return;
	}
	arm_timer(budget, instructions * budget->time_per_instruction);
}

static uint64_t elapsed_instructions(const struct kvm_budget *budget)
{
	struct timespec now;
	uint64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (uint64_t)(now.tv_sec - budget->started.tv_sec) * 1000000000u + (uint64_t)now.tv_nsec -
	     (uint64_t)budget->started.tv_nsec;
	return ns * VTIME_NS / budget->time_per_instruction;
}

uint64_t kvm_budget_executed(struct kvm_budget *budget)
{
	uint64_t count = 0;

	if (budget->counter_fd < 0) {
		count = elapsed_instructions(budget);
		return count < budget->budget ? count : budget->budget;
	}
	if (read(budget->counter_fd, &count, sizeof(count)) != sizeof(count))
		return 0;
	return count;
}

uint64_t kvm_budget_stop(struct kvm_budget *budget)
{
	struct itimerspec never = { 0 };
	uint64_t executed, elapsed;

	timer_settime(budget->timer, 0, &never, NULL);
	if (budget->counter_fd < 0)
		return kvm_budget_executed(budget);
	ioctl(budget->counter_fd, PERF_EVENT_IOC_DISABLE, 0);
	executed = kvm_budget_executed(budget);
	if (executed > 0)
		return executed;
	/* Nothing counted: the guest slept in WFI until the backstop, or this PMU cannot count
	 * the guest (QEMU's without -icount). Either way host time is the best measure left. */
	elapsed = elapsed_instructions(budget);
	budget->uncounted_runs++;
	return elapsed < budget->budget ? elapsed : budget->budget;
}
