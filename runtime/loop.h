/* The quantum loop: the one place where virtual time advances. */
#ifndef QVP_LOOP_H
#define QVP_LOOP_H

#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs until the guest exits, the timeout passes or the CPU backend fails. */
enum machine_stop_cause machine_run(struct machine *machine);

#ifdef __cplusplus
}
#endif
#endif
