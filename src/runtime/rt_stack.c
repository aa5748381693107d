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
    uint32_t first = 0;
    while (first < n && rt_is_own_pc(pcs[first])) first++;
    return first;
}

/* The thread's last stored stack and the ids of its suffixes.  Consecutive
 * captures in a thread share most of their outer frames (main, the loop,
 * the recursion above the current level): those are compared here and not
 * looked up again; only the frames that differ go to the depot. */
typedef struct stack_memo {
    uint32_t depth;
    uintptr_t pcs[LG_MAX_FRAMES];
    lg_stack_id ids[LG_MAX_FRAMES]; /* ids[i]: the stack pcs[i..depth-1] */
} stack_memo;

static __thread stack_memo last_stored RT_TLS;

/* The thread's recent (callers, frame) -> id answers, in front of the
 * depot's table, whose buckets the program's memory traffic keeps out of
 * the CPU caches. */
#define NEAR_BITS 8
typedef struct near_entry {
    uintptr_t pc;
    lg_stack_id callers, id;
} near_entry;
static __thread near_entry near_ids[1u << NEAR_BITS] RT_TLS;

static lg_stack_id near_frame(lg_stack_id callers, uintptr_t pc)
{
    near_entry *e = &near_ids[((pc ^ (uintptr_t)callers << 20) * 0x9e3779b97f4a7c15ull) >> (64 - NEAR_BITS)];
    if (e->pc == pc && e->callers == callers && e->id) return e->id;
    lg_stack_id id = lg_depot_frame(callers, pc);
    e->pc = pc;
    e->callers = callers;
    e->id = id;
    return id;
}

static lg_stack_id store_remembered(const uintptr_t *pcs, uint32_t depth)
{
    stack_memo *m = &last_stored;
    uint32_t shared = 0;
    while (shared < depth && shared < m->depth && pcs[depth - 1 - shared] == m->pcs[m->depth - 1 - shared]) shared++;
    uint32_t fresh = depth - shared, from = m->depth - shared;
    lg_stack_id callers = shared ? m->ids[from] : 0;
    /* Move the shared suffix to its place in the new stack. */
    if (fresh > from) {
        for (uint32_t i = shared; i-- > 0;) {
            m->pcs[fresh + i] = m->pcs[from + i];
            m->ids[fresh + i] = m->ids[from + i];
        }
    } else if (fresh < from) {
        for (uint32_t i = 0; i < shared; i++) {
            m->pcs[fresh + i] = m->pcs[from + i];
            m->ids[fresh + i] = m->ids[from + i];
        }
    }
    for (uint32_t i = 0; i < fresh; i++) m->pcs[i] = pcs[i];
    m->depth = depth;
    lg_stack_id id = callers;
    for (uint32_t i = fresh; i-- > 0;) {
        id = near_frame(id, pcs[i]);
        if (!id) {
            m->depth = 0; /* the depot is full */
            return 0;
        }
        m->ids[i] = id;
    }
    return id;
}

/* remember: false from a signal handler, which may have interrupted
 * store_remembered itself. */
static lg_stack_id store(uintptr_t *pcs, uint32_t n, bool remember)
{
    uint32_t first = own_prefix(pcs, n);
    uint32_t depth = n - first;
    if (depth > lg_opt.stack_depth) depth = (uint32_t)lg_opt.stack_depth;
    return remember ? store_remembered(pcs + first, depth) : lg_depot_put(pcs + first, depth);
}

/* The runtime's own frames on top of the program's (malloc, this file...):
 * usually 2 or 3, so the walk asks for that many more frames than it keeps,
 * and walks again, further, in the rare case that was too few. */
#define OWN_FRAMES_GUESS 4

lg_stack_id rt_capture(void)
{
    if (!lg_opt.stacks || rt_busy || rt_state < 2) return 0;
    uintptr_t pcs[LG_MAX_FRAMES + 16];
    uint32_t want = (uint32_t)lg_opt.stack_depth;
    rt_busy++;
    uint32_t n = lg_unwind_fast(pcs, want + OWN_FRAMES_GUESS);
    if (n == want + OWN_FRAMES_GUESS) {
        uint32_t first = own_prefix(pcs, n);
        if (n - first < want) n = lg_unwind_fast(pcs, want + (first < 16 ? first : 16));
    }
    lg_stack_id id = store(pcs, n, true);
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
    lg_stack_id id = store(pcs, n, false);
    rt_busy--;
    return id;
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
