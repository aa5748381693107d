// Seed 2, Asterinas, the exit bug: do_exit never returns, and the strong
// reference to the process its frame holds is not dropped before it yields
// for the last time: every child process, and its task, leaks.
// RUN: --bug=exit
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: do_exit
// EXPECT-JQ: .object.type == "Process" and any(.holders[].stacks[][]; .function == "do_exit" and .line == 194)
// EXPECT-KIND: checkpoint-leak
// EXPECT-FUNCTION: do_fork
// EXPECT-MESSAGE: born since the checkpoint
// EXPECT-JQ: .object.type == "Process"
// EXPECT-NO-KIND: ref-growth
// EXPECT-NO-KIND: ref-cycle
#include "../../examples/seeds/02_asterinas_task_leak.c"
