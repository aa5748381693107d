// guard=sites twin of tests/heap/use_after_free_libc.c, which is pinned to guard=off
// because it tests several libc reports in one run (each call reported, the program
// going on).
// Under the default guard=sites the block is guarded, so the first call
// (memcpy reading the freed block) is reported by its check and stops the
// program there: the real call would fault on the freed pages.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: copy_out
// EXPECT-LINE: 20
// EXPECT-MESSAGE: memcpy() reads 32 bytes
// EXPECT-COUNT: 1
// VARIANT: -O0 -g -fno-builtin
// (no -O2: the call becomes a tail call there and its caller's frame goes;
// the original runs at -O1 only)
#include "../../heap/use_after_free_libc.c"
