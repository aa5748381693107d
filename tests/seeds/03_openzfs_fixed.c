// Seed 3, OpenZFS, fixed: the pinned pages are released once, at the
// write's common exit, whatever path the write took.  Nothing reported.
// NO-RUNTIME-RUN
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-growth
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: checksum verify error, retrying buffered
// EXPECT-STDOUT: zero page refcount 1: clean
#include "../../examples/seeds/03_openzfs_dio_double_release.c"
