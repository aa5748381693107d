/* rt_leaks.c — the leak scan: at exit and on demand (lg_leak_check()).
 *
 * The order matters more than anything else here:
 *   1. take every heap lock, so no thread is stopped holding one (a thread
 *      that wants one now waits, and is stopped waiting);
 *   2. stop every other thread (rt_leaks_world.c);
 *   3. mark from the roots (rt_leaks_roots.c), then group what is left and
 *      clear the marks (rt_leaks_mark.c) — nothing in 3 takes a lock, calls
 *      the loader or allocates from the heap;
 *   4. let the threads go, release the heap;
 *   5. report (symbolizing takes the loader's and the report's locks,
 *      which stopped threads might have held during 3).
 * Leaks are reported once: blocks found leaked are flagged, and a later
 * scan reports only stacks with new ones. */
#include "rt_leaks.h"
#include "../core/lg_suppress.h"

#define HEAP_LOCK_WAIT_NS (5ull * 1000000000ull) /* the longest the scan waits for a heap lock */

static lg_lock_t scan_lock = LG_LOCK_INIT;
static bool defaults_added;

/* Allocations glibc and the loader make once and keep where no scan can see
 * them (or deliberately drop at exit). */
static const char *const default_suppressions[] = {
    "_dl_allocate_tls",      /* the DTV and TLS blocks of threads, kept by the loader */
    "_dl_new_object",        /* link maps of dlopen'd libraries */
    "_dl_map_object",
    "_dl_map_object_deps",
    "_dl_check_map_versions",
    "_dl_open",
    "dl_open_worker",
    "_dl_catch_error",
    "__libc_dlopen_mode",
    "_dlerror_run",
    "nss_*",                 /* NSS modules, loaded once */
    "__nss_*",
    "setlocale",             /* locale data, kept for the process's life */
    "_nl_*",
    "__tzfile_read",         /* time zone data */
    "tzset_internal",
};

static void add_default_suppressions(void)
{
    if (defaults_added || !lg_opt.default_suppressions) return;
    defaults_added = true;
    lg_report_lock(); /* findings read the rules under this lock */
    for (size_t i = 0; i < LG_ARRAY_LEN(default_suppressions); i++) lg_suppress_add("leak", default_suppressions[i]);
    lg_report_unlock();
}

static size_t scan(uintptr_t self_sp, const uintptr_t *regs, size_t nregs)
{
    if (!rt_heap_on || !lg_heap_ready() || rt_state < 2) return 0;
    rt_busy++;
    lg_lock(&scan_lock);
    /* A forked child with no block of its own alive has nothing to leak:
     * what it inherited is the parent's (rt_leaks_roots.c). */
    if (rt_inherited_below && !lg_heap_any_live_born_since(rt_inherited_below)) {
        lg_unlock(&scan_lock);
        rt_busy--;
        return 0;
    }
    add_default_suppressions();
    uint64_t started = lg_pal_now_ns();

    /* Static: the tracer writes into it, and a tracer that outlived its
     * bounded waits must not write into a dead stack frame. */
    static rt_world w;
    rt_leak_result res;
    lg_mem_set(&res, 0, sizeof(res));
    uint64_t scanned_bytes = 0;
    bool ready = rt_mark_init();
    /* Bounded: a thread stopped inside the allocator (by a debugger, or a
     * signal handler that blocks) would hold its lock for ever. */
    bool locked = ready && lg_heap_lock_all_within(HEAP_LOCK_WAIT_NS);
    bool ok = locked;
    if (ok) {
        rt_world_stop(&w);
        /* What can be read is known only once nothing else runs. */
        ok = rt_mem_begin() && rt_roots_mark(&w, self_sp, regs, nregs);
        if (ok) rt_leaks_collect(&res);
        else rt_mark_clear_all();
        scanned_bytes = rt_mem_bytes_read();
        rt_mem_end();
        rt_world_resume(&w);
        lg_heap_unlock_all();
    }
    rt_mark_fini();

    size_t fresh = 0;
    if (ok) {
        if (lg_opt.verbosity)
            lg_log("==%u==lifeguard: leak scan: %llu leaked blocks (%llu new), %llu reachable; %u threads stopped, %u not%s%s; %llu us\n",
                   lg_pal_pid(), (unsigned long long)res.leaked_blocks, (unsigned long long)res.fresh_blocks,
                   (unsigned long long)res.reachable_blocks, w.stopped, w.not_stopped, w.why ? ": " : "", w.why ? w.why : "",
                   (unsigned long long)((lg_pal_now_ns() - started) / 1000));
        fresh = rt_leaks_report(&res, &w);
        lg_report_summary_u64("leak_scan_us", (lg_pal_now_ns() - started) / 1000);
        lg_report_summary_u64("leak_scan_bytes", scanned_bytes);
    } else if (ready && !locked) {
        lg_log("==%u==lifeguard: leak scan skipped: a heap lock stayed taken for %u s (a thread stopped inside the "
               "allocator?); no leak reported\n",
               lg_pal_pid(), (unsigned)(HEAP_LOCK_WAIT_NS / 1000000000ull));
        lg_report_summary_u64("leak_scan_skipped", 1);
    } else {
        lg_log("==%u==lifeguard: the leak scan could not read its roots; no leak reported\n", lg_pal_pid());
    }
    rt_leaks_result_free(&res);
    lg_unlock(&scan_lock);
    rt_busy--;
    lg_report_flush();
    return fresh;
}

/* Both entry points save the caller's registers and scan the caller's
 * stack from the caller's stack pointer up: the scan's own frames are not
 * roots (the registers they saved are in regs).  At exit, from where the
 * exit began: below it lie the exit path's frames over dead ones. */
#define STACK_MAX (64ull << 20) /* farther than this above sp: not the same stack */

static uintptr_t caller_sp(uintptr_t frame)
{
    return frame + 2 * sizeof(uintptr_t); /* saved rbp, return address */
}

__attribute__((noinline)) size_t lg_leaks_check_now(void)
{
    uintptr_t regs[RT_SAVED_REGS];
    rt_save_callee_saved(regs);
    if (!lg_opt.leaks) return 0;
    size_t n = scan(caller_sp((uintptr_t)__builtin_frame_address(0)), regs, RT_SAVED_REGS);
    __asm__ volatile("" : : "r"(regs) : "memory"); /* keep regs (and the frame) alive across the scan */
    return n;
}

__attribute__((noinline)) size_t lg_leaks_at_exit(void)
{
    uintptr_t regs[2 * RT_SAVED_REGS];
    rt_save_callee_saved(regs);
    size_t nregs = RT_SAVED_REGS;
    uintptr_t sp = caller_sp((uintptr_t)__builtin_frame_address(0));
    uintptr_t began = rt_exit_sp(regs + RT_SAVED_REGS);
    if (began > sp && began - sp < STACK_MAX) {
        sp = began;
        nregs = 2 * RT_SAVED_REGS;
    }
    size_t n = scan(sp, regs, nregs);
    __asm__ volatile("" : : "r"(regs) : "memory");
    return n;
}

/* check_at_exit reads every live block's redzones: only those the snapshot
 * says are readable (a page of a block the program made PROT_NONE would
 * fault with the exit half done). */
void rt_leaks_check_heap_at_exit(void)
{
    lg_lock(&scan_lock);
    bool snapshot = rt_mem_begin();
    lg_heap_check_all_where(snapshot ? rt_mem_readable : NULL);
    if (snapshot) rt_mem_end();
    lg_unlock(&scan_lock);
}
