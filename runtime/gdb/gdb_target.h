/* What gdb is told about the target: the description XML and each register's size. */
#ifndef QVP_GDB_TARGET_H
#define QVP_GDB_TARGET_H

#include <stddef.h>

const char *gdb_target_xml(size_t *length);

/* Bytes of register `number` in g/p packets (gdb's numbering, enum cpu_register); 0: none. */
unsigned gdb_register_bytes(unsigned number);

#endif
