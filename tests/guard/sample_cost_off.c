// The twin of sample_cost_bounded.c without a cost limit
// (guard_sample_cost=0): every one of the 20 000 allocations is guarded.
// OPTIONS: guard_first=0:guard_sample=1:guard_sample_cost=0
// EXPECT-CLEAN
// EXPECT-SUMMARY: .guarded_allocations >= 20000
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sample_cost.h"
