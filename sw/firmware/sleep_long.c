/* The sleep benchmark's long variant: 100 s in 10 ms ticks. */
#define SLEEP_TICKS 10000
#define SLEEP_PERIOD_MS 10
#include "sleep.c"
