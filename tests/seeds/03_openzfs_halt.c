// Seed 3, OpenZFS, with halt_on_error=1: lifeguard stops the program at the
// second release of the pinned pages, so the kernel never reaches the bad
// page state (nor the unmap whose puts would underflow).
// RUN: --bug
// OPTIONS: halt_on_error=1
// NO-GEN-SUPPRESSIONS: with the first finding silenced, the rerun goes on to the next one
// CFLAGS: -O1 -g -fomit-frame-pointer
// EXPECT-STDOUT: checksum verify error, retrying buffered
// EXPECT-KIND: ref-put-unheld
// EXPECT-FUNCTION: zfs_write
// EXPECT-COUNT: 1
// EXPECT-JQ: .stacks.holder_last_put | any(.function == "zfs_dio_write")
// EXPECT-NO-KIND: ref-underflow
#include "../../examples/seeds/03_openzfs_dio_double_release.c"
