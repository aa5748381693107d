// Seed 3, OpenZFS: after a failed direct-I/O write, the error path and the
// common exit both release the pinned pages.  The second release is
// reported where it happens, naming both release sites, before the zero
// page's "Bad page state".
// RUN: --bug
// CFLAGS: -O1 -g -fomit-frame-pointer
// VARIANT: -O0 -g
// VARIANT: -O2 -g -fno-omit-frame-pointer
// EXPECT-STDOUT: BUG: Bad page state
// EXPECT-KIND: ref-put-unheld
// EXPECT-FUNCTION: zfs_uio_free_dio_pages
// EXPECT-OBJECT: page#1
// EXPECT-JQ: (.stacks.access | any(.function == "zfs_write" and .line == 143)) and (.stacks.holder_last_put | any(.function == "zfs_dio_write" and .line == 128)) and (.stacks.holder_last_put | any(.function == "zfs_uio_free_dio_pages"))
// EXPECT-COUNT: 1
// EXPECT-KIND: ref-underflow
// EXPECT-FUNCTION: unmap_vma
// EXPECT-JQ: .stacks.zero_put | any(.function == "zfs_write")
#include "../../examples/seeds/03_openzfs_dio_double_release.c"
