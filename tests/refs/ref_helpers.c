// Refcount helpers named as the kernel names them (dget, dput, iput,
// igrab, __iget, blk_get_queue, Py_DECREF), one marked with
// LG_REFCOUNT_HELPER and one listed in the ref_helpers option: each leaked
// reference is attributed to the caller of the helper, never the helper.
// OPTIONS: ref_helpers=pin_page
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: mount_fs
// EXPECT-OBJECT: Dentry#1
// EXPECT-TEXT: reference acquired in mount_fs not released
// EXPECT-NO-TEXT: acquired in dget
// EXPECT-NO-TEXT: acquired in __iget
// EXPECT-NO-TEXT: acquired in igrab
// EXPECT-NO-TEXT: acquired in blk_get_queue
// EXPECT-NO-TEXT: acquired in Py_INCREF
// EXPECT-NO-TEXT: acquired in take_widget
// EXPECT-NO-TEXT: acquired in pin_page
// EXPECT-KIND: ref-leak
// EXPECT-OBJECT: Inode#1
// EXPECT-TEXT: reference acquired in open_inode not released
// EXPECT-TEXT: reference acquired in lookup_inode not released
// EXPECT-KIND: ref-leak
// EXPECT-OBJECT: Queue#1
// EXPECT-TEXT: reference acquired in probe_disk not released
// EXPECT-KIND: ref-leak
// EXPECT-OBJECT: PyObject#1
// EXPECT-TEXT: reference acquired in call_method not released
// EXPECT-KIND: ref-leak
// EXPECT-OBJECT: Widget#1
// EXPECT-TEXT: reference acquired in show_widget not released
// EXPECT-KIND: ref-leak
// EXPECT-OBJECT: Page#1
// EXPECT-TEXT: reference acquired in map_page not released
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

#define HELPER __attribute__((noinline))
#define SITE __attribute__((noinline))

static char dentry, inode, queue, pyobj, widget, page;
static volatile int calls; /* keeps the helpers distinct (no identical code folding) */

HELPER void dget(void *d) { calls += 1; lg_ref_get(d, NULL); }
HELPER void dput(void *d) { calls += 2; lg_ref_put(d, NULL); }
HELPER void __iget(void *i) { calls += 3; lg_ref_get(i, NULL); }
HELPER void igrab(void *i) { calls += 4; __iget(i); }
HELPER void iput(void *i) { calls += 5; lg_ref_put(i, NULL); }
HELPER void blk_get_queue(void *q) { calls += 6; lg_ref_get(q, NULL); }
HELPER void Py_INCREF(void *o) { calls += 7; lg_ref_get(o, NULL); }
HELPER void take_widget(void *w) { calls += 8; lg_ref_get(w, NULL); }
LG_REFCOUNT_HELPER(take_widget);
HELPER void pin_page(void *p) { calls += 9; lg_ref_get(p, NULL); }

SITE static void mount_fs(void) { dget(&dentry); calls++; /* no sibling call */ }
SITE static void open_inode(void) { igrab(&inode); calls++; /* no sibling call */ }
SITE static void lookup_inode(void) { __iget(&inode); calls++; /* no sibling call */ }
SITE static void probe_disk(void) { blk_get_queue(&queue); calls++; /* no sibling call */ }
SITE static void call_method(void) { Py_INCREF(&pyobj); calls++; /* no sibling call */ }
SITE static void show_widget(void) { take_widget(&widget); calls++; /* no sibling call */ }
SITE static void map_page(void) { pin_page(&page); calls++; /* no sibling call */ }

int main(void)
{
    lg_object_new(&dentry, "Dentry");
    lg_object_new(&inode, "Inode");
    lg_object_new(&queue, "Queue");
    lg_object_new(&pyobj, "PyObject");
    lg_object_new(&widget, "Widget");
    lg_object_new(&page, "Page");
    mount_fs();
    open_inode();
    lookup_inode();
    probe_disk();
    call_method();
    show_widget();
    map_page();
    dput(&dentry); /* the creation reference of each; the gets above leak */
    iput(&inode);
    lg_ref_put(&queue, NULL);
    lg_ref_put(&pyobj, NULL);
    lg_ref_put(&widget, NULL);
    lg_ref_put(&page, NULL);
    return 0;
}
