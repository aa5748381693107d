/* seed_nanos.c — Nanos' unlink while open, in kernel mode (the user-space
 * model and the story: examples/seeds/04_nanos_unlink_close.c).
 *
 * unlink freed the file's metadata while an open file still used it; the
 * last close then read the freed metadata (fs_file_is_busy) and freed and
 * cleared its watch set.  lifeguard reports (the buggy order):
 *   ref-freed-while-held  the metadata, freed in md_destroy from p9_unlink
 *                         while the p9_fsf taken in p9_open holds it
 *   stale-pointer         kfree in p9_fsf_free of the watch-set pointer
 *                         read out of the freed metadata
 *   ref-put-after-free    p9_fsf_free's put on the destroyed metadata
 *   write-after-free      p9_fsf_free's write to the metadata, found when
 *                         it leaves the quarantine (here: at the end) */
#include "kernel.h"

#define MD_TAG 0x7475706cu /* "tupl" */

struct p9_fsf;
struct notify_set { int nwatches; };
struct fsfile_md {
    uint32_t tag, nlink;
    uint64_t qid;
    struct notify_set *watchers; /* NULL: nobody watches the file */
    char *name;
    struct p9_fsf *fsf; /* weak: the open file, if any */
};
struct p9_fsf { int refs; bool orphan; struct fsfile_md *md; };
struct fdesc { int fd; struct p9_fsf *f; };
struct p9_dir { struct fsfile_md *entries[4]; int n; };

static NOINLINE void md_destroy(struct fsfile_md *md)
{
    kfree(md->watchers);
    kfree(md->name);
    kfree(md);
}

static NOINLINE bool fs_file_is_busy(struct fsfile_md *md)
{
    struct notify_set *watchers = md->watchers;
    if (md->tag != MD_TAG) kprintf("fs_file_is_busy: cannot get from unknown value (md %p)\n", (void *)md);
    return watchers != NULL;
}

static NOINLINE void p9_fsf_free(struct p9_fsf *f)
{
    struct fsfile_md *md = f->md;
    if (fs_file_is_busy(md)) {
        kfree(md->watchers); /* watches end with the last close */
        md->watchers = NULL;
    }
    kref_put(md, f);
    if (f->orphan) md_destroy(md);
    else md->fsf = NULL;
    kfree(f);
}

static NOINLINE struct fdesc *p9_open(struct p9_dir *dir, const char *name, int fdnum)
{
    struct fsfile_md *md = kzalloc(sizeof(*md));
    md->tag = MD_TAG;
    md->nlink = 1;
    md->qid = 0x1d2e3f;
    size_t n = kstrlen(name) + 1;
    md->name = kmalloc(n);
    memcpy(md->name, name, n);
    kobj_new(md, "fsfile_md");
    kref_move(md, dir); /* the directory entry */
    dir->entries[dir->n++] = md;

    struct fdesc *d = kzalloc(sizeof(*d));
    kobj_new(d, "fdesc");
    d->fd = fdnum;
    struct p9_fsf *f = kzalloc(sizeof(*f));
    f->refs = 1;
    kobj_new(f, "p9_fsf");
    kref_move(f, d);
    f->md = md;
    kref_get(md, f);
    md->fsf = f;
    d->f = f;
    return d;
}

static NOINLINE int p9_unlink(struct p9_dir *dir, const char *name)
{
    for (int i = 0; i < dir->n; i++) {
        struct fsfile_md *md = dir->entries[i];
        if (kstrcmp(md->name, name)) continue;
        dir->entries[i] = dir->entries[--dir->n];
        md->nlink = 0;
        kref_put(md, dir);
        if (md->fsf && !seed_bug) md->fsf->orphan = true; /* dies with its last close */
        else md_destroy(md);
        return 0;
    }
    return -2;
}

static NOINLINE void p9_close(struct fdesc *d)
{
    struct p9_fsf *f = d->f;
    kref_put(f, d);
    if (--f->refs == 0) p9_fsf_free(f);
    kref_put(d, NULL);
    kfree(d);
}

void seed_nanos_unlink_close(void)
{
    struct p9_dir *tmp = kzalloc(sizeof(*tmp));
    kobj_new(tmp, "p9_dir");
    const char *name = ".tmp123456";
    struct fdesc *d = p9_open(tmp, name, 3);
    kprintf("nanos: open(\"/tmp/%s\", O_CREAT) = %d\n", name, d->fd);
    int err = p9_unlink(tmp, name);
    kprintf("nanos: unlink(\"/tmp/%s\") = %d\n", name, err);
    int fd = d->fd;
    p9_close(d);
    kprintf("nanos: close(%d) = 0\n", fd);
    kref_put(tmp, NULL);
    kfree(tmp);
}
