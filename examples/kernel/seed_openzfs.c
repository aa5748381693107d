/* seed_openzfs.c — the OpenZFS direct-I/O double release, in kernel mode
 * (the user-space model and the story: examples/seeds/03_openzfs_dio_double_release.c).
 *
 * A direct-I/O write pins the user's pages, one reference each held by the
 * request.  When its checksum verify fails, the buggy error path releases
 * them (zfs_uio_free_dio_pages) and the write's common exit releases them
 * again.  lifeguard reports (the buggy order):
 *   ref-put-unheld  the zero page, put by the dio request in
 *                   zfs_uio_free_dio_pages, which had already put it
 *   ref-underflow   a data page, when unmap_vma drops its mapping's
 *                   reference the double release already took */
#include "kernel.h"

#define NPAGES 4
#define PAGE_DATA 512 /* bytes modelled per page */
#define PG_reserved 0x1u

struct page { int refcount; unsigned flags; unsigned char data[PAGE_DATA]; };
struct vm_area { struct page *pages[NPAGES]; };
struct dio_request { struct page *pages[NPAGES]; };

static struct page *zero_page;

static struct page *alloc_page(unsigned flags, const void *holder)
{
    struct page *pg = kzalloc(sizeof(*pg));
    pg->refcount = 1;
    pg->flags = flags;
    kobj_new(pg, "page");
    if (holder) kref_move(pg, holder);
    return pg;
}

/* Inlined, as in Linux: reports name the function that releases the page. */
static inline __attribute__((always_inline)) void get_page(struct page *pg, const void *holder)
{
    pg->refcount++;
    kref_get(pg, holder);
}
static inline __attribute__((always_inline)) void put_page(struct page *pg, const void *holder)
{
    kref_put(pg, holder);
    if (pg->refcount > 0 && --pg->refcount == 0 && (pg->flags & PG_reserved))
        kprintf("BUG: Bad page state: freeing the reserved zero page\n");
}

static NOINLINE struct dio_request *zfs_uio_get_dio_pages_alloc(struct vm_area *vma)
{
    struct dio_request *dio = kzalloc(sizeof(*dio));
    kobj_new(dio, "dio_request");
    for (int i = 0; i < NPAGES; i++) {
        dio->pages[i] = vma->pages[i];
        get_page(dio->pages[i], dio); /* pin_user_pages */
    }
    return dio;
}

static NOINLINE void zfs_uio_free_dio_pages(struct dio_request *dio)
{
    for (int i = 0; i < NPAGES; i++) put_page(dio->pages[i], dio);
}

static unsigned checksum(struct page *const *pages)
{
    unsigned h = 2166136261u;
    for (int i = 0; i < NPAGES; i++)
        for (int b = 0; b < PAGE_DATA; b++) h = (h ^ pages[i]->data[b]) * 16777619u;
    return h;
}

static NOINLINE int zfs_dio_write(struct dio_request *dio)
{
    unsigned before = checksum(dio->pages);
    dio->pages[1]->data[7] ^= 0x5a; /* the program's other thread, mid-write */
    if (checksum(dio->pages) == before) return 0;
    kprintf("zfs: Direct I/O write checksum verify error, retrying buffered\n");
    if (seed_bug) zfs_uio_free_dio_pages(dio);
    return -5;
}

static NOINLINE void zfs_write(struct vm_area *vma)
{
    struct dio_request *dio = zfs_uio_get_dio_pages_alloc(vma);
    zfs_dio_write(dio);
    zfs_uio_free_dio_pages(dio);
    kref_put(dio, NULL);
    kfree(dio);
}

static NOINLINE void unmap_vma(struct vm_area *vma)
{
    for (int i = 1; i < NPAGES; i++) put_page(vma->pages[i], vma);
    kref_put(vma, NULL);
    kfree(vma);
}

void seed_openzfs_double_release(void)
{
    zero_page = alloc_page(PG_reserved, NULL); /* the kernel's own reference */
    struct vm_area *vma = kzalloc(sizeof(*vma));
    kobj_new(vma, "vm_area");
    vma->pages[0] = zero_page; /* never written: the zero page, no reference */
    struct page *data[NPAGES];
    for (int i = 1; i < NPAGES; i++) {
        data[i] = vma->pages[i] = alloc_page(0, vma);
        memset(data[i]->data, 'a' + i, PAGE_DATA);
    }
    kprintf("zfs: O_DIRECT write of %d pages, the first one the zero page\n", NPAGES);
    zfs_write(vma);
    unmap_vma(vma);
    if (zero_page->refcount != 1) {
        kprintf("zfs: zero page refcount %d: the kernel is tainted\n", zero_page->refcount);
        return;
    }
    kprintf("zfs: zero page refcount 1: clean\n");
    kref_put(zero_page, NULL);
    kfree(zero_page);
    for (int i = 1; i < NPAGES; i++) kfree(data[i]);
}
