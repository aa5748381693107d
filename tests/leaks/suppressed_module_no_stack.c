// With stacks=0 a leak has no frame to match, and one module: the program.
// A module rule matching the program's path hides it (tests/real's
// toolchain.supp names cc1 and the drivers so: under stacks=0 their true
// leaks made cc1 exit 1 and make's build fail).
// OPTIONS: stacks=0
// SUPPRESSIONS: leak:suppressed_module_no_stack
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
// EXPECT-SUMMARY: .suppressed >= 1 and .leaked_blocks >= 1
#include "lose_one_block.h"
