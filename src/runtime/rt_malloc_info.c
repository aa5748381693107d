/* rt_malloc_info.c — glibc's malloc introspection, answered from the checked heap.
 *
 * Without these, glibc's own versions would describe glibc's arena, which
 * holds nothing while lifeguard serves every allocation: mallinfo would
 * say zero bytes in use.  The answers (docs/REPORT.md, "malloc
 * introspection"): uordblks and arena are the bytes of live blocks,
 * ordblks the live block count, hblks/hblkhd 0, fordblks and keepcost 0;
 * malloc_trim gives nothing back (the quarantine decides) and returns 0;
 * mallopt accepts every parameter and changes nothing (returns 1);
 * malloc_stats and malloc_info print glibc's formats with these numbers.
 * Each walks every live block, as glibc's walk its arenas. */
#include "rt_internal.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>

static struct mallinfo2 heap_info(void)
{
    struct mallinfo2 mi = {0};
    struct lg_heap_stats st;
    rt_ensure_early();
    if (!rt_heap_on) return mi;
    lg_heap_stats(&st);
    mi.arena = st.live_bytes;
    mi.ordblks = st.live_blocks;
    mi.uordblks = st.live_bytes;
    return mi;
}

RT_EXPORT struct mallinfo2 mallinfo2(void)
{
    return heap_info();
}

static int clamp_int(size_t v)
{
    return v > INT_MAX ? INT_MAX : (int)v;
}

RT_EXPORT struct mallinfo mallinfo(void)
{
    struct mallinfo2 mi = heap_info();
    struct mallinfo old = {0};
    old.arena = clamp_int(mi.arena);
    old.ordblks = clamp_int(mi.ordblks);
    old.uordblks = clamp_int(mi.uordblks);
    return old;
}

RT_EXPORT void malloc_stats(void)
{
    struct mallinfo2 mi = heap_info();
    fprintf(stderr, "Arena 0:\nsystem bytes     = %10zu\nin use bytes     = %10zu\n", mi.arena, mi.uordblks);
    fprintf(stderr, "Total (incl. mmap):\nsystem bytes     = %10zu\nin use bytes     = %10zu\n", mi.arena, mi.uordblks);
    fprintf(stderr, "max mmap regions = %10d\nmax mmap bytes   = %10lu\n", 0, 0ul);
}

RT_EXPORT int malloc_info(int options, FILE *out)
{
    if (options != 0) {
        errno = EINVAL;
        return -1;
    }
    struct mallinfo2 mi = heap_info();
    fprintf(out, "<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n</sizes>\n"
                 "<total type=\"fast\" count=\"0\" size=\"0\"/>\n<total type=\"rest\" count=\"0\" size=\"0\"/>\n"
                 "<system type=\"current\" size=\"%zu\"/>\n<system type=\"max\" size=\"%zu\"/>\n"
                 "<aspace type=\"total\" size=\"%zu\"/>\n<aspace type=\"mprotect\" size=\"%zu\"/>\n</heap>\n"
                 "<total type=\"fast\" count=\"0\" size=\"0\"/>\n<total type=\"rest\" count=\"0\" size=\"0\"/>\n"
                 "<total type=\"mmap\" count=\"0\" size=\"0\"/>\n<system type=\"current\" size=\"%zu\"/>\n"
                 "<system type=\"max\" size=\"%zu\"/>\n<aspace type=\"total\" size=\"%zu\"/>\n"
                 "<aspace type=\"mprotect\" size=\"%zu\"/>\n</malloc>\n",
            mi.arena, mi.arena, mi.arena, mi.arena, mi.arena, mi.arena, mi.arena, mi.arena);
    return 0;
}

RT_EXPORT int malloc_trim(size_t pad)
{
    (void)pad;
    return 0;
}

RT_EXPORT int mallopt(int param, int value)
{
    (void)param;
    (void)value;
    return 1;
}
