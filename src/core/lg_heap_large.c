/* lg_heap_large.c — blocks too big for a size class: a mapping each.
 *
 * A mapping is [guard page][capacity][guard page]: the block's pages are
 * committed from the start of the capacity up to its end, the user bytes
 * pushed against the first inaccessible page so an overflow faults at once,
 * and the rest of the capacity stays reserved for a realloc to grow into.
 * A capacity is at least a quarter more than its first block, rounded to
 * four steps per doubling, so that mappings of nearby sizes are
 * interchangeable.
 *
 * A freed block of at most keep_max() bytes keeps its pages, made
 * inaccessible, and weighs its size in the quarantine; out of it, its
 * mapping waits in a small cache (LARGE_CACHE_MAPS, cache_max() bytes)
 * for the next large allocation it can hold, which finds its pages already
 * there (a program that builds ever longer strings by malloc, copy and free
 * would otherwise fault in and zero every page of every one).  A bigger block's pages are given back at
 * its free and its mapping unmapped at eviction.  A reused block holds its
 * last life's bytes, as any allocator's does (calloc clears its own). */
#include "lg_heap.h"

#define MAX_SLOT LG_CFG_MAX_SLOT
#define LARGE_CACHE_MAPS LG_EVICT_BATCH /* a batch of evictions may bring as many */

typedef struct large_block {
    uintptr_t map_start;
    size_t map_size;          /* guard, capacity, guard */
    uintptr_t data_end;       /* end of the accessible pages; the guard page starts here */
    uintptr_t user;
    size_t size;
    lg_block_meta meta;
    uint32_t next_free;       /* record free list */
    bool kept;                /* freed with its pages kept: its mapping is cached at eviction */
} large_block;

/* A mapping out of the quarantine, inaccessible, its pages below
 * resident_end possibly still in memory. */
typedef struct cached_map {
    uintptr_t map_start;
    size_t map_size;
    uintptr_t resident_end;
} cached_map;

static lg_lock_t large_lock = LG_LOCK_INIT;
static large_block *large_records;     /* stable indices */
static uint32_t large_capacity, large_used, large_free_head;
static uintptr_t large_lo = UINTPTR_MAX, large_hi; /* every large mapping ever was inside */
static uint32_t *large_sorted;         /* live-or-quarantined record indices by address */
static uint32_t large_sorted_len;
static cached_map cache_maps[LARGE_CACHE_MAPS]; /* oldest first */
static uint32_t cache_len;
static size_t cache_bytes;             /* their resident bytes */
static size_t page_size;

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* bytes rounded up to a capacity: a whole number of pages, four steps per
 * doubling beyond eight pages (at most 25% more address space).  0 if it
 * would overflow. */
static size_t capacity_for(size_t bytes)
{
    if (bytes > SIZE_MAX / 2) return 0;
    size_t pages = (bytes + page_size - 1) / page_size;
    if (pages > 8) {
        uint32_t lg = 63 - lg_clz64((uint64_t)pages - 1);
        pages = align_up(pages, (size_t)1 << (lg - 2));
    }
    return pages * page_size;
}

/* ---- the record tables ------------------------------------------------------ */

/* The records never move: free and realloc use a block's metadata (a
 * pointer into them) after large_lock is dropped, so the table is mapped
 * once for LG_CFG_LARGE_RECORDS_MAX records (the platform's map gives
 * pages as they are touched).  The sorted index is read only under the
 * lock and is copied to grow. */
static bool large_grow_tables(void)
{
    if (large_capacity == LG_CFG_LARGE_RECORDS_MAX) return false;
    if (!large_records && !(large_records = lg_pal_map(LG_CFG_LARGE_RECORDS_MAX * sizeof(large_block))))
        return false;
    uint32_t capacity = large_capacity ? large_capacity * 2 : 1024;
    if (capacity > LG_CFG_LARGE_RECORDS_MAX) capacity = LG_CFG_LARGE_RECORDS_MAX;
    uint32_t *sorted = lg_pal_map(capacity * sizeof(uint32_t));
    if (!sorted) return false;
    if (large_sorted) {
        lg_mem_copy(sorted, large_sorted, large_sorted_len * sizeof(uint32_t));
        lg_pal_unmap(large_sorted, large_capacity * sizeof(uint32_t));
    }
    large_sorted = sorted;
    large_capacity = capacity;
    return true;
}

/* Index in large_sorted of the first record starting after addr. */
static uint32_t large_upper_bound(uintptr_t addr)
{
    uint32_t lo = 0, hi = large_sorted_len;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (large_records[large_sorted[mid]].map_start <= addr) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* ---- the cache of mappings out of the quarantine ------------------------------ */

/* Bytes the cache may keep: LG_CFG_LARGE_CACHE_BYTES, at most a quarter of
 * the quarantine it is counted in (none without a quarantine). */
static size_t cache_max(void)
{
    uint64_t mb = lg_opt.quarantine_mb;
    return mb < (LG_CFG_LARGE_CACHE_BYTES >> 18) ? (size_t)(mb << 18) : LG_CFG_LARGE_CACHE_BYTES;
}

/* A freed block keeps its pages up to this size: a quarter of the cache. */
static size_t keep_max(void)
{
    return cache_max() / 4;
}

static size_t resident_of(const cached_map *m)
{
    return m->resident_end - (m->map_start + page_size);
}

/* A cached mapping whose capacity holds need bytes: the smallest holding
 * want (need and the headroom asked for), else the largest holding need,
 * never one over twice want (it would hold address space and pages for
 * nothing).  The caller holds large_lock. */
static bool cache_take(size_t need, size_t want, cached_map *out)
{
    uint32_t best = UINT32_MAX;
    size_t best_cap = 0;
    for (uint32_t i = 0; i < cache_len; i++) {
        size_t cap = cache_maps[i].map_size - 2 * page_size;
        if (cap < need || cap / 2 > want) continue;
        bool better = best == UINT32_MAX || (cap >= want ? best_cap < want || cap < best_cap : best_cap < want && cap > best_cap);
        if (better) best = i, best_cap = cap;
    }
    if (best == UINT32_MAX) return false;
    *out = cache_maps[best];
    cache_bytes -= resident_of(out);
    for (uint32_t i = best; i + 1 < cache_len; i++) cache_maps[i] = cache_maps[i + 1];
    cache_len--;
    return true;
}

/* Puts m in the cache; the mappings that no longer fit (the oldest first,
 * or m itself) go to drop, for the caller to unmap once the lock is
 * released.  Returns how many.  The caller holds large_lock. */
static uint32_t cache_put(const cached_map *m, cached_map *drop)
{
    size_t resident = resident_of(m), max = cache_max();
    uint32_t dropped = 0;
    if (resident > max) {
        drop[0] = *m;
        return 1;
    }
    while (cache_len == LARGE_CACHE_MAPS || cache_bytes + resident > max) {
        drop[dropped++] = cache_maps[0];
        cache_bytes -= resident_of(&cache_maps[0]);
        for (uint32_t i = 0; i + 1 < cache_len; i++) cache_maps[i] = cache_maps[i + 1];
        cache_len--;
    }
    cache_maps[cache_len++] = *m;
    cache_bytes += resident;
    return dropped;
}

/* ---- allocation and free ------------------------------------------------------- */

void *lg_large_alloc(size_t size, size_t align, lg_stack_id stack, uint32_t tid, uint64_t birth, size_t headroom)
{
    if (!page_size) page_size = lg_pal_page_size();
    if (align < 16) align = 16;
    size_t data = align_up(size + (align > page_size ? align : 0), page_size);
    if (data == 0) data = page_size;
    /* At least a quarter more than the block: a mapping freed a while ago
     * still fits a block that has grown since (reserved, not committed). */
    if (headroom < data / 4) headroom = data / 4;
    size_t want = headroom <= SIZE_MAX - data ? capacity_for(data + headroom) : 0;
    if (!want) want = capacity_for(data);
    if (!want || want > SIZE_MAX - 2 * page_size) return NULL;

    cached_map m;
    lg_lock(&large_lock);
    bool reused = cache_take(data, want, &m);
    lg_unlock(&large_lock);
    if (!reused) {
        m.map_size = want + 2 * page_size;
        m.map_start = (uintptr_t)lg_pal_reserve(m.map_size);
        if (!m.map_start && want > capacity_for(data)) { /* without headroom, if the address space is short */
            m.map_size = capacity_for(data) + 2 * page_size;
            m.map_start = (uintptr_t)lg_pal_reserve(m.map_size);
        }
        if (!m.map_start) return NULL;
        m.resident_end = m.map_start + page_size;
    }
    uintptr_t data_start = m.map_start + page_size, data_end = data_start + data;
    if (!lg_pal_commit((void *)data_start, data)) {
        lg_pal_unmap((void *)m.map_start, m.map_size);
        return NULL;
    }
    uintptr_t user = (data_end - size) & ~(uintptr_t)(align - 1);
    if (m.resident_end > data_end) lg_pal_decommit((void *)data_end, m.resident_end - data_end); /* past the block */
    lg_redzone_fill(data_start, user - data_start); /* before the block is seen live */
    lg_redzone_fill(user + size, data_end - user - size);

    lg_lock(&large_lock);
    if (!large_free_head && large_used == large_capacity && !large_grow_tables()) {
        lg_unlock(&large_lock);
        lg_pal_unmap((void *)m.map_start, m.map_size);
        return NULL;
    }
    uint32_t index;
    if (large_free_head) {
        index = large_free_head - 1;
        large_free_head = large_records[index].next_free;
    } else {
        index = large_used++;
    }
    large_block *lb = &large_records[index];
    lb->map_start = m.map_start;
    lb->map_size = m.map_size;
    lb->data_end = data_end;
    lb->user = user;
    lb->size = size;
    lb->kept = false;
    lg_mem_set(&lb->meta, 0, sizeof(lb->meta));
    lg_block_meta_born(&lb->meta, size, 0, stack, tid, birth);
    lb->meta.state = LG_BLOCK_LIVE;
    if (lb->map_start < large_lo) __atomic_store_n(&large_lo, lb->map_start, __ATOMIC_RELAXED);
    if (lb->map_start + lb->map_size > large_hi) __atomic_store_n(&large_hi, lb->map_start + lb->map_size, __ATOMIC_RELAXED);
    uint32_t at = large_upper_bound(lb->map_start);
    for (uint32_t i = large_sorted_len; i > at; i--) large_sorted[i] = large_sorted[i - 1];
    large_sorted[at] = index;
    large_sorted_len++;
    lg_unlock(&large_lock);

    return (void *)user;
}

/* What a freed large block weighs in the quarantine: its pages when it
 * keeps them, else a page. */
static size_t large_weight(const large_block *lb)
{
    return lb->kept ? lb->data_end - (lb->map_start + page_size) : page_size;
}

size_t lg_large_free(const lg_block *b)
{
    large_block *lb = &large_records[b->slot];
    size_t data = b->slot_end - b->slot_start;
    /* Either way any use faults, and the signal handler reports it. */
    lb->kept = data <= keep_max();
    if (lb->kept) lg_pal_protect((void *)b->slot_start, data);
    else lg_pal_decommit((void *)b->slot_start, data);
    return large_weight(lb);
}

size_t lg_large_weight(uint32_t index)
{
    return large_weight(&large_records[index]);
}

size_t lg_large_release(uint32_t index)
{
    cached_map drop[LARGE_CACHE_MAPS + 1];
    uint32_t dropped = 0;
    lg_lock(&large_lock);
    large_block *lb = &large_records[index];
    size_t weight = large_weight(lb);
    uint32_t at = large_upper_bound(lb->map_start) - 1;
    for (uint32_t i = at; i + 1 < large_sorted_len; i++) large_sorted[i] = large_sorted[i + 1];
    large_sorted_len--;
    cached_map m = {lb->map_start, lb->map_size, lb->kept ? lb->data_end : lb->map_start + page_size};
    if (lb->kept) dropped = cache_put(&m, drop);
    else drop[dropped++] = m;
    lb->meta.state = LG_BLOCK_UNUSED;
    lb->next_free = large_free_head;
    large_free_head = index + 1;
    lg_unlock(&large_lock);
    for (uint32_t i = 0; i < dropped; i++) lg_pal_unmap((void *)drop[i].map_start, drop[i].map_size);
    return weight;
}

/* ---- lookup ------------------------------------------------------------------ */

void lg_large_to_block(uint32_t index, lg_block *out)
{
    large_block *lb = &large_records[index];
    out->user = lb->user;
    out->size = lb->size;
    out->slot_start = lb->map_start + page_size;
    out->slot_end = lb->data_end;
    out->meta = &lb->meta;
    out->size_class = LG_LARGE_CLASS;
    out->slot = index;
}

bool lg_large_may_hold(uintptr_t addr)
{
    return addr >= __atomic_load_n(&large_lo, __ATOMIC_RELAXED) && addr < __atomic_load_n(&large_hi, __ATOMIC_RELAXED);
}

bool lg_large_find_held(uintptr_t addr, lg_block *out)
{
    if (!large_sorted_len || addr < large_lo || addr >= large_hi) return false;
    uint32_t at = large_upper_bound(addr);
    if (at == 0) return false;
    large_block *lb = &large_records[large_sorted[at - 1]];
    if (addr - lb->map_start >= lb->map_size) return false;
    lg_large_to_block(large_sorted[at - 1], out);
    return true;
}

bool lg_large_find(uintptr_t addr, lg_block *out)
{
    if (!large_sorted_len || addr < large_lo || addr >= large_hi) return false;
    lg_lock(&large_lock);
    bool found = lg_large_find_held(addr, out);
    lg_unlock(&large_lock);
    return found;
}

/* A fault may come while another thread holds large_lock (or the leak scan
 * holds every lock): the table is read under a bounded trylock, and
 * skipped if it cannot be had. */
static bool large_lock_for_fault(void)
{
    for (int i = 0; i < 100000; i++)
        if (lg_trylock(&large_lock)) return true;
    return false;
}

uint32_t lg_large_around(uintptr_t addr, lg_block out[2], bool *inside)
{
    uint32_t n = 0;
    *inside = false;
    if (!large_sorted_len || !large_lock_for_fault()) return 0;
    if (lg_large_find_held(addr, &out[0])) {
        *inside = true;
        n = 1;
    } else {
        uint32_t at = large_upper_bound(addr);
        if (at > 0) lg_large_to_block(large_sorted[at - 1], &out[n++]);
        if (at < large_sorted_len) lg_large_to_block(large_sorted[at], &out[n++]);
    }
    lg_unlock(&large_lock);
    return n;
}

/* ---- realloc in place ---------------------------------------------------------- */

/* Still too big for a class, its new end within the capacity, the last
 * page staying a guard, the block in the state given (live; claimed by
 * the realloc resizing it).  The caller holds large_lock. */
static bool large_fits_held(const lg_block *b, size_t size, uint8_t state)
{
    size_t redzone = lg_heap_min_redzone();
    if (redzone + size + redzone <= MAX_SLOT) return false; /* small enough for a class: move there */
    large_block *lb = &large_records[b->slot];
    return lb->user == b->user && lb->meta.state == state &&
           size <= lb->map_start + lb->map_size - page_size - lb->user &&
           align_up(lb->user + size, page_size) <= lb->map_start + lb->map_size - page_size;
}

bool lg_large_fits(const lg_block *b, size_t size)
{
    lg_lock(&large_lock);
    bool fits = large_fits_held(b, size, LG_BLOCK_LIVE);
    lg_unlock(&large_lock);
    return fits;
}

/* The pages follow the new end: committed up to it or given back past it;
 * the slack up to the page end is redzone (all of it checked). */
bool lg_large_resize(const lg_block *b, size_t size, lg_stack_id stack, uint32_t tid, uint64_t birth)
{
    bool done = false;
    lg_lock(&large_lock);
    large_block *lb = &large_records[b->slot];
    uintptr_t old_end = lb->user + lb->size, new_end = lb->user + size, data_end = align_up(new_end, page_size);
    if (large_fits_held(b, size, LG_BLOCK_QUARANTINED) &&
        (data_end <= lb->data_end || lg_pal_commit((void *)lb->data_end, data_end - lb->data_end))) {
        if (data_end > lb->data_end) {
            uintptr_t from = new_end > lb->data_end ? new_end : lb->data_end; /* fresh pages */
            lg_redzone_fill(from, data_end - from);
        } else {
            if (data_end < lb->data_end) lg_pal_decommit((void *)data_end, lb->data_end - data_end);
            if (new_end < old_end) lg_redzone_fill(new_end, (old_end < data_end ? old_end : data_end) - new_end);
        }
        lb->data_end = data_end;
        lb->size = size;
        lg_block_meta_born(&lb->meta, size, lb->meta.offset, stack, tid, birth);
        done = true;
    }
    lg_unlock(&large_lock);
    return done;
}

/* ---- walks and locks ------------------------------------------------------------ */

void lg_large_each_live(lg_block_visit_fn visit, void *ctx)
{
    /* Blocks are copied out first: visit may allocate or free. */
    for (uint32_t i = 0;; i++) {
        lg_block b;
        bool more;
        lg_lock(&large_lock);
        more = i < large_sorted_len;
        if (more) lg_large_to_block(large_sorted[i], &b);
        lg_unlock(&large_lock);
        if (!more) break;
        if (b.meta->state == LG_BLOCK_LIVE) visit(&b, ctx);
    }
}

void lg_large_each_live_locked(lg_block_visit_fn visit, void *ctx)
{
    for (uint32_t i = 0; i < large_sorted_len; i++) {
        lg_block b;
        lg_large_to_block(large_sorted[i], &b);
        if (__atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) == LG_BLOCK_LIVE) visit(&b, ctx);
    }
}

void lg_large_lock(void)
{
    lg_lock(&large_lock);
}

bool lg_large_trylock(void)
{
    return lg_trylock(&large_lock);
}

void lg_large_unlock(void)
{
    lg_unlock(&large_lock);
}

/* ---- for bench/: the mappings by state (LIFEGUARD_RSS_MAP) -------------------- */

void lg_large_each_mapping(lg_large_map_fn fn, void *ctx)
{
    lg_lock(&large_lock);
    for (uint32_t i = 0; i < large_sorted_len; i++) {
        const large_block *lb = &large_records[large_sorted[i]];
        int kind = lb->meta.state == LG_BLOCK_LIVE ? LG_LARGE_MAP_LIVE : LG_LARGE_MAP_QUARANTINED;
        fn(lb->map_start, lb->map_start + lb->map_size, kind, ctx);
    }
    for (uint32_t i = 0; i < cache_len; i++)
        fn(cache_maps[i].map_start, cache_maps[i].map_start + cache_maps[i].map_size, LG_LARGE_MAP_CACHED, ctx);
    lg_unlock(&large_lock);
}

void lg_large_tables(uintptr_t tables[2][2])
{
    tables[0][0] = (uintptr_t)large_records;
    tables[0][1] = large_records ? (uintptr_t)large_records + LG_CFG_LARGE_RECORDS_MAX * sizeof(large_block) : 0;
    tables[1][0] = (uintptr_t)large_sorted;
    tables[1][1] = large_sorted ? (uintptr_t)large_sorted + large_capacity * sizeof(uint32_t) : 0;
}
