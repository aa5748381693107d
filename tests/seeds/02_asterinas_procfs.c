// Seed 2, Asterinas, the procfs bug: building a /proc inode takes an extra
// strong reference to its process that nothing consumes, from fork and
// from listing /proc alike.
// RUN: --bug=procfs
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: procfs_lookup
// EXPECT-JQ: any(.holders[].stacks[]; any(.function == "procfs_inode_new" and .line == 138) and any(.function == "procfs_lookup" and .line == 155) and any(.function == "do_fork"))
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: ls_proc
// EXPECT-OBJECT: Process#1
// EXPECT-JQ: any(.holders[].stacks[]; any(.function == "procfs_lookup") and any(.function == "ls_proc"))
// EXPECT-KIND: checkpoint-leak
// EXPECT-FUNCTION: do_fork
// EXPECT-MESSAGE: born since the checkpoint
// EXPECT-JQ: .object.type == "Process"
// EXPECT-NO-KIND: ref-growth
#include "../../examples/seeds/02_asterinas_task_leak.c"
