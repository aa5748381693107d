// threads.c with stacks=0: the gets and puts take the tracker's quick path,
// which has no stack to charge (and the report none to show).  The counts
// must come out as exact, the summary's calls too.
// OPTIONS: stacks=0
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
// EXPECT-KIND: ref-leak
// EXPECT-OBJECT: Shared#1
// EXPECT-COUNT: 1
// EXPECT-JQ: .object.refcount == 8 and (.holders | length == 8 and all(.count == 1))
// EXPECT-NO-KIND: ref-underflow
// EXPECT-NO-KIND: ref-put-unheld
// EXPECT-NO-KIND: ref-get-after-free
// EXPECT-SUMMARY: .ref_gets == 320008 and .ref_puts == 320004
// NO-GEN-SUPPRESSIONS: stacks=0: no frame of the program names the finding, so no rule can
#include "threads.c"
