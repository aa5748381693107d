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

/* The callee-saved registers of the caller, into regs (the others are dead
 * across the call). */
#define SAVED_REGS 6
static inline __attribute__((always_inline)) void save_registers(uintptr_t *regs)
{
    __asm__ volatile("movq %%rbx, 0(%0)\n\tmovq %%rbp, 8(%0)\n\tmovq %%r12, 16(%0)\n\t"
                     "movq %%r13, 24(%0)\n\tmovq %%r14, 32(%0)\n\tmovq %%r15, 40(%0)"
                     :
                     : "r"(regs)
                     : "memory");
}

static size_t scan(uintptr_t self_sp, const uintptr_t *regs)
{
    if (!rt_heap_on || !lg_heap_ready() || rt_state < 2) return 0;
    rt_busy++;
    lg_lock(&scan_lock);
    add_default_suppressions();
    uint64_t started = lg_pal_now_ns();

    /* Static: the tracer writes into it, and a tracer that outlived its
     * bounded waits must not write into a dead stack frame. */
    static rt_world w;
    rt_leak_result res;
    lg_mem_set(&res, 0, sizeof(res));
    bool ok = rt_mark_init();
    uint64_t scanned_bytes = 0;
    if (ok) {
        lg_heap_lock_all();
        rt_world_stop(&w);
        /* What can be read is known only once nothing else runs. */
        ok = rt_mem_begin() && rt_roots_mark(&w, self_sp, regs, SAVED_REGS);
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
 * stack from their own frame up: the scan's own frames are not roots. */
__attribute__((noinline)) size_t lg_leaks_check_now(void)
{
    uintptr_t regs[SAVED_REGS];
    save_registers(regs);
    if (!lg_opt.leaks) return 0;
    size_t n = scan((uintptr_t)regs, regs);
    __asm__ volatile("" : : "r"(regs) : "memory"); /* keep regs (and the frame) alive across the scan */
    return n;
}

__attribute__((noinline)) size_t lg_leaks_at_exit(void)
{
    uintptr_t regs[SAVED_REGS];
    save_registers(regs);
    size_t n = scan((uintptr_t)regs, regs);
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
