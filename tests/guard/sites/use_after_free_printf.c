// guard=sites twin of tests/heap/use_after_free_printf.c, which is pinned to guard=off
// because it tests every printf form in one run.
// Under the default guard=sites the block is guarded, so printf's
// check of the freed %s reports the first call and stops the program (the
// real printf would fault on the freed pages).
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: show_name
// EXPECT-LINE: 42
// EXPECT-MESSAGE: printf() reads
// EXPECT-COUNT: 1
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include "../../heap/use_after_free_printf.c"
