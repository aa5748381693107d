// Seed 2, Asterinas, all three bugs at once: eight reference findings, and
// at the end the "root causes" list names the three bugs, each site once:
// park_current, the exit path (do_exit) and the procfs lookup
// (procfs_inode_new), each with the findings it explains.
// RUN: --bug
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: do_exit
// EXPECT-TEXT: reference findings: 3 sites took the references left outstanding
// EXPECT-TEXT: . park_current: 150008 references; explains #1 ref-growth Task#1, #3 checkpoint-leak Task#3
// EXPECT-TEXT: . do_exit: 7 references; explains #
// EXPECT-TEXT: . procfs_inode_new: 2 references; explains #2 checkpoint-leak Process#2
// EXPECT-SUMMARY: .root_causes == 3
#include "../../examples/seeds/02_asterinas_task_leak.c"
