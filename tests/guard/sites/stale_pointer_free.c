// guard=sites twin of tests/heap/stale_pointer_free.c, which is pinned to guard=off
// because it tests the poison value freed.
// Under the default guard=sites the block is guarded, so reading
// p->cmdline out of the freed struct faults: a use-after-free at that read.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: destroy_process
// EXPECT-LINE: 21
// EXPECT-JQ: .access.type == "read" and (.stacks.free | any(.function == "destroy_process" and .line == 19))
// EXPECT-NO-KIND: stale-pointer
// EXPECT-NO-KIND: double-free
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "../../heap/stale_pointer_free.c"
