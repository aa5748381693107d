/* unwind_bench.c — what a stack costs: nanoseconds per capture and per frame
 * of lifeguard's unwinder beside a frame-pointer walk, libunwind's
 * unw_backtrace and glibc's backtrace(), on a repeated path and on paths
 * whose innermost 5 to 9 frames vary (bench/unwind_paths.c), and
 * nanoseconds per store of a stack in the depot.  Prints two Markdown
 * tables (bench/run.sh puts them in docs/PERFORMANCE.md).
 *
 * Each figure is the best of 15 rounds, less the same loop's time with a
 * capture function that does nothing (the path's own calls).
 *
 * For profiling one figure: UB_ONLY=I (method I alone), UB_CELL=C (column C
 * alone), UB_ITERS=N (N captures a round, e.g. under callgrind), UB_STORES=1
 * (the store table alone), UB_STORE=K (store K alone), UB_STATS=1 (the
 * unwinder's counters). */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../src/core/lg_core.h"
#include "../src/runtime/lg_unwind.h"
#include "unwind_paths.h"

uintptr_t ub_stack_hi;

/* The depot (src/core/lg_depot.c, linked in) needs these four of the
 * platform layer. */
void *lg_pal_map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}
static pthread_mutex_t ub_lock = PTHREAD_MUTEX_INITIALIZER;
void lg_lock(lg_lock_t *lock)
{
    (void)lock;
    pthread_mutex_lock(&ub_lock);
}
void lg_unlock(lg_lock_t *lock)
{
    (void)lock;
    pthread_mutex_unlock(&ub_lock);
}

uint32_t lg_pal_tid(void)
{
    return (uint32_t)syscall(SYS_gettid);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- capture methods ---------------------------------------------------------- */

static uint32_t none(uintptr_t *pcs, uint32_t max)
{
    (void)max;
    pcs[0] = 0;
    return 0;
}

static uint32_t libunwind_bt(uintptr_t *pcs, uint32_t max)
{
    return (uint32_t)unw_backtrace((void **)pcs, (int)max);
}

/* libunwind exports a backtrace() of its own, which a plain call would
 * reach (it is linked before libc): take glibc's from libc itself. */
static int (*glibc_backtrace)(void **, int);

static uint32_t glibc_bt(uintptr_t *pcs, uint32_t max)
{
    return glibc_backtrace ? (uint32_t)glibc_backtrace((void **)pcs, (int)max) : 0;
}

static uint32_t fast_cold(uintptr_t *pcs, uint32_t max)
{
    lg_unwind_invalidate();
    return lg_unwind_fast(pcs, max);
}

/* A capture as the runtime makes it (src/runtime/rt_stack.c): the walk,
 * then the store, unless the walk says it returned the stack the walk
 * before it did.  Weak, so that the benchmark also links with an unwinder
 * from before lg_unwind_repeated (for A/B runs). */
extern bool lg_unwind_repeated(void) __attribute__((weak));
extern uint64_t lg_unwind_hash(void) __attribute__((weak));
extern lg_stack_id lg_depot_store_hashed(lg_depot_memo *, const uintptr_t *, uint32_t, uint64_t) __attribute__((weak));
static lg_depot_memo capture_memo;
static lg_stack_id capture_last;

static uint32_t fast_and_store(uintptr_t *pcs, uint32_t max)
{
    uint32_t n = lg_unwind_fast(pcs, max);
    if (!capture_last || !lg_unwind_repeated || !lg_unwind_repeated())
        capture_last = lg_unwind_hash && lg_depot_store_hashed
                           ? lg_depot_store_hashed(&capture_memo, pcs, n, lg_unwind_hash())
                           : lg_depot_store(&capture_memo, pcs, n);
    return n;
}

typedef struct method {
    const char *name;
    ub_capture_fn fn;
    void (*run)(ub_job *);
    uint32_t iters;
} method;

static const method methods[] = {
    {"frame-pointer walk (code built with frame pointers)", ub_fp_fp_walk, ub_fp_run, 100000},
    {"lg_unwind_fast (code built with frame pointers)", lg_unwind_fast, ub_fp_run, 100000},
    {"lg_unwind_fast", lg_unwind_fast, ub_nofp_run, 100000},
    {"lg_unwind_fast, then the store in the depot (as the runtime captures)", fast_and_store, ub_nofp_run, 100000},
    {"lg_unwind_fast, rule table emptied before each capture", fast_cold, ub_nofp_run, 1000},
    {"lg_unwind_slow (DWARF interpreter, no cache)", lg_unwind_slow, ub_nofp_run, 1000},
    {"libunwind unw_backtrace", libunwind_bt, ub_nofp_run, 30000},
    {"glibc backtrace", glibc_bt, ub_nofp_run, 1000},
};
#define N_METHODS (sizeof methods / sizeof methods[0])

static uint32_t repeated[UB_VARIANTS], varied[UB_VARIANTS];

static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static uint64_t one_round(ub_capture_fn fn, void (*run)(ub_job *), const uint32_t *variants, uint32_t max,
                          uint32_t iters, double *frames)
{
    uintptr_t pcs[LG_MAX_FRAMES + 8];
    ub_job j = {.fn = fn, .pcs = pcs, .max = max, .iters = iters, .variants = variants};
    uint64_t t0 = now_ns();
    run(&j);
    uint64_t t = now_ns() - t0;
    if (frames) *frames = (double)j.frames / iters;
    return t;
}

/* Nanoseconds a capture: the best of 15 rounds of iters captures, less the
 * best of 15 rounds of the same loop capturing nothing, the two alternated
 * so that both see the same machine load (on a busy machine the best of
 * many short rounds is the figure least disturbed). */
static double timed(ub_capture_fn fn, void (*run)(ub_job *), const uint32_t *variants, uint32_t max, uint32_t iters,
                    double *frames)
{
    if (getenv("UB_ITERS")) iters = (uint32_t)atoi(getenv("UB_ITERS")); /* for a run under valgrind */
    one_round(fn, run, variants, max, iters < 1000 ? iters : 1000, frames);
    uint64_t best = UINT64_MAX, base = UINT64_MAX;
    for (int round = 0; round < 15; round++) {
        uint64_t t = one_round(none, run, variants, max, iters, NULL);
        if (t < base) base = t;
        t = one_round(fn, run, variants, max, iters, frames);
        if (t < best) best = t;
    }
    return ((double)best - (double)base) / iters;
}

static void captures(void)
{
    static const uint32_t depths[] = {10, 30};
    const uint32_t *paths[] = {repeated, varied};
    printf("| method | repeated path, 10 frames | repeated, 30 frames | varied path, 10 frames | varied, 30 frames |\n");
    printf("|---|---:|---:|---:|---:|\n");
    double ns[N_METHODS][4] = {{0}};
    /* UB_ONLY=I times method I alone (for perf record) */
    const char *only = getenv("UB_ONLY");
    for (size_t m = 0; m < N_METHODS; m++) {
        if (only && (size_t)atoi(only) != m) continue;
        printf("| %s |", methods[m].name);
        for (int p = 0; p < 2; p++)
            for (int d = 0; d < 2; d++) {
                /* UB_CELL=C times column C alone */
                if (getenv("UB_CELL") && atoi(getenv("UB_CELL")) != p * 2 + d) continue;
                double frames = 0;
                lg_unwind_stats st0, st1;
                lg_unwind_get_stats(&st0);
                double per = timed(methods[m].fn, methods[m].run, paths[p], depths[d], methods[m].iters, &frames);
                lg_unwind_get_stats(&st1);
                if (getenv("UB_STATS"))
                    fprintf(stderr, "%s p%d d%d: hits %llu slow %llu misses %llu\n", methods[m].name, p, d,
                            (unsigned long long)(st1.hits - st0.hits), (unsigned long long)(st1.slow_frames - st0.slow_frames),
                            (unsigned long long)(st1.misses - st0.misses));
                ns[m][p * 2 + d] = per;
                if (frames + 0.5 < depths[d]) printf(" %.1f (%.1f a frame; %.1f frames) |", per, per / frames, frames);
                else printf(" %.1f (%.2f a frame) |", per, per / frames);
            }
        printf("\n");
        fflush(stdout);
    }
    printf("| lg_unwind_fast ÷ frame-pointer walk |");
    for (int c = 0; c < 4; c++) printf(" %.2f× |", ns[2][c] / ns[0][c]);
    printf("\n| the store (the row above it less lg_unwind_fast's) |");
    for (int c = 0; c < 4; c++) printf(" %.1f |", ns[3][c] - ns[2][c]);
    printf("\n\n");
}

/* ---- stores ---------------------------------------------------------------------- */

static uintptr_t stacks[UB_VARIANTS][30];
static uint32_t stack_depth[UB_VARIANTS];
static uint64_t stack_hash[UB_VARIANTS]; /* the walk's (lg_unwind_hash), as the runtime passes it */
static uint32_t ub_fill_next;

static uint32_t fill(uintptr_t *pcs, uint32_t max)
{
    uint32_t n = lg_unwind_fast(pcs, max);
    memcpy(stacks[ub_fill_next], pcs, n * sizeof *pcs);
    stack_hash[ub_fill_next] = lg_unwind_hash ? lg_unwind_hash() : 0;
    stack_depth[ub_fill_next++] = n;
    return n;
}

static lg_depot_memo memo;

/* kind: 0 the previous stack, 1 one of 16, 2 one of 4096, 3 a new one;
 * 4-6: 0-2 with the walk's hash (lg_depot_store_hashed, as rt_capture). */
static double store_round(uint32_t iters, int kind)
{
    uint64_t t0 = now_ns();
    static uintptr_t fresh = 0x100000;
    uintptr_t tmp[30];
    bool hashed = kind >= 4;
    if (hashed && !lg_depot_store_hashed) return -1;
    if (hashed) kind -= 4;
    for (uint32_t i = 0; i < iters; i++) {
        uint32_t s = kind == 0 ? 0 : kind == 1 ? i & 15 : i & (UB_VARIANTS - 1);
        if (kind == 3) {
            memcpy(tmp, stacks[s], sizeof tmp);
            tmp[0] = fresh++; /* a return address never stored */
            if (!lg_depot_store(&memo, tmp, stack_depth[s])) return -1;
        } else if (hashed) {
            if (!lg_depot_store_hashed(&memo, stacks[s], stack_depth[s], stack_hash[s])) return -1;
        } else if (!lg_depot_store(&memo, stacks[s], stack_depth[s])) {
            return -1;
        }
    }
    return (double)(now_ns() - t0) / iters;
}

static void stores(void)
{
    ub_job j = {.fn = fill, .pcs = (uintptr_t[64]){0}, .max = 30, .iters = UB_VARIANTS, .variants = varied};
    ub_nofp_run(&j);
    for (uint32_t i = 0; i < UB_VARIANTS; i++) lg_depot_store(&memo, stacks[i], stack_depth[i]);
    static const char *what[] = {
        "a stack seen before: the thread's previous one",
        "a stack seen before, one of 16 whose innermost 5-9 frames vary",
        "a stack seen before, one of 4096 whose innermost 5-9 frames vary",
        "a new stack: its innermost frame new",
        "lg_depot_store_hashed (the walk's hash, as rt_capture): the thread's previous stack",
        "lg_depot_store_hashed: one of 16",
        "lg_depot_store_hashed: one of 4096",
    };
    printf("| store (lg_depot_store, 30 frames) | ns |\n|---|---:|\n");
    /* The new stacks last: they grow the depot, which the others then pay for. */
    static const int order[] = {0, 1, 2, 4, 5, 6, 3};
    for (int o = 0; o < 7; o++) {
        int k = order[o];
        double best = 1e30;
        /* UB_STORE=K times store K alone, UB_ITERS stores a round */
        if (getenv("UB_STORE") && atoi(getenv("UB_STORE")) != k) continue;
        uint32_t iters = getenv("UB_ITERS") ? (uint32_t)atoi(getenv("UB_ITERS")) : k == 3 ? 50000 : 200000;
        for (int round = 0; round < 15; round++) {
            double t = store_round(iters, k);
            if (t >= 0 && t < best) best = t;
        }
        if (best < 1e30) printf("| %s | %.1f |\n", what[k], best);
    }
}

int main(void)
{
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    if (libc) glibc_backtrace = (int (*)(void **, int))dlsym(libc, "backtrace");
    pthread_attr_t attr;
    void *lo;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) != 0 || pthread_attr_getstack(&attr, &lo, &size) != 0) return 1;
    ub_stack_hi = (uintptr_t)lo + size;
    lg_unwind_set_thread_stack((uintptr_t)lo, ub_stack_hi);
    lg_unwind_init();
    uint32_t seed = 0x9e3779b9;
    for (int i = 0; i < UB_VARIANTS; i++) {
        repeated[i] = 0x02345678;
        varied[i] = xorshift(&seed);
    }
    if (!getenv("UB_STORES")) captures(); /* UB_STORES=1: the stores alone */
    if (!getenv("UB_ONLY")) stores();
    return 0;
}
