// Seed 5, Tilck: free_process_int frees the task_and_process block, then
// reads pi->debug_cmdline out of it and frees that.  The value read is
// lifeguard's poison, which names the block it came from and its free.
// OPTIONS: guard=off
// RUN: --bug
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O0 -g
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-STDOUT: kfree2: could not find the heap block for ptr
// EXPECT-KIND: stale-pointer
// EXPECT-FUNCTION: free_process_int
// EXPECT-MESSAGE: a pointer read out of freed memory
// EXPECT-JQ: (.stacks.access | any(.function == "free_process_int" and .line == 108)) and (.stacks.free | any(.function == "free_process_int" and .line == 104)) and (.stacks.alloc | any(.function == "create_process")) and .block.size > 4096
// EXPECT-COUNT: 1
// EXPECT-NO-KIND: double-free
// EXPECT-NO-KIND: invalid-free
#include "../../examples/seeds/05_tilck_free_order.c"
