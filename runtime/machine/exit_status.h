/* The exit statuses of a qvp run (qvp and qvp-sc) besides the guest's own exit code. Here, in
 * the lowest room, because the CLI and console input give them and the farm judges them. */
#ifndef QVP_EXIT_STATUS_H
#define QVP_EXIT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

enum qvp_exit_status {
	QVP_EXIT_SCRIPT = 123,  /* the run ended before the console script's expectations were met */
	QVP_EXIT_TIMEOUT = 124, /* virtual time reached --timeout */
	QVP_EXIT_ERROR = 125,   /* bad options or input files */
	QVP_EXIT_FATAL = 126,   /* the simulated CPU could not go on */
};

#ifdef __cplusplus
}
#endif
#endif
