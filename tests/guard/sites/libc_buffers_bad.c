// guard=sites twin of tests/heap/libc_buffers_bad.c, which is pinned to guard=off
// because it tests every buffer function in one run.
// Under the default guard=sites the block is guarded, so the first
// call, memchr of the freed block, faults inside memchr: a use-after-free at
// its line, which ends the program.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: find_byte
// EXPECT-LINE: 79
// EXPECT-JQ: .access.type == "read" and .block.size == 16
// EXPECT-COUNT: 1
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include "../../heap/libc_buffers_bad.c"
