// guard=sites twin of tests/seeds/05_tilck_bug_small.c (pinned to guard=off:
// it tests that small blocks are poisoned too).  Under the default the
// 48-byte block is guarded: the read out of it faults at the instruction.
// RUN: --bug --small
// CFLAGS: -O1 -g -fomit-frame-pointer
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: free_process_int
// EXPECT-JQ: .access.type == "read" and (.stacks.access | any(.function == "free_process_int" and (.line == 106 or .line == 107))) and (.stacks.free | any(.function == "free_process_int" and .line == 104)) and .block.size == 48
// EXPECT-COUNT: 1
// EXPECT-NO-KIND: stale-pointer
#include "../../../examples/seeds/05_tilck_free_order.c"
