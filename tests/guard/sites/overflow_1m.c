// guard=sites twin of tests/guard/overflow_1m.c, which is pinned to guard=off
// because it tests the nearest-block naming of an ordinary block.
// Under the default guard=sites the block is guarded, so a 1 MiB
// overflow of the guarded block is named after it just the same.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 17
// EXPECT-MESSAGE: bytes past the end of the 3000-byte block
// EXPECT-JQ: .access.type == "read" and (.stacks.alloc | map(.function) | index("main")) != null
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "../overflow_1m.c"
