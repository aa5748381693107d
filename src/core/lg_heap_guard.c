/* lg_heap_guard.c — the guarded tier: blocks whose end touches an
 * inaccessible page, and whose pages become inaccessible when freed.
 *
 * A guarded slot is [data pages][guard page]: the user bytes end at the
 * guard page (rounded down to guard_align, or to the alignment asked for),
 * the slack before them is redzone as in the size classes.  Free makes the
 * data pages inaccessible and gives their memory back (one mmap) for as
 * long as the block is in quarantine; reuse makes them accessible again.
 * So a load or store past the end, or into the freed block, faults at the
 * instruction and lg_fault.c names the block.
 *
 * Slots of k data pages form guard class k, which owns a fixed range of
 * one reservation, so an address maps to its slot by arithmetic as in the
 * size classes (lookups take no lock).  Which blocks are guarded: all (up
 * to guard_max_size) or, for guard=sites, the first guard_first of each
 * allocation site (its stack; with stacks=0 its caller's address) and
 * then one in guard_sample, within budgets of live
 * guarded blocks, their memory and their system calls' time.  The decision is
 * inline in the allocation path (lg_guard_due, lg_heap.h): a per-thread
 * countdown and, while the thread may guard first uses, one byte of a
 * table; lg_guard_wanted runs only for a candidate.  The class lock is
 * taken only for a guarded block.  Under a run's table of first uses
 * (lg_guard_share_run: every image of every process of a run maps it) a
 * site's first uses are guarded once a run, not once an image.
 *
 * How pages are made inaccessible: with guard markers (lg_pal_guard_install,
 * Linux 6.13+), a class's range is committed read-write a chunk of slots
 * at a time and the chunk's guard pages marked at once; a slot handed out
 * for the first time needs no call, freeing it marks its data pages (and
 * gives the memory back) in one call, handing it out again unmarks them.  No protection changes: a class stays one
 * kernel mapping however many blocks live, where protections split it in
 * two a live block (every change walks and splits the mapping tree, fork
 * copies it, exit tears it down).  Without markers (an older kernel,
 * guard_markers=0, or an install refused later: a program's mlockall),
 * each slot's data pages are committed and decommitted by protection. */
#include "lg_heap.h"

#include "lg_finding.h"

#define GUARD_CLASSES LG_GUARD_CLASSES        /* 1..33 data pages: up to 131072 bytes + alignment */
_Static_assert(GUARD_CLASSES == 33, "131072 bytes and their alignment fit the last class");
#if LG_CFG_64BIT && defined(LG_CFG_GUARD_SPAN_BITS)
#define GUARD_SPAN_BITS LG_CFG_GUARD_SPAN_BITS /* a measurement build's: Valgrind refuses 264 GiB */
#elif LG_CFG_64BIT
#define GUARD_SPAN_BITS 33                    /* 8 GiB of address space a class */
#else
#define GUARD_SPAN_BITS 20                    /* unused: 32-bit targets have no guarded tier */
#endif
#define GUARD_SPAN ((uintptr_t)1 << GUARD_SPAN_BITS)
#define GUARD_INDEX_BITS 24                   /* lg_block.slot = class << 24 | index */
/* A program with thousands of allocation stacks (deep recursion) would
 * spend its time guarding first uses, and a short-lived one (a shell
 * command, git, python's start) its whole life, each guarded block being a
 * page fault and a system call or two (docs/PERFORMANCE.md): each thread
 * may guard guard_first_burst first uses, then, past its first
 * GUARD_GROWTH_AFTER allocations, one per GUARD_BURST_RATE of them up to
 * GUARD_BURST, and then one per GUARD_RATE.  The growth starts late
 * because a short process (a shell loop: 7 400 allocations) spent it all
 * at its first renewal, 128 guarded blocks at once, two thirds of what it
 * guarded; a long-running thread reaches the same bound 8 192 allocations
 * later.  The allocations made without a cache (the loader's, before the
 * runtime is up) share one such budget. */
#define GUARD_BURST_RATE 32u
#define GUARD_BURST 1024u
#define GUARD_RATE 4096u
#ifdef LG_CFG_GUARD_GROWTH_AFTER
#define GUARD_GROWTH_AFTER LG_CFG_GUARD_GROWTH_AFTER /* a measurement build's (bench/guard_growth.sh) */
#else
#define GUARD_GROWTH_AFTER 8192u
#endif
_Static_assert(GUARD_BURST == LG_GUARD_BURST_MAX, "guard_first_burst is checked against the budget's bound");
/* Slots committed and marked at once, with markers: a class's first chunk
 * is small, and each next one as large as all before it up to
 * GUARD_CHUNK_SLOTS (8, 8, 16, 32, 64, 64 ...), because marking costs
 * about half a microsecond a slot (and a call about 4) and a short-lived
 * process (every program make or a shell starts) uses a few slots of most
 * of the classes it touches: `echo` marked 192 slots for its 66 guarded
 * blocks, then 80 with a first chunk of 8 (docs/PERFORMANCE.md). */
#define GUARD_FIRST_CHUNK_SLOTS 8u
#define GUARD_CHUNK_SLOTS 64u
_Static_assert(GUARD_FIRST_CHUNK_SLOTS <= GUARD_CHUNK_SLOTS, "a first chunk is at most a chunk");

enum { GUARD_OFF = LG_GUARD_MODE_OFF, GUARD_SITES = LG_GUARD_MODE_SITES, GUARD_ALL = LG_GUARD_MODE_ALL };

/* A live guarded block whose guard page a suppressed fault opened
 * (lg_guard_reopen) says so in its lg_block_meta.next_free, unused while a
 * block is live: GUARD_OPENED | the sides opened.  Its free checks the
 * page as a redzone and makes it a guard page again. */
#define GUARD_OPENED 0xfffffff0u
#define GUARD_OPENED_ABOVE 1u /* the page after slot_end */
#define GUARD_OPENED_BELOW 2u /* the page before slot_start (a start-placed block's) */
#define GUARD_OPENED_WRITE 4u /* a suppressed write (or an access of unknown kind) opened one */
#define GUARD_OPENED_MASK 7u
/* A freed block whose pages wait in its freer's batch (flush_pending) says
 * so in next_free too, unused while a block is quarantined: GUARD_PENDING
 * until the freer (or an eviction, lg_guard_take_pending) takes it to close
 * its pages, GUARD_CLOSING while it does; 0 once closed. */
#define GUARD_PENDING 0xffffffe8u
#define GUARD_CLOSING 0xffffffe9u
_Static_assert((GUARD_PENDING & ~GUARD_OPENED_MASK) != GUARD_OPENED && (GUARD_CLOSING & ~GUARD_OPENED_MASK) != GUARD_OPENED,
               "a waiting block is not taken for an opened one");
_Static_assert(GUARD_PENDING > (1u << GUARD_INDEX_BITS), "nor for a free list link");
/* guard=all: a guarded free that follows the thread's previous one with
 * no allocation between (a loop of frees: a consumer, a teardown) waits to
 * be made inaccessible with the next ones, guard_batch at a time: one call
 * for the batch, with one TLB flush (each is a cross-CPU interrupt to
 * every CPU that runs the program), and one range for blocks side by side
 * (a thread's allocations take their slots in runs of LG_GUARD_RUN).
 * Such a block is poisoned at its free and its poison verified when its
 * batch closes, so a write in between is reported (write-after-free) and a
 * read sees poison, as for an unguarded block.  The batch closes when
 * full, at the thread's next allocation and when the thread ends; the
 * first free of a run of frees, and every free that follows an
 * allocation, is made inaccessible at once. */
#define RUN_FRESH 0x80000000u /* a run's slot never handed out: committed, untouched, no call to open it */
_Static_assert(GUARD_INDEX_BITS < 31, "a run's entry has room for RUN_FRESH");
_Static_assert(LG_GUARD_BATCH_MAX <= LG_PAL_GUARD_RANGES, "a batch's ranges fit one lg_pal_guard_install_ranges");
_Static_assert(LG_GUARD_RUN <= UINT8_MAX, "a run's count fits its byte");
_Static_assert(LG_GUARD_RUN <= LG_PAL_GUARD_RANGES, "a run's ranges fit one lg_pal_guard_remove_ranges and lg_pal_populate_ranges");

typedef struct guard_class {
    lg_lock_t lock;
    uint32_t pages;           /* data pages per slot */
    uint32_t max_slots;
    uint32_t bump;            /* slots handed out at least once */
    uint32_t free_head;       /* index + 1 of the first reusable slot */
    uint32_t marked;          /* slots [0, marked) are committed and were marked (guard markers) */
    size_t slot_size;         /* data pages and the guard page */
    uint64_t slot_reciprocal; /* 2^40 / (pages + 1), rounded up: an address's slot without a division */
    uintptr_t start;
    lg_block_meta *meta;
} __attribute__((aligned(64))) guard_class;

_Static_assert((GUARD_SPAN >> 13) <= (1ull << GUARD_INDEX_BITS), "a class's slot index fits its bits of lg_block.slot");
/* n / d == n * (2^40 / d + 1) >> 40 while n * d < 2^40 (the product's
 * excess over n / d is below n / 2^40 < 1 / d); n: a page within a class,
 * d: a slot's pages, pages of at least 4 KiB. */
#define GUARD_RECIPROCAL_SHIFT 40
_Static_assert((GUARD_SPAN >> 12) * (GUARD_CLASSES + 1) < (1ull << GUARD_RECIPROCAL_SHIFT),
               "a slot's index by its reciprocal is exact");
_Static_assert(GUARD_CLASSES < (1u << (32 - GUARD_INDEX_BITS)), "the class fits its bits of lg_block.slot");

static guard_class gclasses[GUARD_CLASSES];
static uintptr_t guard_start, guard_end;
static size_t page_size;
static unsigned page_shift; /* log2(page_size): no division on the allocation path */
static int mode;
static bool markers; /* guard markers in use: from guard_markers, false from the first refusal on */
/* Guarded allocations so far, per hashed site: the process's own table
 * until it first forks, then a mapping shared with the processes forked
 * from it (lg_guard_share_family), so that a family of processes (a shell
 * and its subshells, a server's workers) guards a site's first uses once,
 * not once in each child.  Not shared from the start: a shared memory
 * mapping's creation, faults and teardown are about 2% of a short process
 * that never forks (an echo under make). */
static uint8_t site_seen_own[1u << LG_GUARD_SITE_BITS];
uint8_t *lg_guard_site_seen = site_seen_own;
/* Which 4 KiB pieces of site_seen_own were written: the share copies only
 * those (reading the rest would fault in each of its pages). */
#define SITE_PIECE 4096u
static uint32_t site_pieces_written;
_Static_assert((sizeof site_seen_own / SITE_PIECE) <= 32 && sizeof site_seen_own % SITE_PIECE == 0,
               "a bit of site_pieces_written for each piece of the table");
uint8_t lg_guard_first;                       /* guard_first under guard=sites, else 0 */
static uint32_t shared_countdown;             /* sampling of allocations made without a cache */
static uint32_t shared_spent;                 /* first uses guarded without a cache */
static uint32_t shared_allocs;                /* allocations made without a cache (their budget grows with them) */
static size_t live_blocks, live_bytes, total_guarded;
/* The run's counts and key (lg_guard_share_run); NULL: counted per process. */
static uint8_t *run_seen;
static uint32_t (*run_key)(uintptr_t site);
/* guard=sites: the time the guarded blocks' opens and closes took, against
 * guard_sample_cost percent of the time since start-up.  A close is a TLB
 * flush, and in a threaded program it waits for every other CPU that runs
 * the program to flush too: in a VM, tens of microseconds a block, where a
 * single thread's is a few (docs/PERFORMANCE.md).  While the calls are
 * over their share a sample waits; first uses do not.  SAMPLE_COST_SLACK_NS
 * lets a young process sample before its share has grown. */
#define SAMPLE_COST_SLACK_NS 2000000ull
static uint64_t clock_start_ns, calls_ns;

bool lg_guard_init(void)
{
    mode = lg_options_guard_mode(&lg_opt);
    if (!LG_CFG_64BIT) mode = GUARD_OFF; /* too little address space */
    if (mode == GUARD_OFF) return true;
    page_size = lg_pal_page_size();
    page_shift = (unsigned)__builtin_ctzl(page_size);
    void *region = lg_pal_reserve((size_t)GUARD_CLASSES * GUARD_SPAN);
    if (!region) {
        mode = GUARD_OFF; /* the heap works without it */
        return true;
    }
    size_t slots = 0;
    for (uint32_t k = 0; k < GUARD_CLASSES; k++) slots += GUARD_SPAN / ((size_t)(k + 2) * page_size);
    lg_block_meta *meta = lg_pal_map(slots * sizeof(lg_block_meta)); /* one mapping for every class's */
    if (!meta) {
        lg_pal_unmap(region, (size_t)GUARD_CLASSES * GUARD_SPAN);
        mode = GUARD_OFF;
        return true;
    }
    for (uint32_t k = 0; k < GUARD_CLASSES; k++) {
        guard_class *gc = &gclasses[k];
        gc->pages = k + 1;
        gc->slot_size = (size_t)(k + 2) * page_size;
#if LG_CFG_64BIT /* a 64-bit division would call libgcc's __udivdi3 on i386 (which has no tier) */
        gc->slot_reciprocal = (1ull << GUARD_RECIPROCAL_SHIFT) / (k + 2) + 1;
#endif
        gc->max_slots = (uint32_t)(GUARD_SPAN / gc->slot_size);
        gc->start = (uintptr_t)region + (uintptr_t)k * GUARD_SPAN;
        gc->meta = meta;
        meta += gc->max_slots;
    }
    guard_start = (uintptr_t)region;
    guard_end = guard_start + (uintptr_t)GUARD_CLASSES * GUARD_SPAN;
    markers = lg_opt.guard_markers; /* probed at the first chunk (extend_marked) */
    clock_start_ns = lg_pal_now_ns();
    if (mode == GUARD_SITES) lg_guard_first = lg_opt.guard_first > UINT8_MAX ? UINT8_MAX : (uint8_t)lg_opt.guard_first;
    return true;
}

void lg_guard_range(uintptr_t *lo, uintptr_t *hi)
{
    *lo = guard_start;
    *hi = guard_end;
}

bool lg_guard_owns(uintptr_t addr)
{
    return addr - guard_start < guard_end - guard_start;
}

static bool within_budget(size_t pages)
{
    return __atomic_load_n(&live_blocks, __ATOMIC_RELAXED) < lg_opt.guard_blocks &&
           __atomic_load_n(&live_bytes, __ATOMIC_RELAXED) + pages * page_size <= (lg_opt.guard_mb << 20);
}

/* Data pages a block of size bytes, its end aligned to align, needs. */
static size_t pages_for(size_t size, size_t align)
{
    size_t pages = (size + align - 1 + page_size - 1) >> page_shift;
    return pages ? pages : 1;
}

static size_t end_alignment(size_t align)
{
    if (!align) return (size_t)lg_opt.guard_align; /* malloc's default alignment */
    return align < 16 ? 16 : align;
}

/* Which side of a guarded block touches a guard page: the end for even
 * numbers (the first of each site), the start for odd ones. */
static uint32_t placement(uint32_t n, size_t pages)
{
    return within_budget(pages) ? (n & 1 ? LG_GUARD_START : LG_GUARD_END) : LG_GUARD_NO;
}

/* Whether this thread may guard one more first use now: checked before
 * the site table, whose lines a program with thousands of allocation
 * stacks keeps out of the CPU caches.  Once it says no, it is asked again
 * at the thread's next renewal (countdown_period: guard_sample
 * allocations), so the budget grows in steps. */
static bool budget_allows(uint64_t spent, uint64_t allocs)
{
    uint64_t grown = allocs > GUARD_GROWTH_AFTER ? (allocs - GUARD_GROWTH_AFTER) / GUARD_BURST_RATE : 0;
    uint64_t burst = lg_opt.guard_first_burst + grown;
    return spent < (burst < GUARD_BURST ? burst : GUARD_BURST) + allocs / GUARD_RATE;
}

static bool first_use_budget(const lg_heap_cache *cache)
{
    if (!cache)
        return budget_allows(__atomic_load_n(&shared_spent, __ATOMIC_RELAXED), __atomic_load_n(&shared_allocs, __ATOMIC_RELAXED));
    return budget_allows(cache->guard_spent, __atomic_load_n(&cache->allocs, __ATOMIC_RELAXED));
}

static void first_use_spend(lg_heap_cache *cache)
{
    if (!cache) __atomic_fetch_add(&shared_spent, 1, __ATOMIC_RELAXED);
    else cache->guard_spent++;
}

/* A site's count set; racy, as the counts are: a few more or less is fine. */
static void site_count_set(uint8_t *seen, uint8_t n)
{
    __atomic_store_n(seen, n, __ATOMIC_RELAXED);
    uintptr_t at = (uintptr_t)seen - (uintptr_t)site_seen_own; /* past the end when seen is in the shared table */
    if (at < sizeof site_seen_own) __atomic_fetch_or(&site_pieces_written, 1u << (at / SITE_PIECE), __ATOMIC_RELAXED);
}

/* A count another thread sets in the own table meanwhile may be lost: one
 * more first use guarded. */
void lg_guard_share_family(void)
{
    if (!lg_guard_first || __atomic_load_n(&lg_guard_site_seen, __ATOMIC_RELAXED) != site_seen_own) return; /* nothing to count */
    uint8_t *shared = lg_pal_map_shared(sizeof site_seen_own);
    if (!shared) return; /* each child counts on from its copy */
    uint32_t written = __atomic_load_n(&site_pieces_written, __ATOMIC_RELAXED);
    for (uint32_t k = 0; k < sizeof site_seen_own / SITE_PIECE; k++)
        if (written & (1u << k)) lg_mem_copy(shared + k * SITE_PIECE, site_seen_own + k * SITE_PIECE, SITE_PIECE);
    __atomic_store_n(&lg_guard_site_seen, shared, __ATOMIC_RELEASE);
}

void lg_guard_share_run(uint8_t *counts, uint32_t (*key)(uintptr_t site))
{
    run_key = key;
    __atomic_store_n(&run_seen, counts, __ATOMIC_RELEASE);
}

/* A site this process guarded n < guard_first times so far: whether the
 * run wants one more of it, and which of the run's first uses it is (*nth,
 * for its placement).  When the run has had them all, the process's count
 * is filled up: the key is computed once per site and process, not at
 * every allocation. */
static bool first_use_in_run(uint8_t *seen, uint8_t n, uintptr_t site, uint32_t *nth)
{
    uint8_t *run = __atomic_load_n(&run_seen, __ATOMIC_ACQUIRE);
    *nth = n;
    if (!run) return true;
    uint8_t *count = &run[run_key(site) & ((1u << LG_GUARD_RUN_BITS) - 1)];
    uint8_t had = __atomic_load_n(count, __ATOMIC_RELAXED);
    if (had >= lg_guard_first) {
        site_count_set(seen, lg_guard_first);
        return false;
    }
    __atomic_store_n(count, (uint8_t)(had + 1), __ATOMIC_RELAXED); /* racy, as the process's count */
    *nth = had;
    return true;
}

/* Whether the guarded blocks' calls leave room for a sample.  Products,
 * not a quotient: a 64-bit division would call libgcc on i386. */
static bool sample_affordable(void)
{
    if (!lg_opt.guard_sample_cost) return true;
    uint64_t elapsed = lg_pal_now_ns() - clock_start_ns;
    return __atomic_load_n(&calls_ns, __ATOMIC_RELAXED) * 100 <= elapsed * lg_opt.guard_sample_cost + SAMPLE_COST_SLACK_NS * 100;
}

/* A guarded block's opening or closing call timed, under guard=sites with
 * a cost limit: 0 from calls_started when it is not. */
static uint64_t calls_started(void)
{
    return mode == GUARD_SITES && lg_opt.guard_sample_cost ? lg_pal_now_ns() : 0;
}

static void calls_done(uint64_t started)
{
    if (started) __atomic_fetch_add(&calls_ns, lg_pal_now_ns() - started, __ATOMIC_RELAXED);
}

/* Allocations between two renewals of a thread's countdown. */
static uint32_t countdown_period(void)
{
    if (mode == GUARD_ALL) return 1;      /* every allocation is decided here */
    if (mode == GUARD_OFF) return UINT32_MAX;
    if (!lg_opt.guard_sample) return GUARD_RATE; /* no sampling: only the budget of first uses to renew */
    return lg_opt.guard_sample > UINT32_MAX ? UINT32_MAX : (uint32_t)lg_opt.guard_sample;
}

/* Without a cache (early allocations, a thread's exit): every allocation
 * is decided here, on shared counters. */
static uint32_t wanted_shared(size_t pages, uintptr_t site)
{
    if (mode == GUARD_ALL) return placement(__atomic_fetch_add(&shared_countdown, 1, __ATOMIC_RELAXED), pages);
    __atomic_fetch_add(&shared_allocs, 1, __ATOMIC_RELAXED);
    if (first_use_budget(NULL)) {
        uint8_t *seen = &lg_guard_site_table()[lg_guard_site_index(site)];
        uint8_t n = __atomic_load_n(seen, __ATOMIC_RELAXED);
        uint32_t nth;
        if (n < lg_guard_first && first_use_in_run(seen, n, site, &nth)) {
            first_use_spend(NULL);
            site_count_set(seen, (uint8_t)(n + 1));
            return placement(nth, pages);
        }
    }
    if (!lg_opt.guard_sample) return LG_GUARD_NO;
    uint32_t tick = __atomic_fetch_add(&shared_countdown, 1, __ATOMIC_RELAXED);
    /* 32-bit arithmetic: a 64-bit % on i386 would call libgcc's __umoddi3 */
    uint32_t sample = lg_opt.guard_sample > UINT32_MAX ? UINT32_MAX : (uint32_t)lg_opt.guard_sample;
    return tick % sample == 0 && sample_affordable() ? placement(tick / sample, pages) : LG_GUARD_NO;
}

static void flush_pending(lg_heap_cache *cache);

uint32_t lg_guard_wanted(lg_heap_cache *cache, size_t size, size_t align, uintptr_t site)
{
    bool fits = mode != GUARD_OFF && size <= lg_opt.guard_max_size && align <= page_size;
    size_t pages = fits ? pages_for(size, end_alignment(align)) : 0;
    if (pages > GUARD_CLASSES) fits = false;
    if (!cache) return fits ? wanted_shared(pages, site) : LG_GUARD_NO;
    if (mode == GUARD_ALL) { /* every allocation comes here: it ends the thread's run of frees */
        cache->guard_streak = false;
        if (LG_UNLIKELY(cache->guard_pending)) flush_pending(cache);
    }
    bool sampled = false;
    if (cache->guard_countdown <= 1) { /* ran out (1), or a fresh cache (0) */
        sampled = cache->guard_countdown == 1 && mode == GUARD_SITES && lg_opt.guard_sample;
        cache->guard_countdown = countdown_period();
        cache->guard_first_open = mode == GUARD_SITES && first_use_budget(cache);
        if (mode == GUARD_ALL) return fits ? placement(cache->guard_spent++, pages) : LG_GUARD_NO;
    }
    if (!fits) return LG_GUARD_NO;
    if (cache->guard_first_open) {
        uint8_t *seen = &lg_guard_site_table()[lg_guard_site_index(site)];
        uint8_t n = __atomic_load_n(seen, __ATOMIC_RELAXED);
        uint32_t nth;
        if (n < lg_guard_first && first_use_in_run(seen, n, site, &nth)) {
            first_use_spend(cache);
            cache->guard_first_open = first_use_budget(cache);
            site_count_set(seen, (uint8_t)(n + 1));
            return placement(nth, pages);
        }
    }
    return sampled && sample_affordable() ? placement((uint32_t)cache->birth_next, pages) : LG_GUARD_NO;
}

/* ---- making pages accessible and not ---------------------------------------- */

/* Whether [addr, addr + size) lies in its class's marked chunks (committed
 * read-write; every page faults but a live block's and the data pages of
 * slots never handed out).  The
 * frontier only grows, under the class lock, before the slots past it are
 * handed out: whoever holds one of them sees it. */
static bool in_marked(uintptr_t addr, size_t size)
{
    const guard_class *gc = &gclasses[(addr - guard_start) >> GUARD_SPAN_BITS];
    uint32_t marked = __atomic_load_n(&gc->marked, __ATOMIC_ACQUIRE);
    return addr + size <= gc->start + (uintptr_t)marked * gc->slot_size;
}

/* Under the class lock, for a fresh slot past the frontier: the next chunk
 * committed and its slots' guard pages marked, in one call (their data
 * pages stay untouched until handed out: a fresh slot costs no call).
 * The first refusal (an older kernel: the probe) switches markers off for
 * good; the slot is then committed alone. */
static void extend_marked(guard_class *gc)
{
    if (!__atomic_load_n(&markers, __ATOMIC_RELAXED)) return;
    uint32_t n = gc->marked < GUARD_FIRST_CHUNK_SLOTS ? GUARD_FIRST_CHUNK_SLOTS
                 : gc->marked < GUARD_CHUNK_SLOTS     ? gc->marked
                                                      : GUARD_CHUNK_SLOTS;
    if (n > gc->max_slots - gc->marked) n = gc->max_slots - gc->marked;
    uintptr_t first = gc->start + (uintptr_t)gc->marked * gc->slot_size;
    void *lo = (void *)first;
    size_t bytes = (size_t)n * gc->slot_size;
    if (!lg_pal_commit(lo, bytes)) return; /* out of memory or mappings now: this slot alone, below */
    if (!lg_pal_guard_install_each(first + (size_t)gc->pages * page_size, gc->slot_size, n, page_size)) {
        lg_pal_decommit(lo, bytes);
        __atomic_store_n(&markers, false, __ATOMIC_RELAXED);
        return;
    }
    __atomic_store_n(&gc->marked, gc->marked + n, __ATOMIC_RELEASE);
}

/* Makes a slot's pages (or a guard page) readable and writable, zero-filled.
 * In a marked chunk, its markers removed: enough while markers are in use;
 * once they were given up, the pages may have been decommitted since. */
static bool open_pages(uintptr_t addr, size_t size)
{
    bool marked = in_marked(addr, size);
    if (marked && !lg_pal_guard_remove((void *)addr, size)) return false;
    return (marked && __atomic_load_n(&markers, __ATOMIC_RELAXED)) || lg_pal_commit((void *)addr, size);
}

/* Makes them inaccessible and gives their memory back. */
static void close_pages(uintptr_t addr, size_t size)
{
    if (__atomic_load_n(&markers, __ATOMIC_RELAXED) && in_marked(addr, size)) {
        if (lg_pal_guard_install((void *)addr, size)) return;
        __atomic_store_n(&markers, false, __ATOMIC_RELAXED); /* a locked mapping (mlockall): protections from now on */
    }
    lg_pal_decommit((void *)addr, size);
}

static void to_block(uint32_t k, uint32_t index, lg_block *out)
{
    guard_class *gc = &gclasses[k];
    lg_block_meta *m = &gc->meta[index];
    out->slot_start = gc->start + (uintptr_t)index * gc->slot_size;
    out->slot_end = out->slot_start + (size_t)gc->pages * page_size;
    out->user = out->slot_start + m->offset;
    out->size = m->size;
    out->meta = m;
    out->size_class = LG_GUARD_CLASS;
    out->slot = k << GUARD_INDEX_BITS | index;
}

void lg_guard_to_block(uint32_t slot, lg_block *out)
{
    to_block(slot >> GUARD_INDEX_BITS, slot & ((1u << GUARD_INDEX_BITS) - 1), out);
}

/* Under the class lock: up to want slots, reusable ones first (a run's
 * stays in the order the quarantine gave them back: mostly side by side),
 * then fresh ones (RUN_FRESH: their pages committed, untouched, their guard
 * page marked).  Returns how many. */
static uint32_t take_slots(guard_class *gc, uint32_t *out, uint32_t want)
{
    uint32_t n = 0;
    for (; n < want && gc->free_head; n++) {
        uint32_t index = gc->free_head - 1;
        gc->free_head = gc->meta[index].next_free;
        out[want - 1 - n] = index; /* handed out from the end */
    }
    for (; n < want && gc->bump < gc->max_slots; n++) {
        uint32_t index = gc->bump;
        if (index >= gc->marked) extend_marked(gc);
        out[want - 1 - n] = index | (index < gc->marked ? RUN_FRESH : 0);
        __atomic_store_n(&gc->bump, gc->bump + 1, __ATOMIC_RELEASE);
    }
    if (n < want)
        for (uint32_t i = 0; i < n; i++) out[i] = out[want - n + i];
    return n;
}

/* A run's reused slots opened in one call (RUN_FRESH then: no call at
 * their allocation).  They are out of quarantine: until handed out, a
 * stale pointer into them reads zeros instead of faulting, as in any
 * slot never used.  Then they are given their pages in one more call, up
 * to POPULATE_PAGES of them: a page fault each at the first write cost
 * more (docs/PERFORMANCE.md).  Only reused ones: a thread that reuses a
 * class's slots will use the run, where fresh slots may stay untouched. */
#define POPULATE_PAGES LG_GUARD_RUN /* a run of one-page slots */
static void open_run(uint32_t *run, uint32_t n, uint32_t k)
{
    const guard_class *gc = &gclasses[k];
    size_t data_bytes = (size_t)gc->pages * page_size;
    uintptr_t ranges[LG_GUARD_RUN][2];
    uint32_t r = 0, opened[LG_GUARD_RUN];
    if (!__atomic_load_n(&markers, __ATOMIC_RELAXED)) return;
    for (uint32_t i = 0; i < n; i++) {
        if (run[i] & RUN_FRESH) continue;
        uintptr_t data = gc->start + (uintptr_t)run[i] * gc->slot_size;
        if (!in_marked(data, data_bytes)) continue;
        ranges[r][0] = data;
        ranges[r][1] = data + data_bytes;
        opened[r++] = i;
    }
    if (r < 2 || !lg_pal_guard_remove_ranges(ranges, r)) return; /* each opened at its allocation */
    for (uint32_t i = 0; i < r; i++) run[opened[i]] |= RUN_FRESH;
    uint32_t fill = POPULATE_PAGES / gc->pages; /* slots: the last ones, handed out first */
    if (fill > r) fill = r;
    if (fill >= 2) lg_pal_populate_ranges(ranges + (r - fill), fill);
}

/* A slot of class k for a new block: from the thread's run under
 * guard=all (the class lock once a run), else from the class. */
static bool take_slot(lg_heap_cache *cache, uint32_t k, uint32_t *entry)
{
    guard_class *gc = &gclasses[k];
    if (cache && mode == GUARD_ALL) {
        uint32_t n = cache->guard_run_count[k];
        if (!n) {
            lg_lock(&gc->lock);
            n = take_slots(gc, cache->guard_run[k], LG_GUARD_RUN);
            lg_unlock(&gc->lock);
            if (!n) return false;
            open_run(cache->guard_run[k], n, k);
        }
        *entry = cache->guard_run[k][--n];
        cache->guard_run_count[k] = (uint8_t)n;
        return true;
    }
    lg_lock(&gc->lock);
    uint32_t n = take_slots(gc, entry, 1);
    lg_unlock(&gc->lock);
    return n == 1;
}

void *lg_guard_alloc(lg_heap_cache *cache, uint32_t side, size_t size, size_t align, lg_stack_id stack, uint32_t tid,
                     uint64_t birth)
{
    size_t end_align = end_alignment(align);
    uint32_t k = (uint32_t)pages_for(size, end_align) - 1;
    guard_class *gc = &gclasses[k];
    uint32_t entry;
    if (!take_slot(cache, k, &entry)) return NULL;
    uint32_t index = entry & ~RUN_FRESH;
    bool fresh = entry & RUN_FRESH;

    uintptr_t data = gc->start + (uintptr_t)index * gc->slot_size;
    size_t data_bytes = (size_t)gc->pages * page_size;
    uint64_t started = fresh ? 0 : calls_started(); /* a fresh slot makes no call */
    if (!fresh && !open_pages(data, data_bytes)) { /* out of kernel mappings, or memory */
        lg_guard_release(k << GUARD_INDEX_BITS | index);
        return NULL;
    }
    calls_done(started);
    /* At the start: the guard page below is the previous slot's. */
    uintptr_t user = side == LG_GUARD_START ? data : (data + data_bytes - size) & ~(uintptr_t)(end_align - 1);
    lg_block_meta *m = &gc->meta[index];
    m->next_free = 0; /* no guard page opened */
    lg_block_meta_born(m, size, user - data, stack, tid, birth);
    size_t left = user - data < LG_REDZONE_CHECKED ? user - data : LG_REDZONE_CHECKED;
    lg_redzone_fill(user - left, left);
    size_t right = data + data_bytes - user - size < LG_REDZONE_CHECKED ? data + data_bytes - user - size : LG_REDZONE_CHECKED;
    lg_redzone_fill(user + size, right);
    __atomic_fetch_add(&live_blocks, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&live_bytes, data_bytes, __ATOMIC_RELAXED);
    __atomic_fetch_add(&total_guarded, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&m->state, LG_BLOCK_LIVE, __ATOMIC_RELEASE);
    return (void *)user;
}

/* The page a suppressed fault opened, checked as a redzone: what was
 * written there is reported as a redzone's damage.  When a suppressed
 * write opened it, the damage is that write's: checked under its stack
 * (kept in free_stack while the block lives), so the rule that hid the
 * write hides its damage too.  When only a read did, the damage is some
 * other write's: checked under the allocation's stack, as for an unguarded
 * block.  Then the page is a guard page again. */
static void close_guard_page(const lg_block *b, uint32_t opened, uint32_t side, lg_stack_id stack, uint32_t tid,
                             const char *when)
{
    uintptr_t page = side == GUARD_OPENED_ABOVE ? b->slot_end : b->slot_start - page_size;
    size_t changed = lg_redzone_find_change(page, page_size);
    if (changed != SIZE_MAX) {
        lg_stack_id access = opened & GUARD_OPENED_WRITE ? b->meta->free_stack : 0;
        lg_finding f = {
            .kind = LG_HEAP_OVERFLOW, .key = access ? access : b->meta->alloc_stack, .op = LG_OP_CHECK,
            .op_name = when, .address = page + changed, .block = b,
            .where = side == GUARD_OPENED_ABOVE ? LG_WHERE_PAST_END : LG_WHERE_BEFORE, .stack = stack, .tid = tid,
        };
        lg_finding_report(&f);
    }
    close_pages(page, page_size);
}

void lg_guard_close(const lg_block *b, lg_stack_id stack, uint32_t tid, const char *when)
{
    uint32_t opened = b->meta->next_free;
    if (LG_LIKELY((opened & ~GUARD_OPENED_MASK) != GUARD_OPENED)) return;
    if (opened & GUARD_OPENED_ABOVE) close_guard_page(b, opened, GUARD_OPENED_ABOVE, stack, tid, when);
    if (opened & GUARD_OPENED_BELOW) close_guard_page(b, opened, GUARD_OPENED_BELOW, stack, tid, when);
    b->meta->next_free = 0;
    b->meta->free_stack = 0;
}

/* Makes a batch of freed blocks' pages inaccessible: neighbours in one
 * range (the guard page between them is marked already). */
static void close_batch(const uint32_t *slots, uint32_t n)
{
    uintptr_t ranges[LG_GUARD_BATCH_MAX][2];
    uint32_t r = 0;
    for (uint32_t i = 0; i < n; i++) {
        lg_block b;
        lg_guard_to_block(slots[i], &b);
        if (r && i && slots[i] == slots[i - 1] + 1) ranges[r - 1][1] = b.slot_end;
        else {
            ranges[r][0] = b.slot_start;
            ranges[r++][1] = b.slot_end;
        }
    }
    if (__atomic_load_n(&markers, __ATOMIC_RELAXED) && lg_pal_guard_install_ranges(ranges, r)) return;
    __atomic_store_n(&markers, false, __ATOMIC_RELAXED); /* refused (mlockall): protections from now on */
    for (uint32_t i = 0; i < r; i++) lg_pal_decommit((void *)ranges[i][0], ranges[i][1] - ranges[i][0]);
}

/* The thread's waiting frees made inaccessible, but those an eviction took
 * meanwhile (lg_guard_take_pending), their poison verified first. */
static void flush_pending(lg_heap_cache *cache)
{
    uint32_t n = cache->guard_pending, m = 0;
    uint32_t mine[LG_GUARD_BATCH_MAX];
    cache->guard_pending = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t slot = cache->guard_pending_slot[i];
        lg_block_meta *meta = &gclasses[slot >> GUARD_INDEX_BITS].meta[slot & ((1u << GUARD_INDEX_BITS) - 1)];
        uint32_t expected = GUARD_PENDING;
        if (!__atomic_compare_exchange_n(&meta->next_free, &expected, GUARD_CLOSING, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            continue;
        uint32_t j = m++; /* sorted by class, then index: neighbours side by side */
        for (; j && mine[j - 1] > slot; j--) mine[j] = mine[j - 1];
        mine[j] = slot;
    }
    for (uint32_t i = 0; i < m; i++) {
        lg_block b;
        lg_guard_to_block(mine[i], &b);
        lg_heap_verify_batched(&b);
    }
    close_batch(mine, m);
    for (uint32_t i = 0; i < m; i++)
        __atomic_store_n(&gclasses[mine[i] >> GUARD_INDEX_BITS].meta[mine[i] & ((1u << GUARD_INDEX_BITS) - 1)].next_free, 0,
                         __ATOMIC_RELEASE);
}

void lg_guard_free(lg_heap_cache *cache, const lg_block *b)
{
    __atomic_fetch_sub(&live_blocks, 1, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&live_bytes, b->slot_end - b->slot_start, __ATOMIC_RELAXED);
    if (cache && mode == GUARD_ALL && lg_opt.guard_batch > 1 && __atomic_load_n(&markers, __ATOMIC_RELAXED) &&
        in_marked(b->slot_start, b->slot_end - b->slot_start)) {
        bool streak = cache->guard_streak;
        cache->guard_streak = true;
        if (streak) {
            lg_poison_fill(b->user, b->size, lg_poison_word(b->meta->qtag));
            __atomic_store_n(&b->meta->next_free, GUARD_PENDING, __ATOMIC_RELEASE);
            cache->guard_pending_slot[cache->guard_pending++] = b->slot;
            if (cache->guard_pending >= lg_opt.guard_batch) flush_pending(cache);
            return;
        }
        if (cache->guard_pending) flush_pending(cache);
    }
    uint64_t started = calls_started();
    close_pages(b->slot_start, b->slot_end - b->slot_start);
    calls_done(started);
}

bool lg_guard_take_pending(const lg_block *b)
{
    for (uint32_t spins = 0;; spins++) {
        uint32_t v = __atomic_load_n(&b->meta->next_free, __ATOMIC_ACQUIRE);
        if (v == GUARD_PENDING) {
            if (__atomic_compare_exchange_n(&b->meta->next_free, &v, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                return true;
            continue;
        }
        /* Its freer is closing it (one system call): wait, so that the
         * slot is not handed out before its pages are inaccessible. */
        if (v != GUARD_CLOSING || spins > (1u << 24)) return false;
        if (spins >= 64) lg_pal_yield(); /* on fewer CPUs than threads, the freer may not be running */
    }
}

void lg_guard_close_freed(const lg_block *b)
{
    close_pages(b->slot_start, b->slot_end - b->slot_start);
}

void lg_guard_cache_release(lg_heap_cache *cache)
{
    if (mode == GUARD_OFF) return;
    if (cache->guard_pending) flush_pending(cache);
    cache->guard_streak = false;
    for (uint32_t k = 0; k < GUARD_CLASSES; k++) {
        for (uint32_t i = 0; i < cache->guard_run_count[k]; i++) {
            uint32_t index = cache->guard_run[k][i] & ~RUN_FRESH;
            /* Closed again: every slot on the free list is inaccessible (a fresh one is committed). */
            if (cache->guard_run[k][i] & RUN_FRESH) close_pages(gclasses[k].start + (uintptr_t)index * gclasses[k].slot_size,
                                                                (size_t)gclasses[k].pages * page_size);
            lg_guard_release(k << GUARD_INDEX_BITS | index);
        }
        cache->guard_run_count[k] = 0;
    }
}

/* A freed block's pages back as an unguarded quarantined block's would be:
 * readable and writable, holding its poison (a pointer loaded from it is
 * a stale pointer).  Its later accesses are not checked (a guarded block's
 * poison is not verified at eviction): the one that faulted was the
 * finding, and it was suppressed. */
static bool reopen_freed(const lg_block *b, uint8_t state)
{
    size_t bytes = b->slot_end - b->slot_start;
    if (b->size_class == LG_GUARD_CLASS ? !open_pages(b->slot_start, bytes) : !lg_pal_commit((void *)b->slot_start, bytes))
        return false;
    /* Out of quarantine (reusable), an allocation may be filling it now: left as the kernel gives it. */
    if (state == LG_BLOCK_QUARANTINED) lg_poison_fill(b->slot_start, b->slot_end - b->slot_start, lg_poison_word(b->meta->qtag));
    return true;
}

bool lg_guard_reopen(const lg_block *b, uintptr_t addr, lg_stack_id access, bool read)
{
    uint8_t state = __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE);
    bool in_pages = addr >= b->slot_start && addr < b->slot_end;
    if (b->size_class == LG_LARGE_CLASS) return state != LG_BLOCK_LIVE && in_pages && reopen_freed(b, state);
    if (b->size_class != LG_GUARD_CLASS) return false;
    if (state != LG_BLOCK_LIVE) return in_pages && reopen_freed(b, state);
    uint32_t side;
    uintptr_t page;
    if (addr >= b->slot_end && addr - b->slot_end < page_size) {
        side = GUARD_OPENED_ABOVE;
        page = b->slot_end;
    } else if (addr < b->slot_start && b->slot_start - addr <= page_size) {
        side = GUARD_OPENED_BELOW;
        page = b->slot_start - page_size;
    } else {
        return false; /* farther: another block's pages, or none */
    }
    if (!lg_guard_owns(page) || !open_pages(page, page_size)) return false;
    lg_redzone_fill(page, page_size);
    uint32_t opened = b->meta->next_free;
    if ((opened & ~GUARD_OPENED_MASK) != GUARD_OPENED) opened = GUARD_OPENED;
    if (!read) {
        opened |= GUARD_OPENED_WRITE;
        b->meta->free_stack = access; /* the key its damage is checked under (lg_guard_close) */
    }
    b->meta->next_free = opened | side;
    return true;
}

void lg_guard_release(uint32_t slot)
{
    uint32_t k = slot >> GUARD_INDEX_BITS, index = slot & ((1u << GUARD_INDEX_BITS) - 1);
    guard_class *gc = &gclasses[k];
    lg_lock(&gc->lock);
    gc->meta[index].next_free = gc->free_head;
    gc->free_head = index + 1;
    lg_unlock(&gc->lock);
}

static bool used(uint32_t k, uint32_t index)
{
    return __atomic_load_n(&gclasses[k].meta[index].state, __ATOMIC_ACQUIRE) != LG_BLOCK_UNUSED;
}

/* A guard page lies between the end of one block and the start of the
 * next: a fault in it is named after the nearer of the two. */
bool lg_guard_find(uintptr_t addr, lg_block *out)
{
    if (!lg_guard_owns(addr)) return false;
    uint32_t k = (uint32_t)((addr - guard_start) >> GUARD_SPAN_BITS);
    guard_class *gc = &gclasses[k];
    uint64_t index = ((addr - gc->start) >> page_shift) * gc->slot_reciprocal >> GUARD_RECIPROCAL_SHIFT;
    uint32_t bump = __atomic_load_n(&gc->bump, __ATOMIC_ACQUIRE);
    if (index >= bump) return false;
    to_block(k, (uint32_t)index, out);
    if (addr >= out->slot_end && index + 1 < bump && used(k, (uint32_t)index + 1)) {
        lg_block next;
        to_block(k, (uint32_t)index + 1, &next);
        if (next.user - addr < addr - (out->user + out->size)) *out = next;
    }
    return true;
}

bool lg_guard_find_near(uintptr_t addr, size_t max_distance, lg_block *out)
{
    if (!lg_guard_owns(addr)) return false;
    if (lg_guard_find(addr, out)) return true;
    /* Past the last slot of its class: the nearest one ever used below. */
    uint32_t k = (uint32_t)((addr - guard_start) >> GUARD_SPAN_BITS);
    guard_class *gc = &gclasses[k];
    uint32_t bump = __atomic_load_n(&gc->bump, __ATOMIC_ACQUIRE);
    uint64_t span = max_distance / gc->slot_size + 1;
    for (uint64_t i = 0; i < bump && i <= span; i++) {
        uint32_t index = (uint32_t)(bump - 1 - i);
        if (!used(k, index)) continue;
        to_block(k, index, out);
        if (addr - (out->user + out->size) <= max_distance) return true;
        break;
    }
    /* Just below the next class's first slot (an underflow of it). */
    if (k + 1 < GUARD_CLASSES && __atomic_load_n(&gclasses[k + 1].bump, __ATOMIC_ACQUIRE) && used(k + 1, 0)) {
        to_block(k + 1, 0, out);
        return out->user - addr <= max_distance;
    }
    return false;
}

void lg_guard_each_live(lg_block_visit_fn visit, void *ctx)
{
    if (mode == GUARD_OFF) return;
    for (uint32_t k = 0; k < GUARD_CLASSES; k++) {
        uint32_t bump = __atomic_load_n(&gclasses[k].bump, __ATOMIC_ACQUIRE);
        for (uint32_t index = 0; index < bump; index++) {
            if (__atomic_load_n(&gclasses[k].meta[index].state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE) continue;
            lg_block b;
            to_block(k, index, &b);
            visit(&b, ctx);
        }
    }
}

void lg_guard_lock_all(void)
{
    for (uint32_t k = 0; k < GUARD_CLASSES; k++) lg_lock(&gclasses[k].lock);
}

void lg_guard_unlock_all(void)
{
    for (uint32_t k = GUARD_CLASSES; k-- > 0;) lg_unlock(&gclasses[k].lock);
}

void lg_guard_summary(void)
{
    lg_report_summary_u64("guarded_allocations", __atomic_load_n(&total_guarded, __ATOMIC_RELAXED));
}

void lg_guard_stats(size_t *blocks, size_t *bytes, size_t *total)
{
    *total = __atomic_load_n(&total_guarded, __ATOMIC_RELAXED);
    *blocks = __atomic_load_n(&live_blocks, __ATOMIC_RELAXED);
    *bytes = __atomic_load_n(&live_bytes, __ATOMIC_RELAXED);
}
