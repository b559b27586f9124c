/* /init of the nested-KVM test host: mount what the tests need, run each program named on
 * the kernel command line (qvp_run=/a,/b), report each exit status, then power off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_program(char *path)
{
	int status;
	pid_t child = fork();

	if (child == 0) {
		char *argv[] = { path, NULL };
		execv(path, argv);
		perror(path);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	char *programs;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	/* The kernel hands unknown name=value parameters (without a dot) to init's environment. */
	(void)argc;
	(void)argv;
	programs = getenv("qvp_run");
	for (char *path = programs ? strtok(programs, ",") : NULL; path; path = strtok(NULL, ",")) {
		printf("qvp-test: running %s\n", path);
		fflush(stdout);
		printf("qvp-test: %s exit status %d\n", path, run_program(path));
		fflush(stdout);
	}
	printf("qvp-test: done\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
