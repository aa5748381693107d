/* lg_depot.c — the stack depot: every distinct stack stored once, named by
 * a 32-bit id.
 *
 * Millions of blocks share a few thousand allocation sites, so a block keeps
 * only an id.  Lookups and inserts are lock-free: a bucket is a singly
 * linked list whose head is swapped in with a compare-and-swap, and nodes
 * come from an arena grown by an atomic bump; nodes are never freed. */
#include "lg_core.h"

#define DEPOT_BUCKETS (1u << 20)
#define DEPOT_ARENA_BYTES (4ull << 30) /* address space; pages fault in as used */
#define DEPOT_ALIGN 8

typedef struct depot_node {
    uint32_t next;  /* id of the next node in the bucket, 0 ends */
    uint32_t hash;
    uint32_t depth;
    uint32_t pad;
    uintptr_t pcs[];
} depot_node;

static uint32_t *depot_buckets;
static char *depot_arena;
static uint64_t depot_used = DEPOT_ALIGN; /* offset 0 is never a node: id 0 means none */
static lg_lock_t depot_init_lock = LG_LOCK_INIT;

lg_capture_fn lg_capture_stack;

static bool depot_init(void)
{
    if (__atomic_load_n(&depot_arena, __ATOMIC_ACQUIRE)) return true;
    lg_lock(&depot_init_lock);
    if (!depot_arena) {
        uint32_t *buckets = lg_pal_map(DEPOT_BUCKETS * sizeof(uint32_t));
        char *arena = lg_pal_map(DEPOT_ARENA_BYTES);
        if (buckets && arena) {
            depot_buckets = buckets;
            __atomic_store_n(&depot_arena, arena, __ATOMIC_RELEASE);
        }
    }
    lg_unlock(&depot_init_lock);
    return depot_arena != NULL;
}

/* Four independent multiply chains, so a 30-frame stack hashes in about a
 * quarter of the time one chain would take. */
static uint32_t hash_pcs(const uintptr_t *pcs, uint32_t depth)
{
    uint64_t h[4] = {0x9e3779b97f4a7c15ull ^ depth, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull, 0x27d4eb2f165667c5ull};
    uint32_t i = 0;
    for (; i + 4 <= depth; i += 4)
        for (uint32_t k = 0; k < 4; k++) h[k] = (h[k] ^ pcs[i + k]) * 0xff51afd7ed558ccdull;
    for (; i < depth; i++) h[0] = (h[0] ^ pcs[i]) * 0xff51afd7ed558ccdull;
    uint64_t x = h[0] ^ (h[1] >> 7) ^ (h[2] << 11) ^ (h[3] >> 17);
    x ^= x >> 32;
    x *= 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(x ^ (x >> 29));
}

static depot_node *node_at(uint32_t id)
{
    return (depot_node *)(depot_arena + (uint64_t)id * DEPOT_ALIGN);
}

static bool node_matches(const depot_node *n, uint32_t hash, const uintptr_t *pcs, uint32_t depth)
{
    if (n->hash != hash || n->depth != depth) return false;
    for (uint32_t i = 0; i < depth; i++)
        if (n->pcs[i] != pcs[i]) return false;
    return true;
}

static uint32_t find_in_chain(uint32_t id, uint32_t stop, uint32_t hash, const uintptr_t *pcs, uint32_t depth)
{
    for (; id && id != stop; id = node_at(id)->next)
        if (node_matches(node_at(id), hash, pcs, depth)) return id;
    return 0;
}

lg_stack_id lg_depot_put(const uintptr_t *pcs, uint32_t depth)
{
    if (depth == 0 || !depot_init()) return 0;
    if (depth > LG_MAX_FRAMES) depth = LG_MAX_FRAMES;
    uint32_t hash = hash_pcs(pcs, depth);
    uint32_t *bucket = &depot_buckets[hash & (DEPOT_BUCKETS - 1)];
    uint32_t head = __atomic_load_n(bucket, __ATOMIC_ACQUIRE);
    uint32_t found = find_in_chain(head, 0, hash, pcs, depth);
    if (found) return found;

    uint64_t bytes = sizeof(depot_node) + depth * sizeof(uintptr_t);
    uint64_t offset = __atomic_fetch_add(&depot_used, bytes, __ATOMIC_RELAXED);
    if (offset + bytes > DEPOT_ARENA_BYTES) return 0; /* full: the block simply has no stack */
    uint32_t id = (uint32_t)(offset / DEPOT_ALIGN);
    depot_node *node = node_at(id);
    node->hash = hash;
    node->depth = depth;
    for (uint32_t i = 0; i < depth; i++) node->pcs[i] = pcs[i];

    for (;;) {
        node->next = head;
        if (__atomic_compare_exchange_n(bucket, &head, id, false, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
            return id;
        /* Someone pushed first: they may have pushed this very stack.  The
         * arena node is then wasted, which is rare and harmless. */
        found = find_in_chain(head, node->next, hash, pcs, depth);
        if (found) return found;
    }
}

uint32_t lg_depot_get(lg_stack_id id, const uintptr_t **pcs)
{
    if (id == 0 || !depot_arena || (uint64_t)id * DEPOT_ALIGN >= __atomic_load_n(&depot_used, __ATOMIC_RELAXED)) {
        *pcs = 0;
        return 0;
    }
    depot_node *node = node_at(id);
    *pcs = node->pcs;
    return node->depth;
}

size_t lg_depot_memory(void)
{
    return (size_t)__atomic_load_n(&depot_used, __ATOMIC_RELAXED) + DEPOT_BUCKETS * sizeof(uint32_t);
}
