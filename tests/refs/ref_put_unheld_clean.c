// The twin of ref_put_unheld.c: the directory drops its reference once.
// EXPECT-CLEAN
// NO-RUNTIME-RUN
#include <stdlib.h>

#include "lifeguard.h"

struct md { int x; };
struct dir { struct md *entry; };
struct file { struct md *md; };

__attribute__((noinline)) static void dir_unlink(struct dir *d)
{
    lg_ref_put(d->entry, d);
}

int main(void)
{
    struct dir *d = calloc(1, sizeof *d);
    struct file *f = calloc(1, sizeof *f);
    lg_object_new(d, "Dir");
    lg_object_new(f, "File");
    struct md *m = calloc(1, sizeof *m);
    lg_object_new(m, "Metadata");
    d->entry = m;
    lg_ref_get(m, d);
    f->md = m;
    lg_ref_get(m, f);
    lg_ref_put(m, NULL);
    dir_unlink(d);
    lg_ref_put(m, f);
    free(d);
    free(f);
    free(m);
    return 0;
}
