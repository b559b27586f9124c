/* What gdb is told about the target: the description XML and each register's size. */
#ifndef QVP_GDB_TARGET_H
#define QVP_GDB_TARGET_H

#include <stdbool.h>
#include <stddef.h>

/* The description of a CPU with EL1, and with EL2 and EL3 if `el2` and `el3` say so. */
const char *gdb_target_xml(bool el2, bool el3, size_t *length);

/* Bytes of register `number` in g/p packets (gdb's numbering, enum cpu_register); 0: none. */
unsigned gdb_register_bytes(unsigned number);

#endif
