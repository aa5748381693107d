// Seed 5, Tilck, with a 48-byte task_and_process: the bug i386 hid, since
// its small heaps were never poisoned.  lifeguard poisons small blocks as
// it does large ones: the same finding.
// OPTIONS: guard=off
// RUN: --bug --small
// CFLAGS: -O1 -g -fomit-frame-pointer
// EXPECT-KIND: stale-pointer
// EXPECT-FUNCTION: free_process_int
// EXPECT-JQ: (.stacks.access | any(.function == "free_process_int" and .line == 108)) and (.stacks.free | any(.function == "free_process_int" and .line == 104)) and .block.size == 48
// EXPECT-COUNT: 1
#include "../../examples/seeds/05_tilck_free_order.c"
