// guard_sample_cost: every allocation a sample (guard_sample=1), and each
// guarded block's opening and closing calls cost microseconds against the
// fraction of one its allocation costs otherwise, so within the default
// 1% of the run's time (plus a young process's 2 ms) far fewer than half
// of the 20 000 blocks are guarded.  sample_cost_off.c: all are.
// OPTIONS: guard_first=0:guard_sample=1
// EXPECT-CLEAN
// EXPECT-SUMMARY: .guarded_allocations >= 1 and .guarded_allocations < 10000
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sample_cost.h"
