// Seed 2, Asterinas, the scheduler bug: park_current takes a reference to
// the current task and never drops it; the idle task's count runs away and
// every child task leaks.
// RUN: --bug=park
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-KIND: ref-growth
// EXPECT-FUNCTION: park_current
// EXPECT-OBJECT: Task#1
// EXPECT-JQ: .holders | any(.holder_type == "Waker" and .count >= 100000 and any(.stacks[][]; .function == "park_current" and .line == 109))
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: park_current
// EXPECT-JQ: .object.type == "Task" and .object.id > 1 and (.holders | any(.holder_type == "Waker" and any(.stacks[][]; .function == "park_current" and .line == 109)))
// EXPECT-KIND: checkpoint-leak
// EXPECT-FUNCTION: do_fork
// EXPECT-MESSAGE: born since the checkpoint
// EXPECT-JQ: .object.type == "Task"
// EXPECT-NO-KIND: ref-cycle
#include "../../examples/seeds/02_asterinas_task_leak.c"
