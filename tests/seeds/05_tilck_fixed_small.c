// Seed 5, Tilck, fixed, with the 48-byte block: the command line is freed
// first, the block that holds its pointer last.  Nothing reported.
// RUN: --small
// NO-RUNTIME-RUN
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-growth
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: free_process_int: done
#include "../../examples/seeds/05_tilck_free_order.c"
