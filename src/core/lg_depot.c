/* lg_depot.c — the stack depot: every distinct stack stored once, named by
 * a 32-bit id.
 *
 * Millions of blocks share a few thousand allocation sites, so a block keeps
 * only an id.  Stacks that share their outer frames share their storage: a
 * node is one frame plus the id of the stack of its callers, so the depot is
 * a tree rooted at the outermost frames and a stack's id is the node of its
 * innermost frame.  A deep recursion that allocates at every level (650 000
 * distinct 22-frame stacks) then costs a node or two per stack, not a copy
 * of all its frames.
 *
 * Lookups take no lock: a bucket is a singly linked list whose head is
 * published with a release store, and nodes come from an arena grown by an
 * atomic bump; nodes are never freed.  Inserts of the frames of one stripe
 * of buckets take the stripe's lock, so a frame is linked once.
 *
 * The buckets grow with the depot without moving a node: a node is linked
 * in the bucket its hash names at the level of its id (the first 2^12
 * buckets for the first 2^13 nodes, then 2^16 for the next, ... up to all
 * of them), and a lookup probes the levels from the current one down.  A
 * short process then touches 16 KiB of buckets, not random pages of 4 MiB
 * (each first read and then written: two page faults a page). */
#include "lg_core.h"

#define DEPOT_BUCKETS (1u << LG_CFG_DEPOT_BUCKET_BITS)
#define DEPOT_MAX_NODES (1u << LG_CFG_DEPOT_NODE_BITS) /* address space; pages fault in as used */
/* The levels' bucket counts: 2^FIRST, 2^(FIRST + STEP), ... 2^BUCKET_BITS. */
#define DEPOT_FIRST_BITS (LG_CFG_DEPOT_BUCKET_BITS < 12 ? LG_CFG_DEPOT_BUCKET_BITS : 12)
#define DEPOT_STEP_BITS 4
#define DEPOT_LEVELS ((LG_CFG_DEPOT_BUCKET_BITS - DEPOT_FIRST_BITS + DEPOT_STEP_BITS - 1) / DEPOT_STEP_BITS + 1)
/* Inserts lock a stripe: the low bits of the hash, which every level's
 * bucket index keeps, so two frames that can share a bucket share a stripe. */
#define DEPOT_STRIPE_BITS (DEPOT_FIRST_BITS < 6 ? DEPOT_FIRST_BITS : 6)
_Static_assert(DEPOT_STRIPE_BITS <= DEPOT_FIRST_BITS, "a bucket's frames are all of one stripe");

typedef struct depot_node {
    uintptr_t pc;
    uint32_t caller; /* id of the stack of the callers, 0 at the outermost frame */
    uint32_t next;   /* id of the next node in the bucket, 0 ends */
} depot_node;

static uint32_t *depot_buckets;
static depot_node *depot_nodes;
static uint32_t depot_used = 1; /* node 0 is never used: id 0 means no stack */
static lg_lock_t depot_init_lock = LG_LOCK_INIT;
static lg_lock_t depot_stripes[1u << DEPOT_STRIPE_BITS];
static uint32_t depot_stripe_owner[1u << DEPOT_STRIPE_BITS]; /* the tid + 1 of the thread inside a stripe's insert, or 0 */
static uint32_t depot_stripe_links[1u << DEPOT_STRIPE_BITS];  /* nodes a stripe has linked */

lg_capture_fn lg_capture_stack;

static bool depot_init(void)
{
    if (__atomic_load_n(&depot_nodes, __ATOMIC_ACQUIRE)) return true;
    lg_lock(&depot_init_lock);
    if (!depot_nodes) {
        uint32_t *buckets = lg_pal_map(DEPOT_BUCKETS * sizeof(uint32_t));
        depot_node *nodes = lg_pal_map((size_t)DEPOT_MAX_NODES * sizeof(depot_node));
        if (buckets && nodes) {
            depot_buckets = buckets;
            __atomic_store_n(&depot_nodes, nodes, __ATOMIC_RELEASE);
        }
    }
    lg_unlock(&depot_init_lock);
    return depot_nodes != NULL;
}

static uint32_t hash_frame(uint32_t caller, uintptr_t pc)
{
    uint64_t x = ((uint64_t)pc ^ ((uint64_t)caller << 40 | caller)) * 0xff51afd7ed558ccdull;
    x ^= x >> 29;
    x *= 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(x >> 32);
}

static uint32_t find_in_chain(uint32_t id, uint32_t caller, uintptr_t pc)
{
    for (; id; id = depot_nodes[id].next)
        if (depot_nodes[id].pc == pc && depot_nodes[id].caller == caller) return id;
    return 0;
}

/* The level node id is linked at: a level's buckets take up to two nodes
 * each before the next level takes over. */
static uint32_t level_of(uint32_t id)
{
    uint32_t level = 0;
    while (level + 1 < DEPOT_LEVELS && id >= 2u << (DEPOT_FIRST_BITS + level * DEPOT_STEP_BITS)) level++;
    return level;
}

static uint32_t *level_bucket(uint32_t level, uint32_t hash)
{
    uint32_t bits = DEPOT_FIRST_BITS + level * DEPOT_STEP_BITS;
    if (bits > LG_CFG_DEPOT_BUCKET_BITS) bits = LG_CFG_DEPOT_BUCKET_BITS;
    return &depot_buckets[hash & ((1u << bits) - 1)];
}

/* The frame among the nodes linked at levels [from, to], or 0.  A frame's
 * node is never at a lower level than its caller's: its id came later. */
static uint32_t find_in_levels(uint32_t from, uint32_t to, uint32_t hash, uint32_t caller, uintptr_t pc)
{
    uint32_t *last = NULL, found = 0;
    for (uint32_t level = to + 1; !found && level-- > from;) {
        uint32_t *bucket = level_bucket(level, hash);
        if (bucket != last) found = find_in_chain(__atomic_load_n(bucket, __ATOMIC_ACQUIRE), caller, pc);
        last = bucket;
    }
    return found;
}

lg_stack_id lg_depot_frame(lg_stack_id caller, uintptr_t pc)
{
    if (!depot_init()) return 0;
    uint32_t hash = hash_frame(caller, pc);
    uint32_t si = hash & ((1u << DEPOT_STRIPE_BITS) - 1);
    uint32_t links = __atomic_load_n(&depot_stripe_links[si], __ATOMIC_ACQUIRE);
    uint32_t low = level_of(caller), top = level_of(__atomic_load_n(&depot_used, __ATOMIC_ACQUIRE) - 1);
    uint32_t found = find_in_levels(low, top, hash, caller, pc);
    if (found) return found;

    uint32_t me = lg_pal_tid() + 1;
    /* A signal handler that interrupted this thread's own insert in this
     * stripe would wait for itself: its stack goes without this frame. */
    if (__atomic_load_n(&depot_stripe_owner[si], __ATOMIC_RELAXED) == me) return 0;
    lg_lock(&depot_stripes[si]);
    __atomic_store_n(&depot_stripe_owner[si], me, __ATOMIC_RELAXED);
    /* Another thread may have linked the frame since (the stripe has linked
     * more nodes than before the lookup), at a level the depot has grown
     * to meanwhile. */
    if (__atomic_load_n(&depot_stripe_links[si], __ATOMIC_RELAXED) != links) {
        top = level_of(__atomic_load_n(&depot_used, __ATOMIC_ACQUIRE) - 1);
        found = find_in_levels(low, top, hash, caller, pc);
    }
    if (!found) {
        uint32_t id = __atomic_fetch_add(&depot_used, 1, __ATOMIC_RELAXED);
        if (id < DEPOT_MAX_NODES) { /* else full: the block simply has no stack */
            uint32_t *bucket = level_bucket(level_of(id), hash);
            depot_node *node = &depot_nodes[id];
            node->pc = pc;
            node->caller = caller;
            node->next = __atomic_load_n(bucket, __ATOMIC_RELAXED);
            __atomic_store_n(bucket, id, __ATOMIC_RELEASE);
            __atomic_store_n(&depot_stripe_links[si], depot_stripe_links[si] + 1, __ATOMIC_RELEASE);
            found = id;
        }
    }
    __atomic_store_n(&depot_stripe_owner[si], 0, __ATOMIC_RELAXED);
    lg_unlock(&depot_stripes[si]);
    return found;
}

/* Around fork: a child must not inherit a stripe locked by another thread. */
void lg_depot_lock_all(void)
{
    for (uint32_t i = 0; i < 1u << DEPOT_STRIPE_BITS; i++) lg_lock(&depot_stripes[i]);
}

void lg_depot_unlock_all(void)
{
    for (uint32_t i = 1u << DEPOT_STRIPE_BITS; i-- > 0;) lg_unlock(&depot_stripes[i]);
}

lg_stack_id lg_depot_put(const uintptr_t *pcs, uint32_t depth)
{
    if (depth > LG_MAX_FRAMES) depth = LG_MAX_FRAMES;
    lg_stack_id id = 0;
    for (uint32_t i = depth; i-- > 0;)
        if (!(id = lg_depot_frame(id, pcs[i]))) return 0;
    return id;
}

/* ---- the per-thread memo in front of the depot ---------------------------- */

static lg_stack_id near_frame(lg_depot_memo *m, lg_stack_id callers, uintptr_t pc)
{
    uint64_t h = ((uint64_t)pc ^ (uint64_t)callers << 20) * 0x9e3779b97f4a7c15ull;
    __typeof__(m->near[0]) *e = &m->near[h >> (64 - LG_DEPOT_NEAR_BITS)];
    if (e->pc == pc && e->callers == callers && e->id) return e->id;
    lg_stack_id id = lg_depot_frame(callers, pc);
    e->pc = pc;
    e->callers = callers;
    e->id = id;
    return id;
}

/* A hash of a stack's innermost frames, its outermost and its depth: the
 * frames are multiplied independently (no chain from one to the next), and
 * a match is checked against every frame anyway. */
static uint64_t hash_stack(const uintptr_t *pcs, uint32_t depth)
{
    uint32_t n = depth < 8 ? depth : 8;
    uint64_t h = (depth + (uint64_t)pcs[depth - 1]) * 0xc2b2ae3d27d4eb4full;
    for (uint32_t i = 0; i < n; i++) h += (pcs[i] + i) * 0x9e3779b97f4a7c15ull;
    return h ^ h >> 29;
}

/* Whether two stacks of depth frames are the same: no early exit (the
 * frames are mostly equal when the hashes are); 16 bytes a step where SSE2
 * is sure to be there (not in a kernel built without it), else four words. */
#if defined(__x86_64__) && defined(__SSE2__)
typedef uint64_t depot_v2 __attribute__((vector_size(16), may_alias, aligned(8)));
_Static_assert(sizeof(uintptr_t) == 8, "two frames a vector");
static bool same_frames(const uintptr_t *a, const uintptr_t *b, uint32_t depth)
{
    const uintptr_t *end = a + depth;
    depot_v2 diff = {0, 0};
    for (; end - a >= 8; a += 8, b += 8) {
        const depot_v2 *va = (const depot_v2 *)a, *vb = (const depot_v2 *)b;
        diff |= ((va[0] ^ vb[0]) | (va[1] ^ vb[1])) | ((va[2] ^ vb[2]) | (va[3] ^ vb[3]));
    }
    if (end - a >= 4) {
        const depot_v2 *va = (const depot_v2 *)a, *vb = (const depot_v2 *)b;
        diff |= (va[0] ^ vb[0]) | (va[1] ^ vb[1]);
        a += 4;
        b += 4;
    }
    if (end - a >= 2) {
        diff |= *(const depot_v2 *)a ^ *(const depot_v2 *)b;
        a += 2;
        b += 2;
    }
    uintptr_t rest = a < end ? *a ^ *b : 0;
    return (diff[0] | diff[1] | rest) == 0;
}
#else
static bool same_frames(const uintptr_t *a, const uintptr_t *b, uint32_t depth)
{
    const uintptr_t *end = a + depth;
    uintptr_t diff = 0;
    for (; end - a >= 4; a += 4, b += 4) diff |= (a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]);
    for (; a < end; a++, b++) diff |= *a ^ *b;
    return diff == 0;
}
#endif

/* How many of the outermost frames the stack shares with the memo's last. */
static uint32_t shared_outer(const lg_depot_memo *m, const uintptr_t *pcs, uint32_t depth)
{
    const uintptr_t *top = pcs + depth - 1; /* top[-i]: the stack's frame i from the outermost */
    uint32_t shared = 0, both = depth < m->depth ? depth : m->depth;
    while (shared < both && m->outer[shared] == top[-(intptr_t)shared]) shared++;
    return shared;
}

typedef __typeof__(((lg_depot_memo *)0)->recent[0]) recent_set;

static recent_set *recent_slot(lg_depot_memo *m, uint64_t hash)
{
    return &m->recent[hash >> (64 - LG_DEPOT_RECENT_BITS)];
}

/* The id of the stack if the set keeps it, else 0. */
static inline __attribute__((always_inline)) lg_stack_id recent_find(const recent_set *r, const uintptr_t *pcs,
                                                                      uint32_t depth, uint64_t hash)
{
    for (int w = 0; w < LG_DEPOT_RECENT_WAYS; w++)
        if (r->way[w].hash == hash && r->way[w].depth == depth && r->way[w].id &&
            same_frames(r->way[w].pcs, pcs, depth))
            return r->way[w].id;
    return 0;
}

/* The frames from the shared ones inward are looked up (through the memo's
 * near answers) and become the memo's last stack.  A recent slot is filled
 * only at the second miss of one hash there: a thread cycling through more
 * stacks than the slots would otherwise copy every stack in, for nothing. */
static lg_stack_id store_inner(lg_depot_memo *m, const uintptr_t *pcs, uint32_t depth, uint32_t shared,
                               recent_set *recent, uint64_t hash)
{
    const uintptr_t *top = pcs + depth - 1;
    lg_stack_id id = shared ? m->ids[shared - 1] : 0;
    for (uint32_t i = shared; i < depth; i++) {
        uintptr_t pc = top[-(intptr_t)i];
        if (!(id = near_frame(m, id, pc))) {
            m->depth = 0; /* the depot is full */
            return 0;
        }
        m->outer[i] = pc;
        m->ids[i] = id;
    }
    m->depth = depth;
    if (!recent) return id;
    bool seen = false;
    for (int c = 0; c < LG_DEPOT_RECENT_WAYS; c++) seen |= recent->cand[c] == hash;
    if (!seen) {
        recent->cand[recent->victim % LG_DEPOT_RECENT_WAYS] = hash;
        recent->victim++;
        return id;
    }
    __typeof__(recent->way[0]) *w = &recent->way[recent->victim % LG_DEPOT_RECENT_WAYS];
    recent->victim++;
    w->hash = hash;
    w->depth = depth;
    w->id = id;
    for (uint32_t i = 0; i < depth; i++) w->pcs[i] = pcs[i];
    return id;
}

/* The memo keeps the last stack outermost first, so that the frames a new
 * stack shares with it stay where they are: only the frames that differ
 * are looked up and written.  A stack that shares few of them may be one
 * of the thread's recent stacks. */
lg_stack_id lg_depot_store(lg_depot_memo *m, const uintptr_t *pcs, uint32_t depth)
{
    uint32_t shared = shared_outer(m, pcs, depth);
    if (shared == depth && depth) return m->ids[depth - 1];
    uint64_t hash = 0;
    recent_set *recent = NULL;
    if (depth - shared > 2 && depth <= LG_DEPOT_RECENT_FRAMES) {
        hash = hash_stack(pcs, depth);
        recent = recent_slot(m, hash);
        lg_stack_id id = recent_find(recent, pcs, depth, hash);
        if (id) return id;
    }
    return store_inner(m, pcs, depth, shared, recent, hash);
}

/* A stack not among the recent ones: through the last stack's frames. */
static __attribute__((noinline)) lg_stack_id store_not_recent(lg_depot_memo *m, const uintptr_t *pcs, uint32_t depth,
                                                              recent_set *recent, uint64_t hash)
{
    uint32_t shared = shared_outer(m, pcs, depth);
    if (shared == depth && depth) return m->ids[depth - 1];
    return store_inner(m, pcs, depth, shared, recent, hash);
}

/* With the hash known, the recent stacks come first: one compare of the
 * hash, and of the frames only when it matches.  That path is kept short
 * (the rest is out of line, with the registers it needs saved there). */
lg_stack_id lg_depot_store_hashed(lg_depot_memo *m, const uintptr_t *pcs, uint32_t depth, uint64_t hash)
{
    recent_set *recent = NULL;
    if (depth && depth <= LG_DEPOT_RECENT_FRAMES) {
        recent = recent_slot(m, hash);
        lg_stack_id id = recent_find(recent, pcs, depth, hash);
        if (id) return id;
    }
    return store_not_recent(m, pcs, depth, recent, hash);
}

uint32_t lg_depot_get(lg_stack_id id, uintptr_t *pcs, uint32_t max)
{
    uint32_t used = __atomic_load_n(&depot_used, __ATOMIC_ACQUIRE);
    uint32_t depth = 0;
    if (!depot_nodes) return 0;
    for (; id && id < used && id < DEPOT_MAX_NODES && depth < max; id = depot_nodes[id].caller)
        pcs[depth++] = depot_nodes[id].pc;
    return depth;
}

size_t lg_depot_memory(void)
{
    uint32_t used = __atomic_load_n(&depot_used, __ATOMIC_RELAXED);
    if (used > DEPOT_MAX_NODES) used = DEPOT_MAX_NODES;
    uint32_t bits = DEPOT_FIRST_BITS + level_of(used - 1) * DEPOT_STEP_BITS;
    if (bits > LG_CFG_DEPOT_BUCKET_BITS) bits = LG_CFG_DEPOT_BUCKET_BITS;
    return (size_t)used * sizeof(depot_node) + ((size_t)1 << bits) * sizeof(uint32_t);
}
