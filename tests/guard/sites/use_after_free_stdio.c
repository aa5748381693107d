// guard=sites twin of tests/heap/use_after_free_stdio.c, which is pinned to guard=off
// because it tests puts and fwrite in one run.
// Under the default guard=sites the block is guarded, so puts'
// check reports the freed line and stops the program.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: print_line
// EXPECT-LINE: 15
// EXPECT-MESSAGE: puts()
// EXPECT-COUNT: 1
// VARIANT: -O0 -g -fno-builtin
// (no -O2: the call becomes a tail call there and its caller's frame goes;
// the original runs at -O1 only)
#include "../../heap/use_after_free_stdio.c"
