// guard=sites twin of tests/heap/write_after_free.c, which is pinned to guard=off
// because it tests the poison check at quarantine eviction.
// Under the default guard=sites the block is guarded, so the write
// faults at the instruction and is reported there, with its access stack
// (n->count++: at -O0 its load faults first, a read).
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: bump
// EXPECT-LINE: 18
// EXPECT-JQ: (.access.type == "write" or .access.type == "read") and (.stacks.free | length > 0)
// EXPECT-NO-KIND: write-after-free
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "../../heap/write_after_free.c"
