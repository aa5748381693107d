// guard=sites twin of tests/seeds/05_tilck_bug.c, which is pinned to
// guard=off because the seed's write-up follows the poison path (the
// pointer read out of the freed block is poison, and freeing it names the
// block).  Under the default guard=sites the 4144-byte block is guarded, so
// reading pi->debug_cmdline out of it faults at that read.
// RUN: --bug
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O0 -g
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: free_process_int
// EXPECT-JQ: .access.type == "read" and (.stacks.access | any(.function == "free_process_int" and (.line == 106 or .line == 107))) and (.stacks.free | any(.function == "free_process_int" and .line == 104)) and (.stacks.alloc | any(.function == "create_process")) and .block.size > 4096
// EXPECT-COUNT: 1
// EXPECT-NO-KIND: stale-pointer
// EXPECT-NO-KIND: double-free
// EXPECT-NO-KIND: invalid-free
#include "../../../examples/seeds/05_tilck_free_order.c"
