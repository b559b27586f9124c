/* The last error of a runtime call, as one line a user can act on. */
#ifndef QVP_ERROR_H
#define QVP_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Records a message (printf format) and returns -1, so callers can `return error_set(...)`. */
int error_set(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* The message of the most recent error_set(), or "" if there was none. */
const char *error_message(void);

void error_clear(void);

#ifdef __cplusplus
}
#endif
#endif
