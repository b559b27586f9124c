/* The interpreter's state in a snapshot (snapshot_state.c): the cpu_ops save and load hooks. */
#ifndef QVP_ISS_SNAPSHOT_STATE_H
#define QVP_ISS_SNAPSHOT_STATE_H

#include "cpu.h"

void iss_snapshot_save(const struct cpu *base, struct snap_writer *w);
void iss_snapshot_load(struct cpu *base, struct snap_reader *r);

#endif
