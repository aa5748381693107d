// guard=sites twin of tests/heap/heap_overflow_strcat.c, which is pinned to guard=off
// because it tests strcat and strncat in one run.
// Under the default guard=sites the block is guarded, so the
// destination's unterminated string is measured only up to the guard page,
// the check reports the append, and the real call's fault on the guard page
// ends the program as that one finding.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: append_name
// EXPECT-LINE: 24
// EXPECT-MESSAGE: past the end of the 8-byte block
// EXPECT-COUNT: 1
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include "../../heap/heap_overflow_strcat.c"
