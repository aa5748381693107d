/* rt_malloc_fork.c — which of a forked child's inherited heap pages changed.
 *
 * After fork() the parent's private pages are shared copy-on-write: a page
 * that neither process has written since is still mapped by both, and
 * /proc/self/pagemap shows it without the "exclusively mapped" bit.  A
 * child's exit checks use that to skip what it inherited unchanged (the
 * parent's quarantine and live blocks, whose poison and redzones are the
 * parent's to verify), so a short-lived child pays for the memory it wrote,
 * not for its parent's heap.  A page either process wrote (the child's
 * write after free into a block freed before the fork), one swapped out or
 * absent, and every page once the parent has exited (nothing is shared any
 * more) count as changed, and are verified as before.  Runs at exit only;
 * raw system calls, memory from lg_pal_map. */
#include "rt_internal.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PM_PRESENT (1ull << 63)
#define PM_EXCLUSIVE (1ull << 56)
#define WINDOW_PAGES 64u /* pagemap entries read at once: 256 KiB of address space, 512 bytes */
#define WINDOW_BITS 10u
#define WINDOWS (1u << WINDOW_BITS) /* cached windows, by a hash of their address */

/* The bases apart from the entries: a miss reads a base (8 KiB of them in
 * all) and writes the entries, so each page of entries faults in once, as
 * it is written (a window with its base beside its entries was first read
 * as the zero page, then written: two faults); and a child that asks about
 * a few pages reads a few hundred bytes of pagemap, not 4 KiB. */
typedef struct pagemap_windows {
    uintptr_t base[WINDOWS]; /* first page's address + 1; 0: empty */
    uint64_t entries[WINDOWS][WINDOW_PAGES];
} pagemap_windows;

static pagemap_windows *windows;
static int pagemap_fd = -1;
static bool unreadable; /* no pagemap: everything counts as changed */
static size_t page;

static bool open_pagemap(void)
{
    if (unreadable) return false;
    if (windows) return true;
    page = lg_pal_page_size();
    windows = lg_pal_map(sizeof(pagemap_windows));
    pagemap_fd = (int)syscall(SYS_openat, (long)AT_FDCWD, "/proc/self/pagemap", (long)(O_RDONLY | O_CLOEXEC));
    if (!windows || pagemap_fd < 0) unreadable = true;
    return !unreadable;
}

static const uint64_t *window_of(uintptr_t base)
{
    uint32_t w = (uint32_t)(((base / (WINDOW_PAGES * page)) * 0x9e3779b97f4a7c15ull) >> (64 - WINDOW_BITS));
    if (windows->base[w] == base + 1) return windows->entries[w];
    long n = syscall(SYS_pread64, (long)pagemap_fd, (long)windows->entries[w], (long)sizeof(windows->entries[w]),
                     (long)(base / page * sizeof(uint64_t)));
    if (n != (long)sizeof(windows->entries[w])) {
        windows->base[w] = 0;
        return NULL;
    }
    windows->base[w] = base + 1;
    return windows->entries[w];
}

bool rt_fork_changed(uintptr_t lo, uintptr_t hi)
{
    if (hi <= lo) return false;
    if (!open_pagemap()) return true;
    size_t span = WINDOW_PAGES * page;
    uintptr_t p = lo & ~(uintptr_t)(page - 1);
    while (p < hi) {
        uintptr_t base = p & ~(uintptr_t)(span - 1), end = hi < base + span ? hi : base + span;
        const uint64_t *e = window_of(base);
        if (!e) return true;
        for (size_t i = (p - base) / page; base + i * page < end; i++)
            if (!(e[i] & PM_PRESENT) || (e[i] & PM_EXCLUSIVE)) return true;
        p = base + span;
    }
    return false;
}
