// guard=sites twin of tests/heap/write_after_free_evicted.c, which is pinned to guard=off
// because it tests a poison check made while the program runs.
// Under the default guard=sites the block is guarded, so the write
// faults at the instruction instead.
// OPTIONS: quarantine_mb=1
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: main
// EXPECT-LINE: 24
// EXPECT-JQ: .access.type == "write" and (.stacks.free | any(.function == "release_node"))
// EXPECT-NO-KIND: write-after-free
// VARIANT: -O0 -g
// (no -O2: gcc removes the access to freed memory there, or moves it into
// the caller; the original runs at -O1 only)
#include "../../heap/write_after_free_evicted.c"
