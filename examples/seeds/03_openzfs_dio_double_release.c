/* 03_openzfs_dio_double_release.c — OpenZFS: running MongoDB, the kernel
 * reported "BUG: Bad page state": a page being freed had refcount 0 yet
 * still carried the reserved flag, from the direct-I/O write path
 * (zfs_uio_free_dio_pages).
 *
 * The bug: a direct-I/O write pins the user's pages (one reference each,
 * held by the request) and releases them in zfs_uio_free_dio_pages().  When
 * the write fails and falls back to a buffered retry, the error path
 * releases the pinned pages, and the write's common exit releases them
 * again: each page loses a reference the request no longer holds.  For the
 * shared zero page (reserved, mapped where the buffer was never written)
 * that drops the count to 0, and freeing it trips the reserved-flag check.
 *
 * The model: struct pages with a count and flags, a vm_area mapping a
 * 16 KiB user buffer (the zero page, then three written pages), a dio request
 * pinning them, a write whose checksum verify fails because the program
 * changes its buffer in flight, and the buffered retry.  --bug releases
 * the pages on the error path too.
 *
 * lifeguard should report, with --bug only, at the put that comes before
 * the model's own "BUG: Bad page state": ref-put-unheld of the zero page by
 * the dio request, this put in zfs_uio_free_dio_pages from zfs_write, the
 * request's earlier put in zfs_uio_free_dio_pages from zfs_dio_write; then
 * ref-underflow when munmap drops the data pages the double release already
 * freed.  Nothing in the fixed mode. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "seeds.h"

#define PAGE_SIZE 4096
#define NPAGES 4
#define PG_reserved 0x1u
#define PG_buddy 0x2u

struct page { int refcount; unsigned flags; unsigned long pfn; unsigned char data[PAGE_SIZE]; };
struct vm_area { struct page *pages[NPAGES]; int npages; };
struct dio_request { struct page **pages; int npages; };
struct dnode { const char *path; unsigned char data[NPAGES * PAGE_SIZE]; size_t size; };

static bool bug;
static struct page *mem_map[NPAGES + 1];
static int nr_pages;
static struct page *zero_page;

/* ---- the page allocator ---- */
static struct page *alloc_page(unsigned flags, const void *holder)
{
    struct page *pg = calloc(1, sizeof(*pg));
    pg->refcount = 1;
    pg->flags = flags;
    pg->pfn = 0x1a2b0 + (unsigned long)nr_pages;
    seed_object_new(pg, "page", holder);
    mem_map[nr_pages++] = pg;
    return pg;
}

static void bad_page(const struct page *pg, const char *reason)
{
    say("BUG: Bad page state in process mongod  pfn:%05lx", pg->pfn);
    say("page: refcount:%d mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x%lx", pg->refcount, pg->pfn);
    say("flags: 0x%x(%s)", pg->flags, pg->flags & PG_reserved ? "reserved" : "");
    say("page dumped because: %s", reason);
}

/* Back to the free lists, unless the page must never be freed. */
static void free_the_page(struct page *pg)
{
    if (pg->flags & PG_reserved) {
        bad_page(pg, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
        return; /* the kernel taints itself and leaks the page */
    }
    pg->flags |= PG_buddy;
}

static void get_page(struct page *pg, const void *holder) { pg->refcount++; lg_ref_get(pg, holder); }
static void put_page(struct page *pg, const void *holder)
{
    lg_ref_put(pg, holder);
    if (pg->refcount <= 0) return; /* already free: the kernel would corrupt its free lists */
    if (--pg->refcount == 0) free_the_page(pg);
}

/* ---- direct I/O ---- */
static NOINLINE struct dio_request *zfs_uio_get_dio_pages_alloc(struct vm_area *vma)
{
    struct dio_request *dio = calloc(1, sizeof(*dio));
    lg_object_new(dio, "dio_request");
    dio->npages = NPAGES;
    dio->pages = calloc(NPAGES, sizeof(*dio->pages));
    for (int i = 0; i < NPAGES; i++) {
        dio->pages[i] = vma->pages[i];
        get_page(dio->pages[i], dio); /* pin_user_pages */
    }
    return dio;
}

static NOINLINE void zfs_uio_free_dio_pages(struct dio_request *dio)
{
    for (int i = 0; i < dio->npages; i++) put_page(dio->pages[i], dio);
}

static NOINLINE void unmap_vma(struct vm_area *vma)
{
    for (int i = 1; i < vma->npages; i++) put_page(vma->pages[i], vma);
    lg_ref_put(vma, NULL);
    free(vma);
}

static uint64_t checksum(struct page *const *pages)
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < NPAGES; i++)
        for (int b = 0; b < PAGE_SIZE; b++) h = (h ^ pages[i]->data[b]) * 1099511628211ull;
    return h;
}

/* Writes straight from the pinned pages, then verifies the checksum: the
 * program changed its buffer meanwhile, so the block must be rewritten. */
static NOINLINE int zfs_dio_write(struct dnode *dn, struct dio_request *dio)
{
    uint64_t before = checksum(dio->pages);
    for (int i = 0; i < NPAGES; i++) memcpy(dn->data + i * PAGE_SIZE, dio->pages[i]->data, PAGE_SIZE);
    dio->pages[1]->data[7] ^= 0x5a; /* mongod's other thread, mid-write */
    if (checksum(dio->pages) == before) return 0;
    say("zfs: %s: Direct I/O write checksum verify error, retrying buffered", dn->path);
    if (bug) zfs_uio_free_dio_pages(dio);
    return EIO;
}

static void zfs_buffered_write(struct dnode *dn, struct vm_area *vma)
{
    for (int i = 0; i < NPAGES; i++) memcpy(dn->data + i * PAGE_SIZE, vma->pages[i]->data, PAGE_SIZE);
}

static NOINLINE void zfs_write(struct dnode *dn, struct vm_area *vma)
{
    struct dio_request *dio = zfs_uio_get_dio_pages_alloc(vma);
    say("zfs: O_DIRECT pwrite of %d bytes to %s: %d user pages pinned", NPAGES * PAGE_SIZE, dn->path, NPAGES);
    if (zfs_dio_write(dn, dio) != 0) zfs_buffered_write(dn, vma);
    dn->size = NPAGES * PAGE_SIZE;
    zfs_uio_free_dio_pages(dio);
    free(dio->pages);
    lg_ref_put(dio, NULL);
    free(dio);
}

int main(int argc, char **argv)
{
    static const char *const known[] = {"--bug", NULL};
    if (!seed_args_ok(argc, argv, known)) return 2;
    bug = seed_flag(argc, argv, "--bug");
    say("openzfs direct-I/O model (%s)", bug ? "bug: error path releases the pinned pages too" : "fixed");

    zero_page = alloc_page(PG_reserved, NULL); /* the kernel's own reference */
    struct vm_area *vma = calloc(1, sizeof(*vma));
    lg_object_new(vma, "vm_area");
    vma->npages = NPAGES;
    vma->pages[0] = zero_page; /* never written: the zero page, no reference */
    for (int i = 1; i < NPAGES; i++) {
        vma->pages[i] = alloc_page(0, vma);
        memset(vma->pages[i]->data, 'a' + i, PAGE_SIZE);
    }
    say("mongod: mmap 16 KiB buffer; the 1st page maps the zero page, 3 pages written");

    struct dnode *dn = calloc(1, sizeof(*dn));
    dn->path = "/tank/db/collection-7.wt";
    zfs_write(dn, vma);
    bool same = true;
    for (int i = 0; i < NPAGES; i++) same &= !memcmp(dn->data + i * PAGE_SIZE, vma->pages[i]->data, PAGE_SIZE);
    say("zfs: %zu bytes written, %s the buffer", dn->size, same ? "matching" : "NOT matching");

    say("mongod: munmap");
    unmap_vma(vma);
    free(dn);

    if (zero_page->refcount != 1) {
        say("zero page refcount %d: the kernel is tainted, mem_map is left as it is", zero_page->refcount);
        return 0;
    }
    say("zero page refcount 1: clean");
    lg_ref_put(zero_page, NULL); /* power off */
    for (int i = 0; i < nr_pages; i++) free(mem_map[i]);
    return 0;
}
