// Unmount expects the filesystem to be gone, but a loop device made from a
// file on it still holds it (the SerenityOS loop-device bug in miniature).
// EXPECT-KIND: still-alive
// EXPECT-FUNCTION: loop_attach
// EXPECT-LINE: 21
// EXPECT-OBJECT: FATFS#1
// EXPECT-MESSAGE: expected freed: unmount of /mnt
// EXPECT-JQ: (.holders | any(.holder_type == "LoopDevice" and .count == 1)) and .stacks.access != null
// EXPECT-TEXT: in unmount
#include <stdlib.h>

#include "lifeguard.h"

struct fatfs { int dummy; };
struct loop { struct fatfs *backing; };

__attribute__((noinline)) static struct loop *loop_attach(struct fatfs *fs)
{
    struct loop *l = calloc(1, sizeof *l);
    lg_object_new(l, "LoopDevice");
    lg_ref_get(fs, l);
    l->backing = fs;
    return l;
}

__attribute__((noinline)) static void unmount(struct fatfs *fs)
{
    lg_ref_put(fs, NULL);
    lg_expect_freed(fs, "unmount of /mnt");
}

int main(void)
{
    struct fatfs *fs = calloc(1, sizeof *fs);
    lg_object_new(fs, "FATFS");
    struct loop *l = loop_attach(fs);
    unmount(fs);
    /* shut down in the right order after all, so only still-alive is reported */
    lg_ref_put(fs, l);
    free(fs);
    lg_ref_put(l, NULL);
    free(l);
    return 0;
}
