/* lg_quarantine.c — freed blocks wait here before their memory is reused.
 *
 * A ring of 2^LG_CFG_RING_BITS entries (2^20 on 64-bit Linux) in free
 * order, bounded by quarantine_mb bytes (the slots and metadata held back,
 * and the ring itself; see byte_limit) and by half the ring.  A freeing thread takes a sequence number with one
 * atomic add (its low LG_QTAG_BITS bits are the block's tag, which the
 * poison encodes), poisons the block, then publishes the ring entry; no
 * lock is taken unless the quarantine is over its bound, and then one
 * thread evicts the oldest entries in batches of
 * LG_EVICT_BATCH (lg_heap_recycle verifies each for writes after free and
 * makes its slot reusable, in the evicting thread's cache).  Entries stay
 * readable after eviction until the ring laps them, so a stale pointer can
 * still be traced. */
#include "lg_heap.h"

#define RING_BITS LG_CFG_RING_BITS
#define RING_SIZE (1u << RING_BITS)
#define RING_MASK (RING_SIZE - 1)
#define MAX_QUEUED (RING_SIZE / 2)
#define LAP_MASK ((1u << (LG_QTAG_BITS - RING_BITS)) - 1)
#define PENDING_LUMP (64u << 10) /* bytes a cache gathers before adding them to the total */

/* entry: bit 63 valid | lap (4 bits) << 48 | class << 32 | slot */
#define ENTRY_VALID (1ull << 63)

static lg_atomic_u64 *ring;
static uint64_t ring_head; /* next sequence number to hand out */
static uint64_t ring_tail; /* oldest sequence number not yet evicted */
/* Signed: an eviction may subtract bytes whose freer has not added them yet. */
static int64_t queued_bytes;
static int64_t queued_peak; /* the most queued_bytes an eviction began at (for LIFEGUARD_RSS_MAP) */
static lg_lock_t evict_lock = LG_LOCK_INIT;
static lg_heap_cache *evicting; /* the cache of the thread in evict_while_over, if any */
/* Past the bound by more than 1/OVERSHOOT_DIVISOR of it, a freer waits for the evictor. */
#define OVERSHOOT_DIVISOR 32
/* In a forked child: sequence numbers below this were the parent's frees. */
static uint64_t inherited_below;

bool lg_quarantine_init(void)
{
    if (ring) return true;
    ring = lg_pal_map(RING_SIZE * sizeof(uint64_t));
    return ring != NULL;
}

static uint32_t lap_of(uint64_t seq)
{
    return (uint32_t)(seq >> RING_BITS) & LAP_MASK;
}

/* quarantine_mb bounds all the memory the quarantine keeps: the freed
 * blocks' slots and metadata, and the part of the ring used so far (8 MiB
 * at most, counted up to half the bound so a small quarantine stays one). */
static int64_t byte_limit(void)
{
    int64_t limit = (int64_t)(lg_opt.quarantine_mb << 20);
    uint64_t used = __atomic_load_n(&ring_head, __ATOMIC_RELAXED);
    int64_t ring_bytes = (int64_t)((used < RING_SIZE ? used : RING_SIZE) * sizeof(uint64_t));
    return limit - (ring_bytes < limit / 2 ? ring_bytes : limit / 2);
}

/* Evicts up to LG_EVICT_BATCH of the oldest entries at once, so the heap
 * can overlap the cache misses of verifying them; the caller holds
 * evict_lock.  Returns false if the oldest entry's freer has not published
 * it yet. */
static bool evict_batch(lg_heap_cache *cache)
{
    lg_evicted batch[LG_EVICT_BATCH];
    uint64_t seq = ring_tail, head = __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE);
    uint32_t n = 0;
    while (n < LG_EVICT_BATCH && seq < head) {
        uint64_t entry = __atomic_load_n(&ring[seq & RING_MASK], __ATOMIC_ACQUIRE);
        if (!(entry & ENTRY_VALID) || ((entry >> 48) & LAP_MASK) != lap_of(seq)) break;
        batch[n].size_class = (uint32_t)(entry >> 32) & 0xff;
        batch[n].slot = (uint32_t)entry;
        batch[n].qtag = (uint32_t)seq & ((1u << LG_QTAG_BITS) - 1);
        n++;
        seq++;
    }
    if (!n) return false;
    size_t bytes = lg_heap_recycle(batch, n, cache);
    __atomic_fetch_sub(&queued_bytes, (int64_t)bytes, __ATOMIC_RELAXED);
    __atomic_store_n(&ring_tail, seq, __ATOMIC_RELEASE);
    return true;
}

static bool over_bounds(void)
{
    uint64_t queued = __atomic_load_n(&ring_head, __ATOMIC_RELAXED) - __atomic_load_n(&ring_tail, __ATOMIC_RELAXED);
    return queued >= MAX_QUEUED || __atomic_load_n(&queued_bytes, __ATOMIC_RELAXED) > byte_limit();
}

static void evict_while_over(lg_heap_cache *cache)
{
    if (!lg_trylock(&evict_lock)) {
        /* Someone is evicting.  Far past the bound, wait for it: with
         * trylock alone the quarantine grew without limit while the evictor
         * was preempted or slower than the others' frees (prodcons: 100-260
         * MiB peaks, docs/PERFORMANCE.md).  Never for this thread's own
         * eviction (a report made while evicting may free), nor without a
         * cache to tell whose it is. */
        int64_t limit = byte_limit();
        if (!cache || __atomic_load_n(&evicting, __ATOMIC_RELAXED) == cache ||
            __atomic_load_n(&queued_bytes, __ATOMIC_RELAXED) <= limit + limit / OVERSHOOT_DIVISOR)
            return;
        lg_lock(&evict_lock);
    }
    __atomic_store_n(&evicting, cache, __ATOMIC_RELAXED);
    int64_t queued = __atomic_load_n(&queued_bytes, __ATOMIC_RELAXED);
    if (queued > queued_peak) queued_peak = queued;
    int waits = 0;
    while (ring_tail < __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) && over_bounds()) {
        if (!evict_batch(cache)) {
            if (++waits > 1000) break; /* a freer is slow to publish: try later */
            continue;
        }
        waits = 0;
    }
    __atomic_store_n(&evicting, NULL, __ATOMIC_RELAXED);
    lg_unlock(&evict_lock);
}

uint32_t lg_quarantine_reserve(lg_heap_cache *cache)
{
    /* The ring must never be lapped while entries are still queued. */
    while (__atomic_load_n(&ring_head, __ATOMIC_RELAXED) - __atomic_load_n(&ring_tail, __ATOMIC_RELAXED) >=
           RING_SIZE - 1024)
        evict_while_over(cache);
    uint64_t seq = __atomic_fetch_add(&ring_head, 1, __ATOMIC_RELAXED);
    return (uint32_t)seq & ((1u << LG_QTAG_BITS) - 1);
}

void lg_quarantine_flush(lg_heap_cache *cache)
{
    if (!cache || !cache->pending_bytes) return;
    __atomic_fetch_add(&queued_bytes, (int64_t)cache->pending_bytes, __ATOMIC_RELAXED);
    cache->pending_bytes = 0;
}

void lg_quarantine_publish(lg_heap_cache *cache, uint32_t qtag, uint32_t size_class, uint32_t slot, size_t bytes)
{
    uint64_t entry = ENTRY_VALID | ((uint64_t)(qtag >> RING_BITS) << 48) | ((uint64_t)size_class << 32) | slot;
    __atomic_store_n(&ring[qtag & RING_MASK], entry, __ATOMIC_RELEASE);
    /* A thread with a cache adds its bytes to the shared total in lumps,
     * saving an atomic per free: the bound is off by less than PENDING_LUMP
     * per thread. */
    if (cache) {
        cache->pending_bytes += bytes;
        if (cache->pending_bytes >= PENDING_LUMP) lg_quarantine_flush(cache);
    } else {
        __atomic_fetch_add(&queued_bytes, (int64_t)bytes, __ATOMIC_RELAXED);
    }
    if (over_bounds()) evict_while_over(cache);
}

bool lg_quarantine_lookup(uint32_t qtag, uint32_t *size_class, uint32_t *slot)
{
    if (!ring) return false;
    uint64_t entry = __atomic_load_n(&ring[qtag & RING_MASK], __ATOMIC_ACQUIRE);
    if (!(entry & ENTRY_VALID) || ((entry >> 48) & LAP_MASK) != (qtag >> RING_BITS)) return false;
    *size_class = (uint32_t)(entry >> 32) & 0xff;
    *slot = (uint32_t)entry;
    return true;
}

void lg_quarantine_after_fork_child(void)
{
    inherited_below = __atomic_load_n(&ring_head, __ATOMIC_RELAXED);
}

/* A forked child's drain: the parent's entries are verified where their
 * memory changed since the fork and not recycled (writing their metadata
 * would copy its pages for nothing).  The caller holds evict_lock. */
static void skip_inherited(void)
{
    while (ring_tail < inherited_below) {
        lg_evicted batch[LG_EVICT_BATCH];
        uint64_t seq = ring_tail;
        uint32_t n = 0;
        for (; n < LG_EVICT_BATCH && seq < inherited_below; seq++) {
            uint64_t entry = __atomic_load_n(&ring[seq & RING_MASK], __ATOMIC_ACQUIRE);
            if (!(entry & ENTRY_VALID) || ((entry >> 48) & LAP_MASK) != lap_of(seq)) continue; /* its freer did not come along */
            batch[n].size_class = (uint32_t)(entry >> 32) & 0xff;
            batch[n].slot = (uint32_t)entry;
            batch[n].qtag = (uint32_t)seq & ((1u << LG_QTAG_BITS) - 1);
            n++;
        }
        size_t bytes = lg_heap_verify_inherited(batch, n);
        __atomic_fetch_sub(&queued_bytes, (int64_t)bytes, __ATOMIC_RELAXED);
        __atomic_store_n(&ring_tail, seq, __ATOMIC_RELEASE);
    }
}

void lg_quarantine_drain(void)
{
    lg_lock(&evict_lock);
    skip_inherited();
    int waits = 0;
    while (ring_tail < __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) && waits < 1000)
        waits = evict_batch(0) ? 0 : waits + 1;
    lg_unlock(&evict_lock);
}

void lg_quarantine_lock(void)
{
    lg_lock(&evict_lock);
}

bool lg_quarantine_trylock(void)
{
    return lg_trylock(&evict_lock);
}

void lg_quarantine_unlock(void)
{
    lg_unlock(&evict_lock);
}

void lg_quarantine_use(uintptr_t *ring_lo, uintptr_t *ring_hi, int64_t *counted, int64_t *peak, int64_t *limit)
{
    *peak = queued_peak;
    *ring_lo = (uintptr_t)ring;
    *ring_hi = ring ? (uintptr_t)ring + RING_SIZE * sizeof(uint64_t) : 0;
    *counted = __atomic_load_n(&queued_bytes, __ATOMIC_RELAXED);
    *limit = byte_limit();
}
