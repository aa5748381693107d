// Seed 1, SerenityOS, fixed: the last unmount removes the disk cache; the
// FATFS, loop0 and the image die and shutdown completes.  Nothing reported.
// NO-RUNTIME-RUN
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-growth
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: loop0: detached from fat.img
// EXPECT-STDOUT: shutdown: complete
#include "../../examples/seeds/01_serenity_loop_unmount.c"
