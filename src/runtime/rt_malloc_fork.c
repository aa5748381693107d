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
#define WINDOW_PAGES 512u /* pagemap entries read at once: 2 MiB of address space */
#define WINDOWS 1024u     /* cached windows, by a hash of their address (4 MiB, touched as used) */

typedef struct pagemap_window {
    uintptr_t base; /* first page's address; 0: empty */
    uint64_t entries[WINDOW_PAGES];
} pagemap_window;

static pagemap_window *windows;
static int pagemap_fd = -1;
static bool unreadable; /* no pagemap: everything counts as changed */
static size_t page;

static bool open_pagemap(void)
{
    if (unreadable) return false;
    if (windows) return true;
    page = lg_pal_page_size();
    windows = lg_pal_map(WINDOWS * sizeof(pagemap_window));
    pagemap_fd = (int)syscall(SYS_openat, (long)AT_FDCWD, "/proc/self/pagemap", (long)(O_RDONLY | O_CLOEXEC));
    if (!windows || pagemap_fd < 0) unreadable = true;
    return !unreadable;
}

static const uint64_t *window_of(uintptr_t base)
{
    pagemap_window *w = &windows[((base / (WINDOW_PAGES * page)) * 0x9e3779b97f4a7c15ull) >> 54];
    _Static_assert(WINDOWS == 1024, "the hash keeps 10 bits");
    if (w->base == base) return w->entries;
    long n = syscall(SYS_pread64, (long)pagemap_fd, (long)w->entries, (long)sizeof(w->entries),
                     (long)(base / page * sizeof(uint64_t)));
    if (n != (long)sizeof(w->entries)) {
        w->base = 0;
        return NULL;
    }
    w->base = base;
    return w->entries;
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
