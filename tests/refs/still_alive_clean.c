// The twin of still_alive.c: the loop device is detached before unmount.
// EXPECT-CLEAN
// EXPECT-NO-KIND: still-alive
// NO-RUNTIME-RUN
#include <stdlib.h>

#include "lifeguard.h"

struct fatfs { int dummy; };
struct loop { struct fatfs *backing; };

int main(void)
{
    struct fatfs *fs = calloc(1, sizeof *fs);
    lg_object_new(fs, "FATFS");
    struct loop *l = calloc(1, sizeof *l);
    lg_object_new(l, "LoopDevice");
    lg_ref_get(fs, l);
    lg_ref_put(fs, l);
    lg_ref_put(l, NULL);
    free(l);
    lg_ref_put(fs, NULL);
    lg_expect_freed(fs, "unmount of /mnt");
    free(fs);
    return 0;
}
