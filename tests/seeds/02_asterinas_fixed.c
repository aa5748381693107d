// Seed 2, Asterinas, fixed: the parked reference is dropped on wake-up,
// exit drops its strong references before the last yield, procfs inodes
// hold exactly one reference.  150000 parks, 8 fork/exit/wait rounds:
// nothing reported, not even ref-growth.
// NO-RUNTIME-RUN
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-growth
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: 0 processes and 0 tasks born in the loop are alive
// EXPECT-STDOUT: shutdown: every task and process dropped
#include "../../examples/seeds/02_asterinas_task_leak.c"
