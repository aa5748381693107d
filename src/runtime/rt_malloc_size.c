/* rt_malloc_size.c — allocation sizes the heap refuses, and what is said.
 *
 * glibc refuses a request above PTRDIFF_MAX outright and one its mmap cannot
 * get from the kernel (under the default overcommit heuristic: more than
 * the machine's memory and swap).  The checked heap reserves address space
 * without commit accounting, so without this file malloc(2^40 + 1) would
 * succeed under lifeguard where it fails under glibc.  Requests from
 * RT_SIZE_PROBE_ABOVE up are asked of the kernel the way glibc's mmap asks
 * (a private writable mapping, accounted, unmapped at once), unless
 * max_allocation_size_mb sets the limit instead.
 *
 * Every refused or failed allocation is an `allocation-failure` finding, a
 * warning (worded by core/lg_finding_alloc.c): the program gets NULL and
 * ENOMEM (or std::bad_alloc), as with glibc, and goes on. */
#include "rt_internal.h"

#include <stdint.h>
#include <sys/mman.h>

size_t rt_size_slow_above = RT_SIZE_PROBE_ABOVE;

void rt_size_init(void)
{
    size_t mb_limit = (size_t)lg_opt.max_allocation_size_mb;
    size_t above = RT_SIZE_PROBE_ABOVE;
    if (mb_limit && mb_limit < (SIZE_MAX >> 20)) above = mb_limit << 20;
    else if (mb_limit) above = SIZE_MAX;
    __atomic_store_n(&rt_size_slow_above, above, __ATOMIC_RELAXED);
}

static bool kernel_would_commit(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
    munmap(p, size);
    return true;
}

bool rt_size_refused(const char *fn, size_t size)
{
    size_t mb_limit = (size_t)lg_opt.max_allocation_size_mb;
    if (mb_limit) {
        if (mb_limit >= (SIZE_MAX >> 20) || size <= (mb_limit << 20)) return false;
        rt_alloc_failed(fn, size, 0, LG_ALLOC_OVER_LIMIT);
        return true;
    }
    if (size > (size_t)PTRDIFF_MAX) {
        rt_alloc_failed(fn, size, 0, LG_ALLOC_OVER_PTRDIFF_MAX);
        return true;
    }
    if (!kernel_would_commit(size)) {
        rt_alloc_failed(fn, size, 0, LG_ALLOC_NOT_COMMITTED);
        return true;
    }
    return false;
}

void rt_alloc_failed(const char *fn, size_t size, size_t count, lg_alloc_why why)
{
    if (rt_busy) return;
    lg_stack_id stack = rt_capture();
    rt_busy++;
    lg_finding_report_alloc_failure(&(lg_alloc_failure){
        .fn = fn, .size = size, .count = count, .why = why,
        .throws = fn[0] == 'o', /* operator new, operator new[] */
        .stack = stack, .tid = lg_pal_tid(),
    });
    rt_busy--;
}
