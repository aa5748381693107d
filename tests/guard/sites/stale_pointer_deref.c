// guard=sites twin of tests/heap/stale_pointer_deref.c, which is pinned to guard=off
// because it tests the poison range (a pointer read out of freed memory).
// Under the default guard=sites the block is guarded, so reading the
// pointer out of the freed struct already faults: a use-after-free at that read.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_name
// EXPECT-LINE: 14
// EXPECT-JQ: .access.type == "read" and (.stacks.free | any(.function == "close_file"))
// EXPECT-NO-KIND: stale-pointer
// VARIANT: -O0 -g
// (no -O2: gcc removes the access to freed memory there, or moves it into
// the caller; the original runs at -O1 only)
#include "../../heap/stale_pointer_deref.c"
