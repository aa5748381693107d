// guard=sites twin of tests/heap/heap_overflow_printf_dest.c, which is pinned to guard=off
// because it tests the destination check made after each call.
// Under the default guard=sites the block is guarded, so sprintf's
// 14 bytes into the 8-byte block still end in the slack before the guard page
// (reported after the call, as unguarded), and snprintf's 17 bytes reach the
// guard page: that write faults inside vsnprintf, reported at the call's line.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: format_id
// EXPECT-LINE: 28
// EXPECT-MESSAGE: sprintf() writes 14 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: format_capped
// EXPECT-LINE: 34
// EXPECT-JQ: .access.type == "write" and .block.size == 8
// EXPECT-COUNT: 2
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include "../../heap/heap_overflow_printf_dest.c"
