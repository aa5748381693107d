/* rt_stack.c — capturing the program's stack into the depot.
 *
 * The unwinder starts inside the runtime; the frames of the runtime itself
 * (malloc, the interceptors, this file) are dropped so that frame #0 is the
 * program's call. */
#include "rt_internal.h"
#include "lg_unwind.h"

#include <link.h>

static uintptr_t own_start, own_end;

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    uintptr_t probe = (uintptr_t)data;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    bool mine = false;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
        if (start < lo) lo = start;
        if (end > hi) hi = end;
        if (probe >= start && probe < end) mine = true;
    }
    if (!mine) return 0;
    own_start = lo;
    own_end = hi;
    return 1;
}

static void find_own_range(void)
{
    dl_iterate_phdr(find_self, (void *)(uintptr_t)&find_own_range);
}

bool rt_is_own_pc(uintptr_t pc)
{
    return pc - own_start < own_end - own_start;
}

static uint32_t own_prefix(const uintptr_t *pcs, uint32_t n)
{
    uintptr_t start = own_start, size = own_end - own_start; /* not reloaded at every frame */
    uint32_t first = 0;
    while (first < n && pcs[first] - start < size) first++;
    return first;
}

/* The thread's last stored stack, in front of the depot (lg_depot_store). */
static __thread lg_depot_memo last_stored RT_TLS;

/* remember: false from a signal handler, which may have interrupted
 * lg_depot_store itself.  hash: the unwinder's of the walk that gave pcs
 * (the stored frames are a part of it, which the depot checks). */
static lg_stack_id store(uintptr_t *pcs, uint32_t n, bool remember, uint64_t hash)
{
    uint32_t first = own_prefix(pcs, n);
    uint32_t depth = n - first;
    if (depth > lg_opt.stack_depth) depth = (uint32_t)lg_opt.stack_depth;
    return remember ? lg_depot_store_hashed(&last_stored, pcs + first, depth, hash) : lg_depot_put(pcs + first, depth);
}

/* The runtime's own frames on top of the program's (malloc, this file...):
 * usually 2 or 3, so the walk asks for that many more frames than it keeps,
 * and walks again, further, in the rare case that was too few. */
#define OWN_FRAMES_GUESS 4

/* The id the thread's last capture stored: a walk that returned the same
 * stack as the one before it (lg_unwind_repeated) has the same id. */
static __thread lg_stack_id last_capture RT_TLS;

lg_stack_id rt_capture(void)
{
    if (!lg_opt.stacks || rt_busy || rt_state < 2) return 0;
    uintptr_t pcs[LG_MAX_FRAMES + 16];
    uint32_t want = (uint32_t)lg_opt.stack_depth;
    rt_busy++;
    uint32_t n = lg_unwind_fast(pcs, want + OWN_FRAMES_GUESS);
    bool again = false;
    if (n == want + OWN_FRAMES_GUESS) {
        uint32_t first = own_prefix(pcs, n);
        if (n - first < want) {
            n = lg_unwind_fast(pcs, want + (first < 16 ? first : 16));
            again = true; /* compared with this capture's first walk */
        }
    }
    lg_stack_id id = last_capture;
    if (again || !id || !lg_unwind_repeated()) last_capture = id = store(pcs, n, true, lg_unwind_hash());
    rt_busy--;
    return id;
}

lg_stack_id rt_capture_context(const void *ucontext)
{
    uintptr_t pcs[LG_MAX_FRAMES + 16];
    rt_busy++;
    uint32_t n = lg_unwind_from_context(ucontext, pcs, (uint32_t)lg_opt.stack_depth + 16);
    /* pcs[0] is the faulting instruction itself; the report subtracts one
     * from every pc to find the call, so step it forward to match. */
    if (n) pcs[0] += 1;
    lg_stack_id id = store(pcs, n, false, 0);
    rt_busy--;
    return id;
}

uintptr_t rt_caller_site(uintptr_t return_address)
{
    if (!rt_is_own_pc(return_address) || rt_busy || rt_state < 2) return return_address;
    uintptr_t pcs[OWN_FRAMES_GUESS + 4];
    rt_busy++;
    uint32_t n = lg_unwind_fast(pcs, OWN_FRAMES_GUESS + 4);
    rt_busy--;
    uint32_t first = own_prefix(pcs, n);
    return first < n ? pcs[first] : return_address;
}

static lg_stack_id capture_hook(void)
{
    return rt_capture();
}

void rt_stack_init(void)
{
    find_own_range();
    lg_unwind_init();
    lg_capture_stack = capture_hook;
}
