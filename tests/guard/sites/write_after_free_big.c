// guard=sites twin of tests/heap/write_after_free_big.c, which is pinned to guard=off
// because it tests the poisoning of big blocks, checked at eviction.
// Under the default guard=sites the block is guarded, so the write into
// the freed 6000-byte block faults at the instruction.
// OPTIONS: quarantine_mb=1
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: main
// EXPECT-LINE: 26
// EXPECT-MESSAGE: inside the freed 6000-byte block
// EXPECT-JQ: .access.type == "write" and (.stacks.free | any(.function == "drop_frame"))
// EXPECT-NO-KIND: write-after-free
// VARIANT: -O0 -g
// (no -O2: gcc removes the access to freed memory there, or moves it into
// the caller; the original runs at -O1 only)
#include "../../heap/write_after_free_big.c"
