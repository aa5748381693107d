/* 04_nanos_unlink_close.c — Nanos on a VirtFS (9P) mount: the ordinary
 * temp-file pattern open(O_CREAT), unlink, close stopped the kernel with
 * "cannot get from unknown value".
 *
 * The bug: unlink freed the file's metadata (md) as soon as its last link
 * was gone, though an open file still used it; close, in p9_fsf_free(),
 * asked fs_file_is_busy() whether the file was watched and so read the
 * freed metadata.  The fix keeps Linux's semantics: an unlinked file that
 * is still open becomes an orphan, and its metadata dies with the last
 * close.
 *
 * The model: a 9P directory of metadata records, an fsfile (p9_fsf) per
 * open file holding its metadata, descriptors holding the fsfile, unlink
 * and close.  Freed metadata fails the tag check as in Nanos; the model
 * prints the kernel's message and carries on.  --bug frees at unlink.
 *
 * lifeguard should report, with --bug only:
 *   ref-freed-while-held  the metadata, freed in md_destroy from p9_unlink
 *                         while held by the p9_fsf (taken in p9_open)
 *   stale-pointer         free() in p9_fsf_free of the watch set pointer read
 *                         out of the freed metadata (free stack: p9_unlink)
 *   write-after-free      p9_fsf_free's write to it, seen when the block
 *                         leaves the quarantine (here: at exit)
 * and nothing in the fixed mode. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "seeds.h"

#define MD_TAG 0x7475706cu /* "tupl" */

struct p9_fsf;
/* glibc reuses a freed block's first 16 bytes; the pointers sit after them. */
struct fsfile_md {
    uint32_t tag, nlink;
    uint64_t qid;
    struct notify_set *watchers; /* NULL: nobody watches the file */
    char *name;
    struct p9_fsf *fsf;          /* weak: the open file, if any */
};
_Static_assert(offsetof(struct fsfile_md, watchers) >= 16, "watchers must survive glibc's free");

struct notify_set { int nwatches; };
struct p9_fsf { int refs; bool orphan; struct fsfile_md *md; char data[64]; size_t len; };
struct fdesc { int fd; struct p9_fsf *f; };
struct p9_dir { const char *path; struct fsfile_md *entries[4]; int n; };

static bool bug;

static NOINLINE void md_destroy(struct fsfile_md *md)
{
    free(md->watchers);
    free(md->name);
    free(md);
}

/* Reads the watch set out of the metadata, after Nanos's tag check. */
static NOINLINE bool fs_file_is_busy(struct fsfile_md *md)
{
    struct notify_set *watchers = md->watchers;
    if (md->tag != MD_TAG) say("fs_file_is_busy: cannot get from unknown value (md %p)", (void *)md);
    return watchers != NULL;
}

/* The last descriptor of the file is closed. */
static NOINLINE void p9_fsf_free(struct p9_fsf *f)
{
    struct fsfile_md *md = f->md;
    if (fs_file_is_busy(md)) {
        /* watches on a file end with its last close: IN_CLOSE, then gone */
        free(md->watchers);
        md->watchers = NULL;
    }
    lg_ref_put(md, f);
    if (f->orphan) md_destroy(md);
    else md->fsf = NULL;
    free(f);
}

static struct fsfile_md *p9_create(struct p9_dir *dir, const char *name)
{
    struct fsfile_md *md = calloc(1, sizeof(*md));
    md->tag = MD_TAG;
    md->nlink = 1;
    md->qid = 0x1d2e3f;
    md->name = strdup(name);
    seed_object_new(md, "fsfile_md", dir); /* the directory entry */
    dir->entries[dir->n++] = md;
    return md;
}

static NOINLINE struct fdesc *p9_open(struct p9_dir *dir, const char *name, int fdnum)
{
    struct fsfile_md *md = NULL;
    for (int i = 0; i < dir->n; i++)
        if (!strcmp(dir->entries[i]->name, name)) md = dir->entries[i];
    if (!md) md = p9_create(dir, name);
    struct fdesc *d = calloc(1, sizeof(*d));
    lg_object_new(d, "fdesc");
    d->fd = fdnum;
    struct p9_fsf *f = calloc(1, sizeof(*f));
    f->refs = 1;
    seed_object_new(f, "p9_fsf", d);
    f->md = md;
    lg_ref_get(md, f);
    md->fsf = f;
    d->f = f;
    return d;
}

static NOINLINE int p9_unlink(struct p9_dir *dir, const char *name)
{
    for (int i = 0; i < dir->n; i++) {
        struct fsfile_md *md = dir->entries[i];
        if (strcmp(md->name, name)) continue;
        dir->entries[i] = dir->entries[--dir->n];
        md->nlink = 0;
        lg_ref_put(md, dir);
        if (md->fsf && !bug) md->fsf->orphan = true; /* dies with its last close */
        else md_destroy(md);
        return 0;
    }
    return -ENOENT;
}

static NOINLINE void p9_close(struct fdesc *d)
{
    struct p9_fsf *f = d->f;
    lg_ref_put(f, d);
    if (--f->refs == 0) p9_fsf_free(f);
    lg_ref_put(d, NULL);
    free(d);
}

int main(int argc, char **argv)
{
    static const char *const known[] = {"--bug", NULL};
    if (!seed_args_ok(argc, argv, known)) return 2;
    bug = seed_flag(argc, argv, "--bug");
    say("nanos 9p create/unlink/close model (%s)", bug ? "bug: unlink frees the open file's metadata" : "fixed");

    struct p9_dir *tmp = calloc(1, sizeof(*tmp));
    lg_object_new(tmp, "p9_dir");
    tmp->path = "/tmp";
    const char *name = ".tmp123456";

    struct fdesc *d = p9_open(tmp, name, 3);
    say("open(\"/tmp/%s\", O_WRONLY|O_CREAT) = %d", name, d->fd);
    d->f->len = (size_t)snprintf(d->f->data, sizeof(d->f->data), "scratch data");
    say("write(%d, \"%s\", %zu)", d->fd, d->f->data, d->f->len);
    int err = p9_unlink(tmp, name);
    say("unlink(\"/tmp/%s\") = %d; fd %d still reads \"%s\"", name, err, d->fd, d->f->data);
    int fd = d->fd;
    p9_close(d);
    say("close(%d) = 0", fd);

    lg_ref_put(tmp, NULL);
    free(tmp);
    return 0;
}
