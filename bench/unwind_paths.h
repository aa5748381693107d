/* unwind_paths.h — what bench/unwind_bench.c and the two builds of
 * bench/unwind_paths.c share. */
#ifndef UB_PATHS_H
#define UB_PATHS_H

#include <stdint.h>

#define UB_OUTER 40      /* frames of the outer recursion */
#define UB_VARIANTS 4096 /* the variant sequence repeats after this many captures */

typedef uint32_t (*ub_capture_fn)(uintptr_t *pcs, uint32_t max);

typedef struct ub_job {
    ub_capture_fn fn;
    uintptr_t *pcs;
    uint32_t max, iters;
    const uint32_t *variants; /* UB_VARIANTS of them */
    uint32_t variant;         /* the current capture's */
    uint64_t frames;          /* what fn returned, summed */
} ub_job;

extern uintptr_t ub_stack_hi; /* the main thread's stack top, for the frame-pointer walk */

void ub_nofp_run(ub_job *j);
void ub_fp_run(ub_job *j);
uint32_t ub_fp_fp_walk(uintptr_t *pcs, uint32_t max);

#endif
