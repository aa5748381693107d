/* unwind_bench.c — nanoseconds per stack capture of 10 and 30 frames, from
 * 40 frames deep in code built without frame pointers: lg_unwind_fast (cache
 * hits), lg_unwind_fast after lg_unwind_invalidate (every frame a miss),
 * lg_unwind_slow, libunwind's unw_backtrace and glibc's backtrace(). */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "../src/runtime/lg_unwind.h"

static volatile int sink;

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

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const struct {
    const char *name;
    uint32_t (*fn)(uintptr_t *, uint32_t);
    int iters;
} methods[] = {
    {"lg_unwind_fast", lg_unwind_fast, 2000000},
    {"lg_unwind_fast (all misses)", fast_cold, 2000},
    {"lg_unwind_slow", lg_unwind_slow, 20000},
    {"libunwind unw_backtrace", libunwind_bt, 200000},
    {"glibc backtrace", glibc_bt, 50000},
};

static __attribute__((noinline)) void measure(void)
{
    uintptr_t pcs[64];
    static const uint32_t depths[] = {10, 30};
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        printf("%-28s", methods[m].name);
        for (size_t d = 0; d < 2; d++) {
            uint32_t got = 0;
            for (int i = 0; i < 100; i++) got = methods[m].fn(pcs, depths[d]);
            uint64_t best = UINT64_MAX;
            for (int round = 0; round < 5; round++) {
                uint64_t t0 = now_ns();
                for (int i = 0; i < methods[m].iters; i++) got = methods[m].fn(pcs, depths[d]);
                uint64_t t = now_ns() - t0;
                if (t < best) best = t;
            }
            printf("  %2u frames: %8.1f ns", got, (double)best / methods[m].iters);
        }
        printf("\n");
    }
}

static __attribute__((noinline)) void descend(int depth)
{
    if (depth == 0) measure();
    else descend(depth - 1);
    sink++;
}

int main(void)
{
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    if (libc) glibc_backtrace = (int (*)(void **, int))dlsym(libc, "backtrace");
    lg_unwind_init();
    descend(40);
    return 0;
}
