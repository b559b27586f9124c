/* Clock rates from the device tree, for models that count clock ticks. */
#ifndef QVP_MODELS_CLOCK_H
#define QVP_MODELS_CLOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The rate of the index-th clock in the node's `clocks` (a fixed-clock's clock-frequency);
 * else the node's own clock-frequency; else `fallback`. -1 after error_set() for a clock
 * that names no fixed rate. */
int clock_rate(const void *fdt, int node, unsigned index, uint64_t fallback, uint64_t *rate);

/* The number of clocks the node lists (phandles with #clock-cells of 0). */
unsigned clock_count(const void *fdt, int node);

#ifdef __cplusplus
}
#endif
#endif
