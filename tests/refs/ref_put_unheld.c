// A directory drops its reference to a metadata node twice while an open
// file still holds the node (the Nanos unlink/close bug): the count stays
// above zero, but the directory no longer holds what it drops.
// EXPECT-KIND: ref-put-unheld
// EXPECT-FUNCTION: dir_unlink
// EXPECT-LINE: 23
// EXPECT-OBJECT: Metadata#1
// EXPECT-MESSAGE: Dir#1
// EXPECT-JQ: .stacks.holder_last_put != null and (.holders | any(.holder_type == "File"))
// EXPECT-NO-KIND: ref-underflow
#include <stdlib.h>

#include "lifeguard.h"

struct md { int x; };
struct dir { struct md *entry; };
struct file { struct md *md; };

__attribute__((noinline)) static void dir_unlink(struct dir *d)
{
    lg_ref_put(d->entry, d);
    /* ... and again on the close path */
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
    lg_ref_get(m, f);
    lg_ref_put(m, NULL);
    dir_unlink(d);
    lg_ref_put(m, f); /* the file's last reference is still counted: no underflow */
    free(d);
    free(f);
    free(m);
    return 0;
}
