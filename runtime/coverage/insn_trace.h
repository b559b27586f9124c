/*
 * Instruction trace (qvp run --trace-insns, docs/coverage.md): one line per instruction the
 * iss backend runs inside a window the user names, disassembled by Capstone, optionally with
 * the registers each changed. Bounded in lines; repeatable, as the run is.
 */
#ifndef QVP_INSN_TRACE_H
#define QVP_INSN_TRACE_H

#ifdef __cplusplus
extern "C" {
#endif

struct insn_trace;
struct machine;

/* Parses "FILE[,OPTION...]" (insns=FIRST-LAST, time=FROM-UNTIL, pc=LOW-HIGH, limit=N, regs),
 * opens FILE and has every iss CPU of `machine` (and of the boards a reset builds) call the
 * trace; NULL with error_set() on a bad option or an unwritable file. */
struct insn_trace *insn_trace_open(const char *spec, struct machine *machine);

/* Writes what is pending and closes the file; -1 with error_set() when writing failed. The
 * trace is freed either way. */
int insn_trace_close(struct insn_trace *trace);

#ifdef __cplusplus
}
#endif
#endif
