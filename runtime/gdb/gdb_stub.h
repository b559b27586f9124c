/* A GDB remote-protocol server for one machine (docs/gdb.md): `qvp run --gdb [HOST:]PORT`. */
#ifndef QVP_GDB_STUB_H
#define QVP_GDB_STUB_H

#include <stdbool.h>
#include <stddef.h>

#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

struct gdb_stub;

/* Listens on "[HOST:]PORT" (127.0.0.1 unless a host is given), or serves the serial line at
 * an absolute device path (one session, attached at once); NULL with error_message(). */
struct gdb_stub *gdb_stub_create(const char *address, bool wait_for_client);
void gdb_stub_destroy(struct gdb_stub *stub);

/* Becomes the machine's debugger: with wait_for_client, machine_run() halts before the first
 * instruction until gdb attaches; otherwise gdb may attach while the guest runs. */
void gdb_stub_attach(struct gdb_stub *stub, struct machine *machine);

/* qRcmd: runs one `monitor` command, writing its text output to `out` (gdb_monitor.c). */
void gdb_monitor_command(struct machine *machine, const char *command, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif
