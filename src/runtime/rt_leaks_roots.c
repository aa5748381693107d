/* rt_leaks_roots.c — where the program can keep pointers: the roots.
 *
 * Valgrind's rule rather than LeakSanitizer's: every readable, writable,
 * private (or anonymous shared) mapping of /proc/self/maps is a root — the
 * data and bss of every module, every thread's stack with its static TLS and
 * thread descriptor (glibc puts both at the top of the stack mapping; the
 * main thread's come from the loader's own allocator), the DTV and dynamic
 * TLS (allocated with malloc, so reached through the descriptor), memory the
 * program mapped itself (custom allocators, CPython's arenas) — except:
 *   - the runtime's own module and its lg_pal_map mappings (metadata, stack
 *     depot, tables that hold block addresses),
 *   - the heap itself (its blocks are scanned only once reached),
 *   - below a stopped thread's stack pointer (dead frames), keeping the
 *     128-byte red zone; the caller's own frames below its entry,
 *   - shared file mappings and devices (may not be memory at all).
 * Code a JIT wrote (anonymous executable mappings) is a root too, read at
 * every byte offset.  Then the registers of every stopped thread (general and vector) and of
 * the caller. */
#include "rt_leaks.h"


#define OWN_MAX 4096
#define RED_ZONE 128

static uintptr_t (*own)[2];
static size_t own_count;

static bool starts_with(const char *s, const char *prefix)
{
    return lg_str_eq_n(s, prefix, lg_str_len(prefix));
}

/* Scans [lo, hi): rt_mark_range reads only what can be read, and skips the
 * pages of a long range that were never touched (rt_leaks_read.c); in a
 * forked child, only the pages changed since the fork. */
static void scan_piece(uintptr_t lo, uintptr_t hi)
{
    if (lo >= hi) return;
    if (lg_opt.verbosity >= 3) lg_log("leak roots: 0x%lx-0x%lx\n", (unsigned long)lo, (unsigned long)hi);
    rt_mark_changed(lo, hi);
}

/* The stack pointer of a stopped thread (or the caller) inside [lo, hi). */
static bool stack_in(const rt_world *w, uintptr_t self_sp, uintptr_t lo, uintptr_t hi, uintptr_t *sp)
{
    if (self_sp >= lo && self_sp < hi) {
        *sp = self_sp;
        return true;
    }
    for (uint32_t i = 0; w->threads && i < w->count; i++) {
        const rt_world_thread *t = &w->threads[i];
        if (t->stopped && t->sp >= lo && t->sp < hi) {
            *sp = t->sp - RED_ZONE > lo ? t->sp - RED_ZONE : lo;
            return true;
        }
    }
    return false;
}

/* Scans [lo, hi) minus the runtime's mappings, the heap and dead stack.
 * The guarded tier's range too: with guard markers it is read-write in
 * the maps (and may share a line with a mapping beside it) while its
 * freed and unused slots fault. */
static void scan_root(const rt_world *w, uintptr_t self_sp, uintptr_t lo, uintptr_t hi)
{
    uintptr_t heap_lo, heap_hi, guard_lo, guard_hi;
    lg_heap_range(&heap_lo, &heap_hi);
    lg_guard_range(&guard_lo, &guard_hi);
    while (lo < hi) {
        /* The first excluded range that overlaps [lo, hi), if any. */
        uintptr_t cut_lo = hi, cut_hi = hi;
        if (heap_lo < hi && heap_hi > lo) cut_lo = heap_lo, cut_hi = heap_hi;
        if (guard_lo < hi && guard_hi > lo && guard_lo < cut_lo) cut_lo = guard_lo, cut_hi = guard_hi;
        for (size_t i = 0; i < own_count; i++)
            if (own[i][0] < hi && own[i][1] > lo && own[i][0] < cut_lo) cut_lo = own[i][0], cut_hi = own[i][1];
        if (cut_lo <= lo) {
            lo = cut_hi;
            continue;
        }
        uintptr_t piece_hi = cut_lo < hi ? cut_lo : hi;
        uintptr_t sp;
        if (stack_in(w, self_sp, lo, piece_hi, &sp)) scan_piece(sp, piece_hi);
        else scan_piece(lo, piece_hi);
        lo = piece_hi;
    }
}

static bool is_own_module(uintptr_t lo)
{
    return rt_is_own_pc(lo);
}

/* A large block's pages (or its guards): the heap, not a root. */
static bool is_heap_mapping(uintptr_t lo)
{
    lg_block b;
    return lg_heap_may_hold(lo) && lg_heap_find_locked(lo, &b);
}

/* Code a JIT compiled into memory it mapped (HotSpot's code cache, V8's,
 * LuaJIT's): anonymous or memfd, executable.  Such code holds constants as
 * instruction immediates — HotSpot's inline caches keep a malloc'd holder
 * only there — so it is read at every byte offset.  Writable or not: a JIT
 * that keeps W^X flips its pages to r-x.  A mapping holding a stack
 * (an executable stack) is a stack. */
static bool is_jit_code(const rt_world *w, uintptr_t self_sp, const rt_map_line *m)
{
    uintptr_t sp;
    if (m->perms[0] != 'r' || m->perms[2] != 'x') return false;
    bool anon = m->anonymous && (m->path[0] != '[' || starts_with(m->path, "[anon:"));
    if (!anon && !starts_with(m->path, "/memfd:")) return false;
    return !stack_in(w, self_sp, m->lo, m->hi, &sp);
}

static bool scan_maps(const rt_world *w, uintptr_t self_sp)
{
    const char *text = rt_mem_maps_text();
    if (!text || !*text) return false;
    /* The runtime's mappings, the snapshot and the table included. */
    own_count = lg_pal_own_maps(own, OWN_MAX);
    for (const char *line = text; *line;) {
        rt_map_line m;
        line = rt_maps_line(line, &m);
        const char *path = m.path;
        if (is_jit_code(w, self_sp, &m)) {
            if (!is_own_module(m.lo) && !is_heap_mapping(m.lo)) rt_mark_range_unaligned(m.lo, m.hi);
            continue;
        }
        if (m.perms[0] != 'r' || m.perms[1] != 'w') continue;
        if (m.perms[3] == 's' && !m.anonymous && !starts_with(path, "/dev/zero") && !starts_with(path, "/dev/shm/") &&
            !starts_with(path, "/memfd:"))
            continue;
        if (starts_with(path, "/dev/") && !starts_with(path, "/dev/zero") && !starts_with(path, "/dev/shm/")) continue;
        if (starts_with(path, "[vvar") || starts_with(path, "[vsyscall")) continue;
        if (is_own_module(m.lo) || is_heap_mapping(m.lo)) continue;
        scan_root(w, self_sp, m.lo, m.hi);
    }
    return true;
}

/* A thread running on a stack it took from the heap (pthread_attr_setstack
 * with malloc'd memory): that block is a stack, scanned from sp up. */
static void heap_stack(uintptr_t sp)
{
    lg_block b;
    if (!lg_heap_may_hold(sp) || !lg_heap_find_live_locked(sp, &b)) return;
    uintptr_t lo = sp - RED_ZONE > b.user ? sp - RED_ZONE : b.user;
    rt_mark_range(lo, b.user + b.size);
}

bool rt_roots_mark(const rt_world *w, uintptr_t self_sp, const uintptr_t *self_regs, size_t nregs)
{
    own = lg_pal_map(OWN_MAX * sizeof(*own));
    if (!own) return false;
    if (!scan_maps(w, self_sp)) {
        lg_pal_unmap(own, OWN_MAX * sizeof(*own));
        own = NULL;
        return false;
    }
    rt_mark_words(self_regs, nregs);
    heap_stack(self_sp);
    for (uint32_t i = 0; w->threads && i < w->count; i++) {
        const rt_world_thread *t = &w->threads[i];
        if (!t->stopped) continue;
        rt_mark_words(t->regs, RT_WORLD_REGS);
        rt_mark_words(t->vregs, RT_WORLD_VREGS);
        heap_stack(t->sp);
    }
    /* In a forked child, what the parent had allocated is the parent's:
     * the threads that held some of it did not come along, and the child
     * did not lose it.  It is not marked (rt_leaks_mark.c): what it holds
     * of the child's is found on its changed pages. */
    rt_mark_from_inherited();
    rt_mark_drain();
    lg_pal_unmap(own, OWN_MAX * sizeof(*own));
    own = NULL;
    own_count = 0;
    return true;
}
