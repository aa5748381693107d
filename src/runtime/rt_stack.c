/* rt_stack.c — capturing the program's stack into the depot.
 *
 * The unwinder starts inside the runtime; the frames of the runtime itself
 * (malloc, the interceptors, this file) are dropped so that frame #0 is the
 * program's call. */
#include "rt_internal.h"
#include "lg_unwind.h"

#include <limits.h>
#include <link.h>
#include <pthread.h>

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

/* ---- the thread's state ----------------------------------------------------------
 * The depot's memo of the thread's recent stacks (22 KiB) and the
 * unwinder's (8 KiB) live in mappings of the thread's own, reached through
 * a pointer each.  As __thread they took 31 KiB of static TLS, which glibc
 * carves out of every thread's stack: pthread_create refused the 16 and
 * 32 KiB stacks a program may ask for (node's), and every thread lost that
 * much of its stack.  Mapped at the thread's first capture, unmapped at its
 * end by a pthread key's destructor that re-arms itself until the last of
 * glibc's PTHREAD_DESTRUCTOR_ITERATIONS rounds, so that the frees the
 * program's own destructors make still have stacks; after that round the
 * thread's captures record none. */
enum { THREAD_NEW, THREAD_ARMED, THREAD_GONE };
static __thread uint8_t thread_phase RT_TLS;
static __thread uint8_t thread_end_rounds RT_TLS;
static __thread lg_depot_memo *last_stored RT_TLS; /* NULL until the thread's first capture */
static pthread_key_t thread_key;
static bool thread_key_made; /* at rt_stack_init, before any thread captures */

static void thread_end(void *armed)
{
    if (++thread_end_rounds < PTHREAD_DESTRUCTOR_ITERATIONS) {
        pthread_setspecific(thread_key, armed);
        return;
    }
    thread_phase = THREAD_GONE;
    lg_depot_memo *memo = last_stored;
    last_stored = NULL;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (memo) lg_pal_unmap(memo, sizeof(*memo));
    lg_unwind_thread_end();
}

/* Makes sure the thread's end unmaps its states; false once it has ended. */
static __attribute__((noinline)) bool thread_arm(void)
{
    if (thread_phase != THREAD_NEW) return thread_phase == THREAD_ARMED;
    thread_phase = THREAD_ARMED; /* first: pthread_setspecific may allocate */
    if (thread_key_made) pthread_setspecific(thread_key, (void *)1);
    return true;
}

static __attribute__((noinline)) lg_depot_memo *memo_attach(void)
{
    if (!thread_arm()) return NULL;
    lg_depot_memo *memo = lg_pal_map(sizeof(*memo));
    last_stored = memo;
    return memo;
}

/* memo: the thread's, or NULL from a signal handler, which may have
 * interrupted lg_depot_store itself.  hash: the unwinder's of the walk that gave pcs
 * (the stored frames are a part of it, which the depot checks). */
static inline __attribute__((always_inline)) lg_stack_id store(uintptr_t *pcs, uint32_t n, lg_depot_memo *memo, uint64_t hash)
{
    uint32_t first = own_prefix(pcs, n);
    uint32_t depth = n - first;
    if (depth > lg_opt.stack_depth) depth = (uint32_t)lg_opt.stack_depth;
    return memo ? lg_depot_store_hashed(memo, pcs + first, depth, hash) : lg_depot_put(pcs + first, depth);
}

/* The runtime's own frames on top of the program's (malloc, this file...):
 * usually 2 or 3, so the walk asks for that many more frames than it keeps,
 * and walks again, further, in the rare case that was too few. */
#define OWN_FRAMES_GUESS 4

/* The id the thread's last capture stored: a walk that returned the same
 * stack as the one before it (lg_unwind_repeated) has the same id. */
static __thread lg_stack_id last_capture RT_TLS;

/* One walk: from the caller of lg_unwind_fast's caller (above: NULL), or
 * from the frame above (its return address, its CFA, its caller's rbp). */
static inline __attribute__((always_inline)) uint32_t walk(const uintptr_t *above, uintptr_t *pcs, uint32_t max)
{
    return above ? lg_unwind_fast_from(above[1], (uintptr_t)(above + 2), above[0], pcs, max) : lg_unwind_fast(pcs, max);
}

/* own: how many of the runtime's frames the walk is expected to start with. */
static inline __attribute__((always_inline)) lg_stack_id capture(const uintptr_t *above, uint32_t own)
{
    if (!lg_opt.stacks || rt_busy || rt_state < 2) return 0;
    uintptr_t pcs[LG_MAX_FRAMES + 16];
    uint32_t want = (uint32_t)lg_opt.stack_depth;
    rt_busy++;
    lg_depot_memo *memo = last_stored;
    if (__builtin_expect(!memo, 0) && !(memo = memo_attach())) {
        rt_busy--;
        return 0;
    }
    uint32_t n = walk(above, pcs, want + own);
    bool again = false;
    if (n == want + own) {
        uint32_t first = own_prefix(pcs, n);
        if (n - first < want) {
            n = walk(above, pcs, want + (first < 16 ? first : 16));
            again = true; /* compared with this capture's first walk */
        }
    }
    lg_stack_id id = last_capture;
    if (again || !id || !lg_unwind_repeated()) last_capture = id = store(pcs, n, memo, lg_unwind_hash());
    rt_busy--;
    return id;
}

lg_stack_id rt_capture(void)
{
    return capture(NULL, OWN_FRAMES_GUESS);
}

lg_stack_id rt_capture_above(const void *frame, uint32_t own)
{
    return capture(frame, own);
}

lg_stack_id rt_capture_context(const void *ucontext)
{
    uintptr_t pcs[LG_MAX_FRAMES + 16];
    rt_busy++;
    uint32_t n = lg_unwind_from_context(ucontext, pcs, (uint32_t)lg_opt.stack_depth + 16);
    /* pcs[0] is the faulting instruction itself; the report subtracts one
     * from every pc to find the call, so step it forward to match. */
    if (n) pcs[0] += 1;
    lg_stack_id id = store(pcs, n, NULL, 0);
    rt_busy--;
    return id;
}

uintptr_t rt_caller_site(uintptr_t return_address)
{
    if (!rt_is_own_pc(return_address) || rt_busy || rt_state < 2) return return_address;
    uintptr_t pcs[OWN_FRAMES_GUESS + 4];
    rt_busy++;
    if (__builtin_expect(thread_phase != THREAD_ARMED, 0) && !thread_arm()) {
        rt_busy--;
        return return_address;
    }
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
    thread_key_made = pthread_key_create(&thread_key, thread_end) == 0;
    lg_unwind_init();
    lg_capture_stack = capture_hook;
}
