/* unwind_paths.c — the call paths bench/unwind_bench.c captures stacks on,
 * compiled twice into the benchmark: without frame pointers (UB_PREFIX
 * ub_nofp_, as the workloads are built) and with them (ub_fp_,
 * -fno-omit-frame-pointer), so that a frame-pointer walk can be timed on
 * the same code.
 *
 * A path is 40 frames of one recursive function (the program's outer
 * frames: main, its loops), a loop, then 4 to 8 frames that each of four
 * functions may fill (plain, registers live across the call, a buffer,
 * alloca), then one of three leaves, which calls the capture function.  A
 * variant number picks the depth, the function at every level and the
 * leaf; the same variant every time is a repeated path, a random one every
 * time varies the innermost 5 to 9 frames. */
#include <alloca.h>
#include <string.h>

#include "unwind_paths.h"

#define UB_CAT2(a, b) a##b
#define UB_CAT(a, b) UB_CAT2(a, b)
#define UB_FN(name) UB_CAT(UB_PREFIX, name)
#if defined(__clang__)
#define UB_NOINLINE __attribute__((noinline))
#else
#define UB_NOINLINE __attribute__((noinline, noclone))
#endif

static volatile int UB_FN(sink);

static UB_NOINLINE void UB_FN(leaf0)(ub_job *j)
{
    j->frames += j->fn(j->pcs, j->max);
    UB_FN(sink)++;
}

static UB_NOINLINE void UB_FN(leaf1)(ub_job *j)
{
    volatile char buf[200];
    buf[0] = (char)j->variant;
    j->frames += j->fn(j->pcs, j->max);
    UB_FN(sink) += buf[0];
}

static UB_NOINLINE void UB_FN(leaf2)(ub_job *j)
{
    int a = UB_FN(sink) + 1, b = a * 3, c = b ^ 7, d = c + a, e = d * 5;
    j->frames += j->fn(j->pcs, j->max);
    UB_FN(sink) += a + b + c + d + e;
}

static void UB_FN(plain)(int left, ub_job *j);
static void UB_FN(regs)(int left, ub_job *j);
static void UB_FN(buffer)(int left, ub_job *j);
static void UB_FN(dynamic)(int left, ub_job *j);

/* The next level down, called from each function's own call sites: one of
 * the four functions, or at the bottom one of the leaves. */
#define UB_NEXT(left, j)                                                                                               \
    do {                                                                                                               \
        uint32_t v_ = (j)->variant;                                                                                    \
        if ((left) == 0) {                                                                                             \
            switch (v_ % 3) {                                                                                          \
            case 0: UB_FN(leaf0)(j); break;                                                                            \
            case 1: UB_FN(leaf1)(j); break;                                                                            \
            default: UB_FN(leaf2)(j); break;                                                                           \
            }                                                                                                          \
        } else {                                                                                                       \
            switch ((v_ >> (2 * (left) + 2)) & 3) {                                                                    \
            case 0: UB_FN(plain)((left) - 1, j); break;                                                                \
            case 1: UB_FN(regs)((left) - 1, j); break;                                                                 \
            case 2: UB_FN(buffer)((left) - 1, j); break;                                                               \
            default: UB_FN(dynamic)((left) - 1, j); break;                                                             \
            }                                                                                                          \
        }                                                                                                              \
    } while (0)

static UB_NOINLINE void UB_FN(plain)(int left, ub_job *j)
{
    UB_NEXT(left, j);
    UB_FN(sink)++;
}

static UB_NOINLINE void UB_FN(regs)(int left, ub_job *j)
{
    int a = UB_FN(sink) + left, b = a * 3, c = b ^ 7, d = c + a, e = d * 5, f = e - b;
    UB_NEXT(left, j);
    UB_FN(sink) += a + b + c + d + e + f;
}

static UB_NOINLINE void UB_FN(buffer)(int left, ub_job *j)
{
    volatile char buf[96];
    buf[0] = (char)left;
    UB_NEXT(left, j);
    UB_FN(sink) += buf[0];
}

static UB_NOINLINE void UB_FN(dynamic)(int left, ub_job *j)
{
    char *p = alloca((size_t)(left * 16 + 16));
    memset(p, left, (size_t)(left * 16 + 16));
    __asm__ volatile("" : : "r"(p) : "memory");
    UB_NEXT(left, j);
    UB_FN(sink) += p[left];
}

static UB_NOINLINE void UB_FN(loop)(ub_job *j)
{
    for (uint32_t i = 0; i < j->iters; i++) {
        j->variant = j->variants[i & (UB_VARIANTS - 1)];
        /* 4 to 8 levels, then the leaf: 5 to 9 frames below the loop. */
        int levels = (int)(j->variant >> 24) % 5 + 4;
        UB_NEXT(levels, j);
    }
}

static UB_NOINLINE void UB_FN(outer)(int depth, ub_job *j)
{
    if (depth == 0) UB_FN(loop)(j);
    else UB_FN(outer)(depth - 1, j);
    UB_FN(sink)++;
}

void UB_FN(run)(ub_job *j)
{
    UB_FN(outer)(UB_OUTER, j);
}

#ifdef UB_WALK_FP
/* The frame-pointer walk of this build, as ASan's fast unwinder does it:
 * the saved rbp and return address at every frame, within the stack. */
uint32_t UB_FN(fp_walk)(uintptr_t *pcs, uint32_t max)
{
    const uintptr_t *fp = __builtin_frame_address(0);
    uintptr_t hi = ub_stack_hi;
    uint32_t n = 0;
    while (n < max) {
        pcs[n++] = fp[1];
        const uintptr_t *up = (const uintptr_t *)fp[0];
        if (up <= fp || (uintptr_t)up > hi - 16) break;
        fp = up;
    }
    return n;
}
#endif
