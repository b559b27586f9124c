/* vector.c with enough rounds (about 135 million instructions) for tests/bench/run.sh to time. */
#define ROUNDS 600
#include "vector.c"
