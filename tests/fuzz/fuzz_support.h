/* Helpers shared by the libFuzzer harnesses: inputs as files (the parsers read paths), and a
 * virt machine on the iss backend running a few instructions of firmware. */
#ifndef QVP_FUZZ_SUPPORT_H
#define QVP_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"

/* The input as a file: an in-memory file (memfd), rewritten for each input; returns its path.
 * The parsers under test take paths, as qvp gives them what the user named. */
const char *fuzz_input_file(const uint8_t *data, size_t size);

/* A second such file, for harnesses that need two (a board and its firmware). */
const char *fuzz_second_file(const uint8_t *data, size_t size);

/* Where raw firmware goes and starts on the virt board. */
#define FUZZ_RAM_ENTRY 0x40080000ull

/* RAM for harnesses whose input reaches only its first 512 KiB (and the firmware at
 * FUZZ_RAM_ENTRY): per input, a board's RAM costs in proportion to its size (page flags,
 * unmapping, a debugger's checkpoints), not in what it tests. */
#define FUZZ_SMALL_RAM (1ull << 20)

/* The board at `platform` (a .dtb; fuzz_virt_machine: the virt board, QVP_FUZZ_VIRT_DTB) on
 * the iss backend with `words` as raw firmware at FUZZ_RAM_ENTRY, the console thrown away;
 * NULL (with error_message()) if it cannot be built. */
void fuzz_machine_config(struct machine_config *config, const char *platform, const uint32_t *words, size_t count,
			 vtime_t timeout);
struct machine *fuzz_machine(const char *platform, const uint32_t *words, size_t count, vtime_t timeout);
struct machine *fuzz_virt_machine(const uint32_t *words, size_t count, vtime_t timeout);

/* Moves virtual time on by `step` as the loop would, the CPU idling in WFI when it does; a
 * guest exit or a fatal stop ends it early (machine->stop_cause says which). */
void fuzz_advance(struct machine *machine, vtime_t step);

/* A FILE that throws the UART's output away. */
FILE *fuzz_null_console(void);

#endif
