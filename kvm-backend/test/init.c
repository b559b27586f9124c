/* /init of the nested-KVM test host. Mounts what the tests need, runs each line of
 * /tests.txt ("NAME PROGRAM [ARGS...]") with its output framed by markers the host-side
 * script parses ("qvp-test: begin NAME" ... "qvp-test: end NAME status N", then "qvp-test: NAME
 * took S s" by the test host's clock, so a hang shows where), then powers off. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_ARGS = 32 };

/* Output goes through a pipe, so programs see no terminal (and draw no status lines). */
static int run_program(char **argv)
{
	char buffer[4096];
	int output[2], status;
	ssize_t got;
	pid_t child;

	if (pipe(output) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		dup2(output[1], STDOUT_FILENO);
		dup2(output[1], STDERR_FILENO);
		close(output[0]);
		close(output[1]);
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(output[1]);
	while ((got = read(output[0], buffer, sizeof(buffer))) > 0)
		fwrite(buffer, 1, (size_t)got, stdout);
	fflush(stdout);
	close(output[0]);
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static double seconds_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void run_line(char *line)
{
	char *words[MAX_ARGS + 1];
	int count = 0;
	int status;
	double start;

	for (char *word = strtok(line, " \t\n"); word && count < MAX_ARGS; word = strtok(NULL, " \t\n"))
		words[count++] = word;
	if (count < 2)
		return;
	words[count] = NULL;
	printf("qvp-test: begin %s\n", words[0]);
	fflush(stdout);
	start = seconds_now();
	status = run_program(words + 1);
	printf("qvp-test: end %s status %d\n", words[0], status);
	printf("qvp-test: %s took %.3f s\n", words[0], seconds_now() - start);
	fflush(stdout);
}

int main(void)
{
	char line[1024];
	FILE *tests;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	tests = fopen("/tests.txt", "r");
	while (tests && fgets(line, sizeof(line), tests))
		run_line(line);
	printf("qvp-test: done\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
