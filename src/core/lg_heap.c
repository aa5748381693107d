/* lg_heap.c — the checked allocator: size classes and slots; large blocks
 * are in lg_heap_large.c.
 *
 * See lg_heap.h for the layout.  Allocation takes a slot from the thread's
 * cache (lg_heap_cache.c), which refills from its class under the class
 * lock; free takes no lock (a compare-and-swap on the slot state catches
 * racing double frees) and hands the block to the quarantine, whose
 * evictions come back here (lg_heap_recycle) to be verified and reused. */
#include "lg_heap.h"
#include "lg_finding.h"

#define CLASS_COUNT LG_CLASS_COUNT
#define CLASS_SPAN_BITS LG_CFG_CLASS_SPAN_BITS /* each class owns this much address space */
#define CLASS_SPAN ((uintptr_t)1 << CLASS_SPAN_BITS)
#define MAX_SLOT LG_CFG_MAX_SLOT
#define COMMIT_CHUNK (CLASS_SPAN < (256u << 10) ? CLASS_SPAN : (256u << 10))
/* Larger requests fail like glibc's; on 32 bits, well before size + redzones could wrap. */
#define MAX_REQUEST (LG_CFG_64BIT ? (size_t)1 << 46 : SIZE_MAX / 4)
_Static_assert((uint64_t)CLASS_COUNT << CLASS_SPAN_BITS <= (uint64_t)UINTPTR_MAX / 2,
               "the size classes' range must fit in half the address space");
/* Memory of freed blocks past the quarantine is reused by its class, the
 * slot freed last first.  The slots at the bottom of a class's stack of
 * free ids that stayed there since the class was last swept (below its
 * low-water mark), beyond the CLASS_IDLE_KEEP bytes above them, give their
 * pages back: each page all of whose slots are in the stack (or never
 * handed out).  The classes are swept in turn, one every SWEEP_EVERY gives
 * of any class, so a class the program no longer uses is swept too.
 * Without it the quarantine's 64 MiB, passing from class to class as a
 * program's sizes change, left each class at its high-water mark
 * (docs/PERFORMANCE-HISTORY.md, "Peak RSS, mapping by mapping"); the low-water
 * mark keeps a class whose stack swings from giving back pages it takes
 * again at once. */
#define CLASS_IDLE_KEEP (64u << 10)
#define SWEEP_EVERY 8u
/* And a class of slots of at least PURGE_MIN_SLOT bytes that keeps more
 * than CLASS_IDLE_MAX bytes idle gives the inner pages of slots back as
 * they come in (a string grown by malloc, copy and free passes through
 * each such class once). */
#define CLASS_IDLE_MAX (1u << 20)
#define PURGE_MIN_SLOT 8192u
#define PURGE_STEP 256u /* slots offered to the purge at one sweep, at most: bounds the time the lock is held */
#define CACHE_BYTES_MAX (256u << 10)         /* a thread cache's bytes per class, beyond 2 slots */

typedef struct size_class {
    lg_lock_t lock;
    uint32_t slot_size;
    uint32_t max_slots;
    uint32_t bump;            /* slots handed out at least once */
    uint64_t div_magic;       /* 2^64 / slot_size rounded up: offset / slot_size by a multiply */
    uint32_t free_count;      /* reusable slots: free_ids[0 .. free_count) */
    uint32_t cache_cap;       /* slots a thread cache keeps of this class */
    uintptr_t start;
    uintptr_t committed_end;
    lg_block_meta *meta;
    /* The reusable slots as a stack of ids, the last given on top: taking a
     * batch reads one run of ids, where a list linked through the slots'
     * metadata missed the cache at every link (espresso at full input:
     * 7.6% of its time on that one load). */
    uint32_t *free_ids;
    uint64_t *listed;         /* a bit per slot: its id is in free_ids (changed under the lock) */
    uint32_t purged_below;    /* free_ids[0 .. purged_below) were offered to the purge */
    uint32_t low_water;       /* free_ids[0 .. low_water) untouched since the last sweep */
} __attribute__((aligned(64))) size_class;

static size_class classes[CLASS_COUNT];
static bool heap_exiting; /* the exit checks drain the quarantine: no page is worth giving back then */
static uintptr_t heap_start, heap_end;
static bool heap_ready;
static lg_lock_t heap_init_lock = LG_LOCK_INIT;
static size_t page_size;

static uint64_t birth_clock = 1;
/* Bumped by every checkpoint (lg_birth_now): a thread's range of births
 * reserved before it is dropped, so what is born after a checkpoint is
 * numbered after it. */
static uint32_t birth_epoch;
#define BIRTH_RANGE 64 /* births a thread cache takes from the clock at once */
static uint64_t stat_allocs, stat_frees;

lg_block_freed_fn lg_on_block_freed;

uint64_t lg_birth_next(void)
{
    return __atomic_fetch_add(&birth_clock, 1, __ATOMIC_RELAXED);
}

uint64_t lg_birth_now(void)
{
    uint64_t now = __atomic_load_n(&birth_clock, __ATOMIC_RELAXED);
    __atomic_fetch_add(&birth_epoch, 1, __ATOMIC_RELAXED);
    return now;
}

/* A birth without an atomic on the shared clock in the common case. */
static inline uint64_t cache_birth(lg_heap_cache *c)
{
    uint32_t epoch = __atomic_load_n(&birth_epoch, __ATOMIC_RELAXED);
    if (LG_UNLIKELY(c->birth_next == c->birth_end || c->birth_epoch != epoch)) {
        c->birth_next = __atomic_fetch_add(&birth_clock, BIRTH_RANGE, __ATOMIC_RELAXED);
        c->birth_end = c->birth_next + BIRTH_RANGE;
        c->birth_epoch = epoch;
    }
    return c->birth_next++;
}

/* ---- size classes ------------------------------------------------------- */

static uint32_t class_slot_size(uint32_t c)
{
    if (c < 15) return (c + 2) * 16;
    uint32_t k = c - 15, lg = 8 + k / 4, sub = k % 4;
    return (1u << lg) + (sub + 1) * (1u << (lg - 2));
}

static uint32_t class_of(size_t need)
{
    if (need <= 32) return 0;
    if (need <= 256) return (uint32_t)((need + 15) / 16 - 2);
    uint32_t lg = 63 - lg_clz64(need - 1);
    uint32_t sub = (uint32_t)((need - 1 - (1ull << lg)) >> (lg - 2));
    return 15 + (lg - 8) * 4 + sub;
}

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

bool lg_heap_ready(void)
{
    return __atomic_load_n(&heap_ready, __ATOMIC_ACQUIRE);
}

bool lg_heap_init(void)
{
    if (lg_heap_ready()) return true;
    lg_lock(&heap_init_lock);
    if (!heap_ready) {
        page_size = lg_pal_page_size();
        void *region = lg_pal_reserve((size_t)CLASS_COUNT * CLASS_SPAN);
        bool ok = region && lg_poison_init() && lg_quarantine_init() && lg_guard_init();
        for (uint32_t c = 0; ok && c < CLASS_COUNT; c++) {
            size_class *sc = &classes[c];
            sc->slot_size = class_slot_size(c);
            sc->max_slots = (uint32_t)(CLASS_SPAN / sc->slot_size);
#if LG_CFG_64BIT
            sc->div_magic = UINT64_MAX / sc->slot_size + 1;
#endif
            sc->cache_cap = CACHE_BYTES_MAX / sc->slot_size;
            if (sc->cache_cap > LG_CACHE_SLOTS) sc->cache_cap = LG_CACHE_SLOTS;
            if (sc->cache_cap < 2) sc->cache_cap = 2;
            sc->start = (uintptr_t)region + (uintptr_t)c * CLASS_SPAN;
            sc->committed_end = sc->start;
            /* One mapping for the three tables: a kernel's platform layer may have few lazy ranges. */
            size_t meta_bytes = align_up((size_t)sc->max_slots * sizeof(lg_block_meta), 64);
            size_t ids_bytes = align_up((size_t)sc->max_slots * sizeof(uint32_t), 64);
            char *tables = lg_pal_map(meta_bytes + ids_bytes + align_up(sc->max_slots, 64) / 8);
            sc->meta = (lg_block_meta *)tables;
            sc->free_ids = (uint32_t *)(tables + meta_bytes);
            sc->listed = (uint64_t *)(tables + meta_bytes + ids_bytes);
            ok = tables != NULL;
        }
        if (ok) {
            heap_start = (uintptr_t)region;
            heap_end = heap_start + (uintptr_t)CLASS_COUNT * CLASS_SPAN;
            __atomic_store_n(&heap_ready, true, __ATOMIC_RELEASE);
        }
    }
    lg_unlock(&heap_init_lock);
    return heap_ready;
}

bool lg_heap_owns(uintptr_t addr)
{
    return addr - heap_start < heap_end - heap_start;
}

/* Guard pages count as part of the block: an overflow into them names it. */
bool lg_heap_may_hold(uintptr_t addr)
{
    return lg_heap_owns(addr) || lg_guard_owns(addr) || lg_large_may_hold(addr);
}

/* Takes a slot of class c; the caller holds its lock. */
static bool class_take_slot(size_class *sc, uint32_t *slot)
{
    if (sc->free_count) {
        uint32_t n = sc->free_count - 1;
        *slot = sc->free_ids[n];
        sc->listed[*slot / 64] &= ~(1ull << (*slot % 64));
        if (n < sc->purged_below) sc->purged_below = n;
        if (n < sc->low_water) sc->low_water = n;
        __atomic_store_n(&sc->free_count, n, __ATOMIC_RELAXED);
        return true;
    }
    if (sc->bump >= sc->max_slots) return false;
    uintptr_t slot_end = sc->start + (uintptr_t)(sc->bump + 1) * sc->slot_size;
    if (slot_end > sc->committed_end) {
        size_t grow = align_up(slot_end - sc->committed_end, COMMIT_CHUNK);
        if (sc->committed_end + grow > sc->start + CLASS_SPAN) grow = sc->start + CLASS_SPAN - sc->committed_end;
        if (!lg_pal_commit((void *)sc->committed_end, grow)) return false;
        sc->committed_end += grow;
    }
    *slot = sc->bump;
    __atomic_store_n(&sc->bump, sc->bump + 1, __ATOMIC_RELEASE);
    return true;
}

uint32_t lg_heap_class_take(uint32_t c, uint32_t *out, uint32_t want)
{
    size_class *sc = &classes[c];
    uint32_t n = 0;
    lg_lock(&sc->lock);
    while (n < want && class_take_slot(sc, &out[n])) n++;
    lg_unlock(&sc->lock);
    /* The most recently recycled slot (warmest in the CPU cache) is popped first. */
    for (uint32_t i = 0, j = n; i + 1 < j; i++, j--) {
        uint32_t t = out[i];
        out[i] = out[j - 1];
        out[j - 1] = t;
    }
    return n;
}

static inline uint64_t slot_index(const size_class *sc, uintptr_t addr);

/* Whether every slot overlapping the page at addr is in the free ids or
 * was never handed out; the caller holds the class lock. */
static bool page_idle(const size_class *sc, uintptr_t addr)
{
    uintptr_t lo = addr > sc->start ? addr : sc->start;
    uint64_t first = slot_index(sc, lo), last = slot_index(sc, addr + page_size - 1);
    for (uint64_t k = first; k <= last && k < sc->bump; k++)
        if (!(sc->listed[k / 64] & (1ull << (k % 64)))) return false;
    return true;
}

static bool slot_before(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return *(const uint32_t *)a < *(const uint32_t *)b;
}

/* A sweep: gives back the pages of the slots idle since the last one (see
 * CLASS_IDLE_KEEP); the caller holds the class lock.  A slot's inner pages
 * are its own; a page it shares with its neighbours goes only when they
 * are idle too. */
static void class_purge_idle(size_class *sc)
{
    uint32_t keep = CLASS_IDLE_KEEP / sc->slot_size;
    uint32_t per_page = (uint32_t)(page_size / sc->slot_size);
    uint32_t idle = sc->low_water;
    sc->low_water = sc->free_count;
    if (idle <= keep + sc->purged_below + per_page) return; /* a page's worth at least, at once */
    uint32_t from = sc->purged_below, to = idle - keep;
    if (to - from > PURGE_STEP) to = from + PURGE_STEP;
    uint32_t batch[PURGE_STEP];
    lg_mem_copy(batch, &sc->free_ids[from], (to - from) * sizeof(uint32_t));
    lg_sort(batch, to - from, sizeof(uint32_t), slot_before, NULL); /* each shared page once */
    uintptr_t done = 0; /* the end of the last range given back */
    for (uint32_t i = 0; i < to - from; i++) {
        uintptr_t start = sc->start + (uintptr_t)batch[i] * sc->slot_size, end = start + sc->slot_size;
        uintptr_t lo = start & ~(uintptr_t)(page_size - 1), hi = align_up(end, page_size);
        if (lo < done) lo = done;
        if (lo < start && !page_idle(sc, lo)) lo += page_size;
        if (hi > end && hi - page_size >= lo && !page_idle(sc, hi - page_size)) hi -= page_size;
        if (hi <= lo) continue;
        lg_pal_purge((void *)lo, hi - lo);
        done = hi;
    }
    sc->purged_below = to;
}

void lg_heap_class_give(uint32_t c, const uint32_t *slots, uint32_t count)
{
    size_class *sc = &classes[c];
    if (sc->slot_size >= PURGE_MIN_SLOT &&
        (uint64_t)(__atomic_load_n(&sc->free_count, __ATOMIC_RELAXED) + count) * sc->slot_size > CLASS_IDLE_MAX) {
        for (uint32_t i = 0; i < count; i++) { /* the slots are the caller's still: no lock */
            uintptr_t start = sc->start + (uintptr_t)slots[i] * sc->slot_size;
            uintptr_t lo = align_up(start, page_size), hi = (start + sc->slot_size) & ~(uintptr_t)(page_size - 1);
            if (hi > lo) lg_pal_purge((void *)lo, hi - lo);
        }
    }
    lg_lock(&sc->lock);
    for (uint32_t i = 0; i < count; i++) {
        sc->free_ids[sc->free_count + i] = slots[i];
        sc->listed[slots[i] / 64] |= 1ull << (slots[i] % 64);
    }
    __atomic_store_n(&sc->free_count, sc->free_count + count, __ATOMIC_RELAXED);
    lg_unlock(&sc->lock);
    static uint32_t gives, sweep_next;
    if (__atomic_add_fetch(&gives, 1, __ATOMIC_RELAXED) % SWEEP_EVERY || __atomic_load_n(&heap_exiting, __ATOMIC_RELAXED))
        return;
    size_class *swept = &classes[__atomic_fetch_add(&sweep_next, 1, __ATOMIC_RELAXED) % CLASS_COUNT];
    if (!lg_trylock(&swept->lock)) return; /* busy: its next turn */
    class_purge_idle(swept);
    lg_unlock(&swept->lock);
}

/* ---- redzones: the checked bytes on each side of the user bytes ---------- */

static void redzone_spans(const lg_block *b, uintptr_t *left, size_t *left_len, size_t *right_len)
{
    *left_len = b->user - b->slot_start > LG_REDZONE_CHECKED ? LG_REDZONE_CHECKED : b->user - b->slot_start;
    *left = b->user - *left_len;
    *right_len = b->slot_end - b->user - b->size;
    /* A large block's slack (after a realloc in place, up to a page) is all checked. */
    size_t right_max = b->size_class == LG_LARGE_CLASS ? page_size : LG_REDZONE_CHECKED;
    if (*right_len > right_max) *right_len = right_max;
}

static void redzones_fill(const lg_block *b)
{
    uintptr_t left;
    size_t left_len, right_len;
    redzone_spans(b, &left, &left_len, &right_len);
    lg_redzone_fill(left, left_len);
    lg_redzone_fill(b->user + b->size, right_len);
}

/* ---- allocation ----------------------------------------------------------- */

/* large_headroom: address space a large block keeps reserved past its end
 * to grow into (realloc's blocks). */
static void *alloc_block(lg_heap_cache *cache, size_t size, size_t align, lg_stack_id stack, uintptr_t site,
                         uint32_t tid, size_t large_headroom)
{
    if (LG_UNLIKELY(size > MAX_REQUEST)) return NULL;
    if (LG_UNLIKELY(!lg_heap_init())) return NULL;
    uint64_t birth = cache ? cache_birth(cache) : lg_birth_next();
    if (cache) __atomic_store_n(&cache->allocs, cache->allocs + 1, __ATOMIC_RELAXED);
    else __atomic_fetch_add(&stat_allocs, 1, __ATOMIC_RELAXED);
    uint32_t guard_side = LG_UNLIKELY(lg_guard_due(cache, site)) ? lg_guard_wanted(cache, size, align, site) : LG_GUARD_NO;
    if (LG_UNLIKELY(guard_side != LG_GUARD_NO)) {
        void *guarded = lg_guard_alloc(cache, guard_side, size, align, stack, tid, birth);
        if (guarded) return guarded;
    }
    size_t redzone = lg_heap_min_redzone();
    if (align < 16) align = 16;
    size_t need = redzone + size + redzone + (align > 16 ? align - 16 : 0);
    if (need > MAX_SLOT || align > page_size) return lg_large_alloc(size, align, stack, tid, birth, large_headroom);

    for (uint32_t c = class_of(need); c < CLASS_COUNT; c++) {
        size_class *sc = &classes[c];
        uint32_t slot;
        if (LG_LIKELY(cache != NULL)) {
            uint32_t n = cache->count[c];
            if (LG_UNLIKELY(n == 0)) {
                n = lg_heap_class_take(c, cache->slots[c], sc->cache_cap / 2);
                if (!n) continue; /* this class is exhausted: a larger one will do */
            }
            slot = cache->slots[c][--n];
            cache->count[c] = n;
            if (n) __builtin_prefetch(&sc->meta[cache->slots[c][n - 1]], 1); /* the next one's */
        } else if (!lg_heap_class_take(c, &slot, 1)) {
            continue;
        }

        uintptr_t slot_start = sc->start + (uintptr_t)slot * sc->slot_size;
        uintptr_t slot_end = slot_start + sc->slot_size;
        uintptr_t user = align_up(slot_start + redzone, align);
        lg_block_meta *m = &sc->meta[slot];
        lg_block_meta_born(m, size, user - slot_start, stack, tid, birth);
        /* Redzones before the state: a block seen live (by the exit check,
         * the leak scan, or a child forked right now) has intact redzones. */
        lg_block b = {user, size, slot_start, slot_end, m, c, slot};
        redzones_fill(&b);
        __atomic_store_n(&m->state, LG_BLOCK_LIVE, __ATOMIC_RELEASE);
        return (void *)user;
    }
    return lg_large_alloc(size, align, stack, tid, birth, large_headroom);
}

void *lg_heap_alloc_cached(lg_heap_cache *cache, size_t size, size_t align, lg_stack_id stack, uint32_t tid)
{
    return alloc_block(cache, size, align, stack, stack, tid, 0);
}

void *lg_heap_alloc_site(lg_heap_cache *cache, size_t size, size_t align, lg_stack_id stack, uintptr_t site, uint32_t tid)
{
    return alloc_block(cache, size, align, stack, site, tid, 0);
}

void *lg_heap_alloc(size_t size, size_t align, lg_stack_id stack, uint32_t tid)
{
    return lg_heap_alloc_cached(0, size, align, stack, tid);
}

/* ---- lookup ------------------------------------------------------------- */

/* offset / slot_size, by a multiply on 64-bit targets: this runs on every
 * free.  Exact: offsets are below 2^32 and slots at most 2^17 bytes, so the
 * reciprocal's rounding error stays under one slot.  32-bit targets divide
 * natively (a 32-bit divide needs no compiler-runtime helper). */
static inline uint64_t slot_index(const size_class *sc, uintptr_t addr)
{
#if LG_CFG_64BIT
    return (uint64_t)(((unsigned __int128)(addr - sc->start) * sc->div_magic) >> 64);
#else
    return (addr - sc->start) / sc->slot_size;
#endif
}

static void small_to_block(uint32_t c, uint32_t slot, lg_block *out)
{
    size_class *sc = &classes[c];
    lg_block_meta *m = &sc->meta[slot];
    out->slot_start = sc->start + (uintptr_t)slot * sc->slot_size;
    out->slot_end = out->slot_start + sc->slot_size;
    out->user = out->slot_start + m->offset;
    out->size = m->size;
    out->meta = m;
    out->size_class = c;
    out->slot = slot;
}

bool lg_heap_find(uintptr_t addr, lg_block *out)
{
    if (lg_heap_owns(addr)) {
        uint32_t c = (uint32_t)((addr - heap_start) >> CLASS_SPAN_BITS);
        size_class *sc = &classes[c];
        uint64_t slot = slot_index(sc, addr);
        if (slot >= __atomic_load_n(&sc->bump, __ATOMIC_ACQUIRE)) return false;
        small_to_block(c, (uint32_t)slot, out);
        return true;
    }
    if (lg_guard_owns(addr)) return lg_guard_find(addr, out);
    return lg_large_find(addr, out);
}

void lg_heap_prefetch(const void *p)
{
    uintptr_t addr = (uintptr_t)p;
    if (!lg_heap_owns(addr)) return;
    size_class *sc = &classes[(addr - heap_start) >> CLASS_SPAN_BITS];
    uint64_t slot = slot_index(sc, addr);
    __builtin_prefetch(&sc->meta[slot]);
    /* The first lines of the block too, which the poison will overwrite:
     * their misses overlap the metadata's instead of following it. */
    __builtin_prefetch((const void *)(addr + 64), 1);
    if (sc->slot_size > 160) __builtin_prefetch((const void *)(addr + 128), 1);
}

/* Whether addr points into the live block b, one past its end included. */
static bool live_at(const lg_block *b, uintptr_t addr)
{
    return __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE) == LG_BLOCK_LIVE && addr >= b->user &&
           addr <= b->user + b->size;
}

bool lg_heap_find_live(uintptr_t addr, lg_block *out)
{
    return lg_heap_find(addr, out) && live_at(out, addr);
}

size_t lg_heap_usable_size(const void *p)
{
    lg_block b;
    if (!lg_heap_find((uintptr_t)p, &b) || b.user != (uintptr_t)p || b.meta->state != LG_BLOCK_LIVE) return 0;
    return b.size;
}

static void block_from_entry(uint32_t size_class, uint32_t slot, lg_block *out)
{
    if (size_class == LG_GUARD_CLASS) lg_guard_to_block(slot, out);
    else if (size_class == LG_LARGE_CLASS) lg_large_to_block(slot, out);
    else small_to_block(size_class, slot, out);
}

/* ---- free ------------------------------------------------------------------ */

void lg_heap_report_stacks(lg_report *r, const lg_block *b, const char *free_title, const char *alloc_title)
{
    if (free_title) lg_report_stack_of_thread(r, "free", b->meta->free_stack, free_title, b->meta->free_tid);
    lg_report_stack_of_thread(r, "alloc", b->meta->alloc_stack, alloc_title, b->meta->alloc_tid);
}

/* right_max: how much of the right redzone to verify, at most. */
static void report_redzones_within(const lg_block *b, lg_stack_id access, const char *when, size_t right_max)
{
    uintptr_t left_start;
    size_t left_len, right_len;
    redzone_spans(b, &left_start, &left_len, &right_len);
    if (right_len > right_max) right_len = right_max;
    size_t left = lg_redzone_find_change(left_start, left_len);
    size_t right = lg_redzone_find_change(b->user + b->size, right_len);
    if (left == SIZE_MAX && right == SIZE_MAX) return;

    lg_finding f = {
        .kind = LG_HEAP_OVERFLOW,
        .key = b->meta->alloc_stack,
        .op = LG_OP_CHECK,
        .op_name = when,
        .address = right != SIZE_MAX ? b->user + b->size + right : left_start + left,
        .block = b,
        .where = right != SIZE_MAX ? LG_WHERE_PAST_END : LG_WHERE_BEFORE,
        .stack = access,
        .tid = lg_pal_tid(),
    };
    lg_finding_report(&f);
    redzones_fill(b); /* reported once: heal it so later checks stay quiet */
}

static void report_redzones(const lg_block *b, lg_stack_id access, const char *when)
{
    report_redzones_within(b, access, when, SIZE_MAX);
}

static void report_invalid_free(uintptr_t p, lg_stack_id stack, const char *fn)
{
    lg_block b;
    lg_finding f = {
        .kind = LG_INVALID_FREE, .key = stack, .op = LG_OP_FREE, .op_name = fn, .address = p, .stack = stack,
        .tid = lg_pal_tid(),
    };
    if (lg_poison_decode(p, &f.stale_qtag)) {
        f.kind = LG_STALE_POINTER;
        f.stale = true;
    } else if (lg_heap_find(p, &b)) {
        uint8_t state = __atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE);
        if (state == LG_BLOCK_LIVE || state == LG_BLOCK_QUARANTINED || state == LG_BLOCK_FREE) {
            f.block = &b;
            f.where = p < b.user ? LG_WHERE_BEFORE : p == b.user ? LG_WHERE_START : p < b.user + b.size ? LG_WHERE_INSIDE
                                                                                                       : LG_WHERE_PAST_END;
            if (p == b.user && state != LG_BLOCK_LIVE) f.kind = LG_DOUBLE_FREE;
        }
    }
    if (!f.block && !f.stale) f.unknown_what = lg_pal_describe_address(p);
    lg_finding_report(&f);
}

/* The freed block a stale value (its poison's qtag) was read from. */
lg_stale_source lg_heap_stale_block(uint32_t qtag, lg_block *out)
{
    uint32_t size_class, slot;
    if (!lg_quarantine_lookup(qtag, &size_class, &slot)) return LG_STALE_FORGOTTEN;
    block_from_entry(size_class, slot, out);
    uint8_t state = __atomic_load_n(&out->meta->state, __ATOMIC_ACQUIRE);
    if (out->meta->qtag != qtag || (state != LG_BLOCK_QUARANTINED && state != LG_BLOCK_FREE)) return LG_STALE_REUSED;
    return LG_STALE_FOUND;
}

bool lg_heap_free_cached(lg_heap_cache *cache, void *ptr, lg_stack_id stack, uint32_t tid, const char *fn)
{
    uintptr_t p = (uintptr_t)ptr;
    lg_block b;
    /* The block's first line (its left redzone, the poison's first bytes):
     * its miss then overlaps the metadata's, which the lookup waits for
     * (with stacks=0 nothing was prefetched before).  A prefetch never
     * faults, whatever p is. */
    __builtin_prefetch((const void *)(p - 16), 1);
    if (LG_UNLIKELY(!heap_ready) || !lg_heap_find(p, &b) || b.user != p) {
        report_invalid_free(p, stack, fn);
        return false;
    }
    uint8_t expected = LG_BLOCK_LIVE;
    if (!__atomic_compare_exchange_n(&b.meta->state, &expected, LG_BLOCK_QUARANTINED, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        report_invalid_free(p, stack, fn);
        return false;
    }
    if (cache) __atomic_store_n(&cache->frees, cache->frees + 1, __ATOMIC_RELAXED);
    else __atomic_fetch_add(&stat_frees, 1, __ATOMIC_RELAXED);
    report_redzones(&b, stack, fn[0] == 'r' ? "realloc" : "free");
    if (b.size_class == LG_GUARD_CLASS) lg_guard_close(&b, stack, tid, fn[0] == 'r' ? "realloc" : "free");
    if (lg_on_block_freed) lg_on_block_freed(b.user, b.size);

    b.meta->free_stack = stack;
    b.meta->free_tid = tid;
    uint32_t qtag = lg_quarantine_reserve(cache);
    b.meta->qtag = qtag;
    size_t bytes;
    if (b.size_class == LG_GUARD_CLASS) {
        lg_guard_free(cache, &b); /* inaccessible while quarantined, as large blocks */
        bytes = page_size;
    } else if (b.size_class == LG_LARGE_CLASS) {
        bytes = lg_large_free(&b); /* not written: made inaccessible (lg_heap_large.c) */
    } else {
        lg_poison_fill(b.user, b.size, lg_poison_word(qtag));
        bytes = b.slot_end - b.slot_start + sizeof(lg_block_meta);
    }
    lg_quarantine_publish(cache, qtag, b.size_class, b.slot, bytes);
    return true;
}

bool lg_heap_free(void *ptr, lg_stack_id stack, uint32_t tid, const char *fn)
{
    return lg_heap_free_cached(0, ptr, stack, tid, fn);
}

/* ---- realloc in place ---------------------------------------------------------
 * A realloc whose new size fits the block keeps it: the right redzone moves
 * with the new end (grown bytes hold what the slack held, which C leaves
 * undefined; a cut tail becomes redzone), and the allocation's stack,
 * thread and birth become the realloc's, as for a block realloc moves.
 * Objects of the reference tracker living in it end with its old life.
 * Otherwise a new block is allocated; a large one keeps headroom to grow
 * into, so a string built by appends costs amortized copies. */

/* Whether a small or guarded block b can hold size bytes where it is. */
static bool small_fits(const lg_block *b, size_t size)
{
    size_t room = b->slot_end - b->user; /* user bytes and right redzone */
    if (b->size_class == LG_GUARD_CLASS) /* the end stays as close to the guard page as it was */
        return size <= room && size >= b->size;
    size_t redzone = lg_heap_min_redzone();
    if (size > room || room - size < redzone) return false;
    /* A shrink keeps the block only if a new one would be of its class. */
    return size >= b->size || class_of(redzone + size + redzone) == b->size_class;
}

/* Sets the right redzone of b after its new end (the left one is as it was). */
static void right_redzone_fill(const lg_block *b)
{
    uintptr_t left;
    size_t left_len, right_len;
    redzone_spans(b, &left, &left_len, &right_len);
    lg_redzone_fill(b->user + b->size, right_len);
}

/* A birth for a block, without a shared atomic when there is a cache. */
static inline uint64_t next_birth(lg_heap_cache *cache)
{
    return cache ? cache_birth(cache) : lg_birth_next();
}

void *lg_heap_realloc_cached(lg_heap_cache *cache, const lg_block *b, size_t size, lg_stack_id stack, uint32_t tid)
{
    return lg_heap_realloc_site(cache, b, size, stack, stack, tid);
}

void *lg_heap_realloc_site(lg_heap_cache *cache, const lg_block *b, size_t size, lg_stack_id stack, uintptr_t site,
                           uint32_t tid)
{
    if (LG_UNLIKELY(size > MAX_REQUEST)) return NULL;
    bool large = b->size_class == LG_LARGE_CLASS;
    uint8_t live = LG_BLOCK_LIVE;
    /* The block is claimed as a free claims it: a free racing this realloc
     * from another thread fails its compare-and-swap and is reported as a
     * double free; a free that came first makes this realloc move, and its
     * free of the old block is reported. */
    if ((large ? lg_large_fits(b, size) : small_fits(b, size)) &&
        __atomic_compare_exchange_n(&b->meta->state, &live, LG_BLOCK_QUARANTINED, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        /* The old end's damage, before it moves: as much as a small block's
         * and all the bytes the new size takes from the redzone (a large
         * block's slack, up to a page, is verified whole at its free). */
        size_t taken = size > b->size ? size - b->size : 0;
        report_redzones_within(b, stack, "realloc", taken > LG_REDZONE_CHECKED ? taken : LG_REDZONE_CHECKED);
        if (lg_on_block_freed) lg_on_block_freed(b->user, b->size);
        bool done = true;
        if (large) {
            done = lg_large_resize(b, size, stack, tid, next_birth(cache)); /* false: out of memory */
        } else {
            lg_block nb = *b;
            nb.size = size;
            right_redzone_fill(&nb); /* before the size: the block always has an intact right redzone */
            lg_block_meta_born(b->meta, size, b->meta->offset, stack, tid, next_birth(cache));
        }
        __atomic_store_n(&b->meta->state, LG_BLOCK_LIVE, __ATOMIC_RELEASE);
        if (done) {
            /* Counted as the allocation and the free a moving realloc makes. */
            if (cache) {
                __atomic_store_n(&cache->allocs, cache->allocs + 1, __ATOMIC_RELAXED);
                __atomic_store_n(&cache->frees, cache->frees + 1, __ATOMIC_RELAXED);
            } else {
                __atomic_fetch_add(&stat_allocs, 1, __ATOMIC_RELAXED);
                __atomic_fetch_add(&stat_frees, 1, __ATOMIC_RELAXED);
            }
            return (void *)b->user;
        }
    }
    return alloc_block(cache, size, LG_ALIGN_MALLOC, stack, site, tid, size);
}

static void report_write_after_free(const lg_block *b, size_t changed)
{
    lg_finding f = {
        .kind = LG_WRITE_AFTER_FREE, .key = b->meta->free_stack, .op = LG_OP_EVICT, .address = b->user + changed, .block = b,
    };
    lg_finding_report(&f);
}

void lg_heap_verify_batched(const lg_block *b)
{
    size_t changed = lg_poison_find_change(b->user, b->size, lg_poison_word(b->meta->qtag));
    if (LG_LIKELY(changed == SIZE_MAX)) return;
    lg_finding f = {
        .kind = LG_WRITE_AFTER_FREE, .key = b->meta->free_stack, .op = LG_OP_EVICT, .op_name = "batch", .address = b->user + changed,
        .block = b,
    };
    lg_finding_report(&f);
}

void lg_heap_verify_freed(const lg_block *b)
{
    size_t changed = lg_poison_find_change(b->user, b->size, lg_poison_word(b->meta->qtag));
    if (LG_UNLIKELY(changed != SIZE_MAX)) report_write_after_free(b, changed);
}

/* A recycled slot goes to the evicting thread's cache, warm from its
 * verification; a full cache gives its older half back to the class. */
static void slot_reusable(lg_heap_cache *cache, uint32_t c, uint32_t slot)
{
    if (!cache) {
        lg_heap_class_give(c, &slot, 1);
        return;
    }
    uint32_t n = cache->count[c];
    if (n >= classes[c].cache_cap) {
        uint32_t half = classes[c].cache_cap / 2;
        lg_heap_class_give(c, cache->slots[c], half);
        for (uint32_t i = half; i < n; i++) cache->slots[c][i - half] = cache->slots[c][i];
        n -= half;
    }
    cache->slots[c][n] = slot;
    cache->count[c] = n + 1;
}

size_t lg_heap_recycle(const lg_evicted *batch, uint32_t count, lg_heap_cache *cache)
{
    lg_block blocks[LG_EVICT_BATCH];
    size_t bytes = 0;
    if (count > LG_EVICT_BATCH) count = LG_EVICT_BATCH;
    /* Three passes, so that the cache misses of a batch overlap: the
     * metadata first, then the blocks' bytes, then the verification. */
    for (uint32_t i = 0; i < count; i++)
        if (batch[i].size_class < CLASS_COUNT) __builtin_prefetch(&classes[batch[i].size_class].meta[batch[i].slot]);
    for (uint32_t i = 0; i < count; i++) {
        block_from_entry(batch[i].size_class, batch[i].slot, &blocks[i]);
        if (batch[i].size_class >= CLASS_COUNT) continue;
        __builtin_prefetch((const void *)blocks[i].user);
        if (blocks[i].size > 64) __builtin_prefetch((const void *)(blocks[i].user + 64));
    }
    for (uint32_t i = 0; i < count; i++) {
        lg_block *b = &blocks[i];
        if (batch[i].size_class == LG_LARGE_CLASS) {
            bytes += lg_large_release(batch[i].slot);
            continue;
        }
        if (batch[i].size_class == LG_GUARD_CLASS) {
            if (LG_UNLIKELY(lg_guard_take_pending(b))) { /* still waiting in its freer's batch */
                lg_heap_verify_freed(b);
                lg_guard_close_freed(b);
            }
            bytes += page_size;
            __atomic_store_n(&b->meta->state, LG_BLOCK_FREE, __ATOMIC_RELEASE);
            lg_guard_release(batch[i].slot);
            continue;
        }
        size_t changed = lg_poison_find_change(b->user, b->size, lg_poison_word(batch[i].qtag));
        if (LG_UNLIKELY(changed != SIZE_MAX)) report_write_after_free(b, changed);
        bytes += b->slot_end - b->slot_start + sizeof(lg_block_meta);
        __atomic_store_n(&b->meta->state, LG_BLOCK_FREE, __ATOMIC_RELEASE);
        slot_reusable(cache, b->size_class, b->slot);
    }
    return bytes;
}

/* ---- a forked child's inheritance ------------------------------------------ */

static uint64_t inherited_birth; /* blocks born below this are the parent's (0: not a forked child) */
static lg_heap_changed_fn inherited_changed;

void lg_heap_after_fork_child(uint64_t birth, lg_heap_changed_fn changed)
{
    inherited_birth = birth;
    inherited_changed = changed;
    lg_quarantine_after_fork_child();
}

/* Whether [lo, hi) of a block the child inherited is as the parent left it. */
static bool inherited_unchanged(uintptr_t lo, uintptr_t hi)
{
    return !inherited_changed || !inherited_changed(lo, hi);
}

/* Whether any page of [lo, hi) changed since the fork, looked up a chunk
 * at a time: walks in address order ask about each chunk once. */
#define CHANGE_CHUNK ((uintptr_t)64 << 10)
typedef struct change_memo {
    uintptr_t chunk; /* the last chunk asked about, +1 (0: none) */
    bool changed;
} change_memo;

static bool range_changed(change_memo *memo, uintptr_t lo, uintptr_t hi)
{
    for (uintptr_t c = lo & ~(CHANGE_CHUNK - 1); c < hi; c += CHANGE_CHUNK) {
        if (memo->chunk != c + 1) {
            memo->chunk = c + 1;
            memo->changed = !inherited_unchanged(c, c + CHANGE_CHUNK);
        }
        if (memo->changed) return true;
    }
    return false;
}

size_t lg_heap_verify_inherited(const lg_evicted *batch, uint32_t count)
{
    size_t bytes = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t c = batch[i].size_class;
        if (c >= CLASS_COUNT) { /* inaccessible while quarantined: nothing to verify */
            bytes += c == LG_LARGE_CLASS ? lg_large_weight(batch[i].slot) : page_size;
            continue;
        }
        bytes += classes[c].slot_size + sizeof(lg_block_meta);
        /* By the slot's address first: an unchanged block's metadata is not even read. */
        uintptr_t slot_start = classes[c].start + (uintptr_t)batch[i].slot * classes[c].slot_size;
        if (inherited_unchanged(slot_start, slot_start + classes[c].slot_size)) continue;
        lg_block b;
        small_to_block(c, batch[i].slot, &b);
        if (__atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_QUARANTINED || b.meta->qtag != batch[i].qtag ||
            inherited_unchanged(b.user, b.user + b.size))
            continue;
        size_t changed = lg_poison_find_change(b.user, b.size, lg_poison_word(batch[i].qtag));
        if (LG_UNLIKELY(changed != SIZE_MAX)) report_write_after_free(&b, changed);
    }
    return bytes;
}

void lg_heap_heal(const lg_block *b)
{
    redzones_fill(b);
    uint8_t state = __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE);
    if (b->size_class < CLASS_COUNT && (state == LG_BLOCK_QUARANTINED || state == LG_BLOCK_FREE))
        lg_poison_fill(b->user, b->size, lg_poison_word(b->meta->qtag));
}

/* ---- walks ----------------------------------------------------------------- */

/* The live blocks of the size classes; slot metadata is never unmapped, so
 * this needs no lock, only the bump counts published with release. */
static void each_live_small(lg_block_visit_fn visit, void *ctx)
{
    for (uint32_t c = 0; c < CLASS_COUNT; c++) {
        uint32_t bump = __atomic_load_n(&classes[c].bump, __ATOMIC_ACQUIRE);
        for (uint32_t slot = 0; slot < bump; slot++) {
            if (__atomic_load_n(&classes[c].meta[slot].state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE) continue;
            lg_block b;
            small_to_block(c, slot, &b);
            visit(&b, ctx);
        }
    }
}

/* In a forked child: the live blocks of the size classes whose slots'
 * pages changed since the fork (its own blocks among them: allocating one
 * writes its redzones).  The others are the parent's as it left them, and
 * their metadata is not read. */
static void each_live_small_changed(lg_block_visit_fn visit, void *ctx)
{
    for (uint32_t c = 0; c < CLASS_COUNT; c++) {
        uint32_t bump = __atomic_load_n(&classes[c].bump, __ATOMIC_ACQUIRE);
        change_memo memo = {0, false};
        for (uint32_t slot = 0; slot < bump; slot++) {
            uintptr_t slot_start = classes[c].start + (uintptr_t)slot * classes[c].slot_size;
            if (!range_changed(&memo, slot_start, slot_start + classes[c].slot_size)) {
                /* Its chunk is unchanged: on to the slot holding the chunk's last byte. */
                uintptr_t last = (slot_start & ~(CHANGE_CHUNK - 1)) + CHANGE_CHUNK - 1;
                uint64_t next = slot_index(&classes[c], last);
                if (next > slot + 1) slot = (uint32_t)(next - 1);
                continue;
            }
            if (__atomic_load_n(&classes[c].meta[slot].state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE) continue;
            lg_block b;
            small_to_block(c, slot, &b);
            visit(&b, ctx);
        }
    }
}

void lg_heap_each_live(lg_block_visit_fn visit, void *ctx)
{
    if (!heap_ready) return;
    each_live_small(visit, ctx);
    lg_guard_each_live(visit, ctx);
    lg_large_each_live(visit, ctx);
}

/* lg_heap_each_live, in a forked child skipping the small blocks it
 * inherited unchanged (see each_live_small_changed). */
static void each_live_changed(lg_block_visit_fn visit, void *ctx)
{
    if (!heap_ready) return;
    if (inherited_birth && inherited_changed) each_live_small_changed(visit, ctx);
    else each_live_small(visit, ctx);
    lg_guard_each_live(visit, ctx);
    lg_large_each_live(visit, ctx);
}

static void check_live_redzones(const lg_block *b, void *ctx)
{
    lg_heap_readable_fn readable = (lg_heap_readable_fn)(uintptr_t)ctx;
    if (readable) {
        uintptr_t left;
        size_t left_len, right_len;
        redzone_spans(b, &left, &left_len, &right_len);
        if (!readable(left, left + left_len) || !readable(b->user + b->size, b->user + b->size + right_len)) return;
    }
    if (b->meta->birth < inherited_birth) {
        uintptr_t left;
        size_t left_len, right_len;
        redzone_spans(b, &left, &left_len, &right_len);
        if (inherited_unchanged(left, b->user + b->size + right_len)) return; /* the parent's to check */
    }
    report_redzones(b, 0, "at exit");
}

void lg_heap_check_all_where(lg_heap_readable_fn readable)
{
    each_live_changed(check_live_redzones, (void *)(uintptr_t)readable);
    __atomic_store_n(&heap_exiting, true, __ATOMIC_RELAXED);
    lg_quarantine_drain();
    __atomic_store_n(&heap_exiting, false, __ATOMIC_RELAXED);
}

static void born_since(const lg_block *b, void *ctx)
{
    uint64_t *since = ctx;
    if (b->meta->birth >= *since) *since = 0;
}

bool lg_heap_any_live_born_since(uint64_t birth)
{
    uint64_t since = birth;
    each_live_changed(born_since, &since);
    return since == 0 || birth == 0;
}

void lg_heap_check_all(void)
{
    lg_heap_check_all_where(NULL);
}

void lg_heap_lock_all(void)
{
    lg_quarantine_lock();
    lg_heap_cache_pool_lock();
    for (uint32_t c = 0; c < CLASS_COUNT; c++) lg_lock(&classes[c].lock);
    lg_guard_lock_all();
    lg_large_lock();
}

/* The locks lg_heap_lock_all takes, in its order, by number. */
#define LOCK_COUNT (CLASS_COUNT + 3)

static bool try_lock_nth(uint32_t i)
{
    if (i == 0) return lg_quarantine_trylock();
    if (i == 1) return lg_heap_cache_pool_trylock();
    if (i < CLASS_COUNT + 2) return lg_trylock(&classes[i - 2].lock);
    return lg_large_trylock();
}

static void unlock_nth(uint32_t i)
{
    if (i == 0) lg_quarantine_unlock();
    else if (i == 1) lg_heap_cache_pool_unlock();
    else if (i < CLASS_COUNT + 2) lg_unlock(&classes[i - 2].lock);
    else lg_large_unlock();
}

bool lg_heap_lock_all_within(uint64_t ns)
{
    uint64_t deadline = lg_pal_now_ns() + ns;
    for (uint32_t i = 0; i < LOCK_COUNT; i++) {
        /* Polling: the platform's lock has no timed wait.  Heap locks are
         * held for short stretches, so this spins long only when one is stuck. */
        while (!try_lock_nth(i)) {
            if (lg_pal_now_ns() >= deadline) {
                while (i-- > 0) unlock_nth(i);
                return false;
            }
        }
    }
    return true;
}

void lg_heap_unlock_all(void)
{
    lg_large_unlock();
    lg_guard_unlock_all();
    for (uint32_t c = CLASS_COUNT; c-- > 0;) lg_unlock(&classes[c].lock);
    lg_heap_cache_pool_unlock();
    lg_quarantine_unlock();
}

static void count_live(const lg_block *b, void *ctx)
{
    struct lg_heap_stats *s = ctx;
    s->live_blocks++;
    s->live_bytes += b->size;
}

void lg_heap_stats(struct lg_heap_stats *out)
{
    lg_mem_set(out, 0, sizeof(*out));
    lg_heap_each_live(count_live, out);
    out->total_allocs = __atomic_load_n(&stat_allocs, __ATOMIC_RELAXED);
    out->total_frees = __atomic_load_n(&stat_frees, __ATOMIC_RELAXED);
    lg_heap_cache_totals(&out->total_allocs, &out->total_frees);
}

/* ---- for the leak scan (src/runtime/rt_leaks*.c) ---------------------------
 * The scan takes every heap lock (lg_heap_lock_all) before it stops the other
 * threads, so that none is stopped holding one; these lookups then must not
 * take large_lock themselves.  Added by the leak checker; touches nothing
 * above. */

bool lg_heap_find_locked(uintptr_t addr, lg_block *out)
{
    if (lg_heap_owns(addr)) return lg_heap_find(addr, out); /* small classes take no lock */
    if (lg_guard_owns(addr)) return lg_guard_find(addr, out); /* nor does the guarded tier */
    return lg_large_find_held(addr, out);
}

bool lg_heap_find_live_locked(uintptr_t addr, lg_block *out)
{
    return lg_heap_find_locked(addr, out) && live_at(out, addr);
}

/* In a forked child, the small blocks it inherited unchanged are skipped,
 * as for the exit checks: they are the parent's as it left them. */
void lg_heap_each_live_locked(lg_block_visit_fn visit, void *ctx)
{
    if (!heap_ready) return;
    if (inherited_birth && inherited_changed) each_live_small_changed(visit, ctx);
    else each_live_small(visit, ctx);
    lg_guard_each_live(visit, ctx);
    lg_large_each_live_locked(visit, ctx);
}

void lg_heap_range(uintptr_t *lo, uintptr_t *hi)
{
    *lo = heap_start;
    *hi = heap_end;
}

/* ---- for the fault reporter (lg_fault.c) ----------------------------------- */

/* Distance from addr to the user bytes of b (0 inside them or one past). */
static size_t distance_to(const lg_block *b, uintptr_t addr)
{
    if (addr < b->user) return b->user - addr;
    if (addr > b->user + b->size) return addr - (b->user + b->size);
    return 0;
}

static void keep_nearer(uintptr_t addr, const lg_block *candidate, lg_block *best, size_t *best_distance)
{
    size_t d = distance_to(candidate, addr);
    if (d < *best_distance) {
        *best = *candidate;
        *best_distance = d;
    }
}

/* Class c's slot that was ever allocated nearest to its end (from_top) or
 * to its start, looking no further than max_distance bytes in: slots a
 * thread cache took but never handed out do not count. */
static bool small_nearest_used(uint32_t c, uint32_t from_top, size_t max_distance, lg_block *out)
{
    uint32_t bump = __atomic_load_n(&classes[c].bump, __ATOMIC_ACQUIRE);
    uint64_t span = max_distance / classes[c].slot_size + 1;
    for (uint64_t i = 0; i < bump && i <= span; i++) {
        uint32_t slot = from_top ? (uint32_t)(bump - 1 - i) : (uint32_t)i;
        if (__atomic_load_n(&classes[c].meta[slot].state, __ATOMIC_ACQUIRE) == LG_BLOCK_UNUSED) continue;
        small_to_block(c, slot, out);
        return true;
    }
    return false;
}

bool lg_heap_find_near(uintptr_t addr, size_t max_distance, lg_block *out)
{
    if (!heap_ready) return false;
    lg_block b, best;
    size_t best_distance = SIZE_MAX;
    if (lg_heap_owns(addr) && lg_heap_find(addr, out)) return true; /* in a slot ever handed out */
    if (lg_guard_owns(addr)) return lg_guard_find_near(addr, max_distance, out);
    /* In a class's range past its last slot, or outside the classes: the
     * last slot of its class below, the first slot of the class above. */
    uint32_t c = addr < heap_start ? 0 : addr >= heap_end ? CLASS_COUNT : (uint32_t)((addr - heap_start) >> CLASS_SPAN_BITS);
    uint32_t below = c < CLASS_COUNT ? c : CLASS_COUNT - 1;
    if (addr >= heap_start && small_nearest_used(below, UINT32_MAX, max_distance, &b)) keep_nearer(addr, &b, &best, &best_distance);
    uint32_t above = addr < heap_start ? 0 : c + 1;
    if (above < CLASS_COUNT && small_nearest_used(above, 0, max_distance, &b)) keep_nearer(addr, &b, &best, &best_distance);
    lg_block around[2];
    bool inside;
    uint32_t n = lg_large_around(addr, around, &inside);
    if (inside) {
        *out = around[0];
        return true;
    }
    for (uint32_t i = 0; i < n; i++) keep_nearer(addr, &around[i], &best, &best_distance);
    if (best_distance > max_distance) return false;
    *out = best;
    return true;
}

/* ---- for bench/: what the heap holds (LIFEGUARD_RSS_MAP) --------------------- */

static void use_add(lg_heap_use *u, const size_class *sc, const lg_block_meta *m, size_t redzone)
{
    u->blocks++;
    u->user += m->size;
    u->redzones += 2 * redzone;
    u->rounding += sc->slot_size - m->size - 2 * redzone;
    u->meta += sizeof(lg_block_meta);
}

void lg_heap_class_usage(uint32_t c, lg_heap_class_use *out)
{
    lg_mem_set(out, 0, sizeof(*out));
    if (!heap_ready || c >= CLASS_COUNT) return;
    size_class *sc = &classes[c];
    size_t redzone = lg_heap_min_redzone();
    out->slot_size = sc->slot_size;
    out->slots_lo = sc->start;
    out->slots_hi = sc->committed_end;
    out->tables_lo = (uintptr_t)sc->meta;
    out->tables_hi = (uintptr_t)sc->meta + align_up((size_t)sc->max_slots * sizeof(lg_block_meta), 64) +
                     (size_t)sc->max_slots * sizeof(uint32_t);
    uint32_t bump = __atomic_load_n(&sc->bump, __ATOMIC_ACQUIRE);
    for (uint32_t slot = 0; slot < bump; slot++) {
        const lg_block_meta *m = &sc->meta[slot];
        switch (__atomic_load_n(&m->state, __ATOMIC_ACQUIRE)) {
        case LG_BLOCK_LIVE: use_add(&out->live, sc, m, redzone); break;
        case LG_BLOCK_QUARANTINED: use_add(&out->quarantined, sc, m, redzone); break;
        case LG_BLOCK_FREE: use_add(&out->reusable, sc, m, redzone); break;
        default: break; /* taken by a thread cache, never handed out */
        }
    }
    out->untouched = (sc->committed_end - sc->start) / sc->slot_size - bump;
}
