// Seed 4, Nanos, fixed: an unlinked file that is still open is an orphan;
// its metadata dies at the last close, as on Linux.  Nothing reported.
// NO-RUNTIME-RUN
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-growth
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: close(3) = 0
#include "../../examples/seeds/04_nanos_unlink_close.c"
