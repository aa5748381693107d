/* lg_quarantine.c — freed blocks wait here before their memory is reused.
 *
 * A ring of 2^20 entries in free order, bounded by quarantine_mb bytes and
 * by half the ring.  A freeing thread takes a sequence number with one
 * atomic add (its low LG_QTAG_BITS bits are the block's tag, which the
 * poison encodes), poisons the block, then publishes the ring entry; no
 * lock is taken unless the quarantine is over its bound, and then one
 * thread evicts the oldest entries: each is verified (write-after-free)
 * and its slot becomes reusable.  Entries stay readable after eviction
 * until the ring laps them, so a stale pointer can still be traced. */
#include "lg_heap.h"

#define RING_BITS 20
#define RING_SIZE (1u << RING_BITS)
#define RING_MASK (RING_SIZE - 1)
#define MAX_QUEUED (RING_SIZE / 2)
#define LAP_MASK ((1u << (LG_QTAG_BITS - RING_BITS)) - 1)

/* entry: bit 63 valid | lap (4 bits) << 48 | class << 32 | slot */
#define ENTRY_VALID (1ull << 63)

static uint64_t *ring;
static uint64_t ring_head; /* next sequence number to hand out */
static uint64_t ring_tail; /* oldest sequence number not yet evicted */
static uint64_t queued_bytes;
static lg_lock_t evict_lock = LG_LOCK_INIT;

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

static uint64_t byte_limit(void)
{
    return lg_opt.quarantine_mb << 20;
}

/* Evicts the oldest entry; the caller holds evict_lock.  Returns false if
 * that entry's freer has not published it yet. */
static bool evict_one(void)
{
    uint64_t seq = ring_tail;
    uint64_t entry = __atomic_load_n(&ring[seq & RING_MASK], __ATOMIC_ACQUIRE);
    if (!(entry & ENTRY_VALID) || ((entry >> 48) & LAP_MASK) != lap_of(seq)) return false;
    uint32_t size_class = (uint32_t)(entry >> 32) & 0xff;
    uint32_t slot = (uint32_t)entry;
    lg_heap_recycle(size_class, slot, (uint32_t)seq & ((1u << LG_QTAG_BITS) - 1));
    __atomic_store_n(&ring_tail, seq + 1, __ATOMIC_RELEASE);
    return true;
}

static bool over_bounds(void)
{
    uint64_t queued = __atomic_load_n(&ring_head, __ATOMIC_RELAXED) - __atomic_load_n(&ring_tail, __ATOMIC_RELAXED);
    return queued >= MAX_QUEUED || __atomic_load_n(&queued_bytes, __ATOMIC_RELAXED) > byte_limit();
}

static void evict_while_over(void)
{
    if (!lg_trylock(&evict_lock)) return; /* someone else is already evicting */
    int waits = 0;
    while (ring_tail < __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) && over_bounds()) {
        if (!evict_one()) {
            if (++waits > 1000) break; /* a freer is slow to publish: try later */
            continue;
        }
        waits = 0;
    }
    lg_unlock(&evict_lock);
}

uint32_t lg_quarantine_reserve(void)
{
    /* The ring must never be lapped while entries are still queued. */
    while (__atomic_load_n(&ring_head, __ATOMIC_RELAXED) - __atomic_load_n(&ring_tail, __ATOMIC_RELAXED) >=
           RING_SIZE - 1024)
        evict_while_over();
    uint64_t seq = __atomic_fetch_add(&ring_head, 1, __ATOMIC_RELAXED);
    return (uint32_t)seq & ((1u << LG_QTAG_BITS) - 1);
}

void lg_quarantine_publish(uint32_t qtag, uint32_t size_class, uint32_t slot, size_t bytes)
{
    uint64_t entry = ENTRY_VALID | ((uint64_t)(qtag >> RING_BITS) << 48) | ((uint64_t)size_class << 32) | slot;
    __atomic_fetch_add(&queued_bytes, bytes, __ATOMIC_RELAXED);
    __atomic_store_n(&ring[qtag & RING_MASK], entry, __ATOMIC_RELEASE);
    if (over_bounds()) evict_while_over();
}

void lg_quarantine_release_bytes(size_t bytes)
{
    __atomic_fetch_sub(&queued_bytes, bytes, __ATOMIC_RELAXED);
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

void lg_quarantine_drain(void)
{
    lg_lock(&evict_lock);
    int waits = 0;
    while (ring_tail < __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE) && waits < 1000)
        waits = evict_one() ? 0 : waits + 1;
    lg_unlock(&evict_lock);
}

void lg_quarantine_lock(void)
{
    lg_lock(&evict_lock);
}

void lg_quarantine_unlock(void)
{
    lg_unlock(&evict_lock);
}
