/* lg_refs_store.c — where the reference tracker keeps its records.
 *
 * Objects and holder records live in per-shard chained hash tables (holder
 * records keyed by object and holder, so an object with ten thousand
 * holders costs no more per call than one with a single holder; each
 * object memoises its last two, which spares most calls the lookup).  Records
 * come from per-shard free lists carved out of mapped chunks: after warm-up
 * the get/put path allocates nothing.  Type names are interned in a table
 * read without locks.  The heap-block index tells a freed block which
 * objects lived in it. */
#include "lg_refs_internal.h"

#define CHUNK_BYTES (64u << 10)
#define FIRST_BUCKETS 256u
#define TYPE_SLOTS 4096u
#define BLOCK_SHARD_BITS 6
#define BLOCK_SHARDS (1u << BLOCK_SHARD_BITS)
#define BLOCK_FIRST_BUCKETS 256u
#define BLOCK_OBJS 3

refs_shard refs_shards[REFS_SHARDS];
static uint64_t bytes_mapped;

void *refs_map(size_t bytes)
{
    void *p = lg_pal_map(bytes);
    if (p) __atomic_fetch_add(&bytes_mapped, bytes, __ATOMIC_RELAXED);
    return p;
}

void refs_unmap(void *p, size_t bytes)
{
    lg_pal_unmap(p, bytes);
    __atomic_fetch_sub(&bytes_mapped, bytes, __ATOMIC_RELAXED);
}

uint64_t refs_bytes_mapped(void)
{
    return __atomic_load_n(&bytes_mapped, __ATOMIC_RELAXED);
}

/* ---- record pools ------------------------------------------------------------ */

/* Records are carved out of mapped chunks; the tail of a chunk too short
 * for the next record is dropped, so records never span chunks.  A record
 * whose size is a multiple of a cache line (objects, holders: their types
 * are line-aligned) starts on a line. */
static void *chunk_carve(char **chunk, size_t *chunk_left, size_t size)
{
    size_t skip = size % 64 == 0 ? (size_t)(-(uintptr_t)*chunk & 63) : 0;
    if (*chunk_left < size + skip) {
        char *fresh = refs_map(CHUNK_BYTES);
        if (!fresh) return NULL;
        *chunk = fresh;
        *chunk_left = CHUNK_BYTES;
        skip = size % 64 == 0 ? (size_t)(-(uintptr_t)fresh & 63) : 0;
        if (*chunk_left < size + skip) return NULL;
    }
    *chunk += skip;
    *chunk_left -= skip;
    void *p = *chunk;
    *chunk += size;
    *chunk_left -= size;
    return p;
}

/* A zeroed record: a freed one (free lists are linked through the first
 * word) or a new one from the shard's chunk. */
static void *pool_alloc(refs_shard *s, void **free_list, size_t size)
{
    void *p = *free_list;
    if (p) *free_list = *(void **)p;
    else p = chunk_carve(&s->chunk, &s->chunk_left, size);
    if (p) lg_mem_set(p, 0, size);
    return p;
}

static void pool_free(void **free_list, void *p)
{
    *(void **)p = *free_list;
    *free_list = p;
}

refs_site *refs_site_alloc(refs_shard *s)
{
    return pool_alloc(s, &s->free_sites, sizeof(refs_site));
}

refs_token *refs_token_alloc(refs_shard *s)
{
    return pool_alloc(s, &s->free_sites, sizeof(refs_site));
}

/* ---- weak slots: a fixed table per shard (few programs have many) ------------- */

static inline uint32_t weak_bucket(uintptr_t slot)
{
    return (uint32_t)(refs_mix(slot ^ 0x77aa) & (REFS_WEAK_BUCKETS - 1));
}

refs_weak *refs_weak_find(refs_shard *s, uintptr_t slot)
{
    if (!s->weaks) return NULL;
    refs_weak *w = s->weaks[weak_bucket(slot)];
    while (w && w->slot != slot) w = w->hnext;
    return w;
}

refs_weak *refs_weak_add(refs_shard *s, uintptr_t slot)
{
    if (!s->weaks && !(s->weaks = refs_map(REFS_WEAK_BUCKETS * sizeof(*s->weaks)))) return NULL;
    refs_weak *w = pool_alloc(s, &s->free_weaks, sizeof(refs_weak));
    if (!w) return NULL;
    w->slot = slot;
    refs_weak **head = &s->weaks[weak_bucket(slot)];
    w->hnext = *head;
    *head = w;
    return w;
}

void refs_weak_remove(refs_shard *s, refs_weak *w)
{
    refs_weak **pp = &s->weaks[weak_bucket(w->slot)];
    while (*pp && *pp != w) pp = &(*pp)->hnext;
    if (*pp) *pp = w->hnext;
    pool_free(&s->free_weaks, w);
}

/* ---- hash tables --------------------------------------------------------------- */

static inline uint64_t holder_hash(uintptr_t obj, uintptr_t holder)
{
    return refs_mix(obj ^ (holder * 0x9e3779b97f4a7c15ull) ^ 0x5bd1e995u);
}

/* Maps the first buckets of a shard, or doubles them; false if memory is
 * refused (the table keeps working, with longer chains).  The old array
 * stays mapped: a get or put may be reading it without the lock
 * (refs_obj_peek).  Links are stored atomically for the same reason; a
 * look-up that meets a chain half rebuilt misses, and takes the lock. */
static bool grow_objs(refs_shard *s)
{
    uint32_t old_n = s->obj_mask ? s->obj_mask + 1 : 0;
    uint32_t n = old_n ? old_n * 2 : FIRST_BUCKETS;
    refs_obj **b = refs_map(n * sizeof(*b));
    if (!b) return false;
    for (uint32_t i = 0; i < old_n; i++) {
        for (refs_obj *o = s->objs[i], *next; o; o = next) {
            next = o->hnext;
            refs_obj **head = &b[refs_mix(o->addr) & (n - 1)];
            __atomic_store_n(&o->hnext, *head, __ATOMIC_RELEASE);
            *head = o;
        }
    }
    __atomic_store_n(&s->objs, b, __ATOMIC_RELEASE);
    __atomic_store_n(&s->obj_mask, n - 1, __ATOMIC_RELEASE); /* after its array */
    return true;
}

static bool grow_holders(refs_shard *s)
{
    uint32_t old_n = s->holder_mask ? s->holder_mask + 1 : 0;
    uint32_t n = old_n ? old_n * 2 : FIRST_BUCKETS;
    refs_holder **b = refs_map(n * sizeof(*b));
    if (!b) return false;
    for (uint32_t i = 0; i < old_n; i++) {
        for (refs_holder *h = s->holders[i], *next; h; h = next) {
            next = h->hnext;
            refs_holder **head = &b[holder_hash(h->obj, h->holder) & (n - 1)];
            h->hnext = *head;
            *head = h;
        }
    }
    if (old_n) refs_unmap(s->holders, old_n * sizeof(*b));
    s->holders = b;
    s->holder_mask = n - 1;
    return true;
}

refs_obj *refs_obj_find(refs_shard *s, uintptr_t addr)
{
    return refs_obj_lookup(s, addr, refs_mix(addr));
}

refs_obj *refs_obj_add(refs_shard *s, uintptr_t addr)
{
    if (!s->objs || s->nobjs > 2 * (s->obj_mask + 1)) {
        if (!grow_objs(s) && !s->objs) return NULL;
    }
    refs_obj *o = s->free_objs;
    if (o) s->free_objs = *(void **)o;
    else o = chunk_carve(&s->chunk, &s->chunk_left, sizeof(refs_obj));
    if (!o) return NULL;
    /* A look-up without the lock may still hold the lock of this freed
     * record, or read its address and link: those three are kept. */
    lg_lock(&o->lock);
    lg_mem_set(o, 0, offsetof(refs_obj, lock));
    lg_mem_set((char *)o + offsetof(refs_obj, hnext) + sizeof(o->hnext), 0,
               sizeof(refs_obj) - offsetof(refs_obj, hnext) - sizeof(o->hnext));
    __atomic_store_n(&o->addr, addr, __ATOMIC_RELAXED);
    o->linked = 1;
    refs_obj **head = &s->objs[refs_mix(addr) & s->obj_mask];
    __atomic_store_n(&o->hnext, *head, __ATOMIC_RELAXED);
    __atomic_store_n(head, o, __ATOMIC_RELEASE); /* published whole */
    s->nobjs++;
    return o;
}

void refs_each_obj(refs_shard *s, void (*visit)(refs_obj *o, void *ctx), void *ctx)
{
    for (uint32_t k = 0; s->objs && k <= s->obj_mask; k++)
        for (refs_obj *o = s->objs[k]; o; o = o->hnext) visit(o, ctx);
}

static void holder_free(refs_shard *s, refs_holder *h)
{
    for (refs_site *st = h->sites, *next; st; st = next) {
        next = st->next;
        pool_free(&s->free_sites, st);
    }
    for (refs_token *t = h->tokens, *next; t; t = next) {
        next = t->next;
        pool_free(&s->free_sites, t);
    }
    for (refs_token *t = h->spare_tokens, *next; t; t = next) {
        next = t->next;
        pool_free(&s->free_sites, t);
    }
    refs_holder **pp = &s->holders[holder_hash(h->obj, h->holder) & s->holder_mask];
    while (*pp && *pp != h) pp = &(*pp)->hnext;
    if (*pp) *pp = h->hnext;
    s->nholders--;
    s->gets += h->get_calls;
    s->puts += h->put_calls;
    pool_free(&s->free_holders, h);
}

void refs_obj_remove(refs_shard *s, refs_obj *o)
{
    if (o->block && o->state != LG_REFS_DEAD) {
        refs_block_remove(o->block, o->addr);
        refs_unmark_block(o->block);
    }
    for (refs_holder *h = o->holders, *next; h; h = next) {
        next = h->next;
        holder_free(s, h);
    }
    refs_obj **pp = &s->objs[refs_mix(o->addr) & s->obj_mask];
    while (*pp && *pp != o) pp = &(*pp)->hnext;
    if (*pp) __atomic_store_n(pp, o->hnext, __ATOMIC_RELEASE);
    s->nobjs--;
    o->flags = 0; /* a stale graveyard entry naming this record is ignored */
    o->linked = 0;
    pool_free(&s->free_objs, o); /* under its lock: a look-up that holds it next sees it unlinked */
    lg_unlock(&o->lock);
}

refs_holder *refs_holder_find(refs_shard *s, const refs_obj *o, uintptr_t holder)
{
    if (LG_UNLIKELY(!s->holders)) return NULL;
    refs_holder *h = s->holders[holder_hash(o->addr, holder) & s->holder_mask];
    while (h && (h->obj != o->addr || h->holder != holder)) h = h->hnext;
    return h;
}

refs_holder *refs_holder_add(refs_shard *s, refs_obj *o, uintptr_t holder)
{
    if (!s->holders || s->nholders > 2 * (s->holder_mask + 1)) {
        if (!grow_holders(s) && !s->holders) return NULL;
    }
    refs_holder *h = pool_alloc(s, &s->free_holders, sizeof(refs_holder));
    if (!h) return NULL;
    h->obj = o->addr;
    h->holder = holder;
    refs_holder **head = &s->holders[holder_hash(o->addr, holder) & s->holder_mask];
    h->hnext = *head;
    *head = h;
    s->nholders++;
    h->next = o->holders;
    o->holders = h;
    o->nholders++;
    refs_memo_put(o, h);
    return h;
}

void refs_holder_remove(refs_shard *s, refs_obj *o, refs_holder *h)
{
    refs_holder **pp = &o->holders;
    while (*pp && *pp != h) pp = &(*pp)->next;
    if (!*pp) return;
    *pp = h->next;
    o->nholders--;
    for (uint32_t i = 0; i < REFS_MEMO; i++)
        if (o->memo[i] == h) o->memo[i] = NULL;
    holder_free(s, h);
}

/* ---- the graveyard ------------------------------------------------------------ */

void refs_grave_push(refs_shard *s, refs_obj *o)
{
    if (o->flags & OBJ_IN_GRAVE) return;
    if (!s->grave) {
        s->grave = refs_map(REFS_GRAVE_SLOTS * sizeof(refs_grave));
        if (!s->grave) return; /* not remembered as dead: it stays, dead, in the table */
    }
    if (s->grave_len == REFS_GRAVE_SLOTS) {
        refs_grave *e = &s->grave[s->grave_head];
        s->grave_head = (s->grave_head + 1) % REFS_GRAVE_SLOTS;
        s->grave_len--;
        refs_obj *old = e->obj;
        if ((old->flags & OBJ_IN_GRAVE) && old->grave_seq == e->seq && old->state != LG_REFS_ALIVE) {
            refs_obj_lock(old); /* never the caller's: that one is not in the ring yet */
            refs_obj_remove(s, old);
        }
    }
    o->flags |= OBJ_IN_GRAVE;
    o->grave_seq = ++s->grave_seq;
    refs_grave *e = &s->grave[(s->grave_head + s->grave_len) % REFS_GRAVE_SLOTS];
    e->obj = o;
    e->seq = o->grave_seq;
    s->grave_len++;
}

void refs_grave_cancel(refs_obj *o)
{
    o->flags &= (uint8_t)~OBJ_IN_GRAVE;
}

void refs_shard_reset(refs_shard *s)
{
    if (s->objs) {
        for (uint32_t i = 0; i <= s->obj_mask; i++)
            while (s->objs[i]) {
                refs_obj_lock(s->objs[i]);
                refs_obj_remove(s, s->objs[i]);
            }
    }
    for (uint32_t i = 0; s->weaks && i < REFS_WEAK_BUCKETS; i++)
        while (s->weaks[i]) refs_weak_remove(s, s->weaks[i]);
    s->grave_head = s->grave_len = 0;
    s->born = s->gets = s->puts = s->unknown_puts = s->alive = 0;
}

/* ---- types --------------------------------------------------------------------- */

static refs_type *type_slots; /* TYPE_SLOTS, open addressing by name hash */
static uint32_t type_count;
static lg_lock_t type_lock = LG_LOCK_INIT;
static refs_type overflow_type = {0, 16, 0, "(too many types)"};
static refs_type implicit_type = {0, 6, 0, "object"};
const refs_type *refs_implicit_type = &implicit_type;

static uint32_t name_hash(const char *name, uint32_t *len)
{
    uint32_t h = 2166136261u, n = 0;
    while (name[n] && n < REFS_TYPE_NAME - 1) {
        h = (h ^ (unsigned char)name[n]) * 16777619u;
        n++;
    }
    *len = n;
    return h | 1; /* 0 marks an empty slot */
}

static bool type_matches(const refs_type *t, uint32_t hash, const char *name, uint32_t len)
{
    return t->hash == hash && t->len == len && lg_mem_cmp(t->name, name, len) == 0;
}

void refs_type_lock(void)
{
    lg_lock(&type_lock);
}

void refs_type_unlock(void)
{
    lg_unlock(&type_lock);
}

/* The slot of slots that holds the name, or the empty slot where it would
 * go; NULL when every slot holds another name.  Read without the lock:
 * a slot's hash is written last (it publishes the name) and never again. */
static refs_type *type_probe(refs_type *slots, uint32_t hash, const char *name, uint32_t len)
{
    for (uint32_t i = 0; i < TYPE_SLOTS; i++) {
        refs_type *t = &slots[(hash + i) & (TYPE_SLOTS - 1)];
        if (__atomic_load_n(&t->hash, __ATOMIC_ACQUIRE) == 0 || type_matches(t, hash, name, len)) return t;
    }
    return NULL;
}

static const refs_type *type_insert_locked(uint32_t hash, const char *name, uint32_t len)
{
    if (!type_slots) __atomic_store_n(&type_slots, refs_map(TYPE_SLOTS * sizeof(refs_type)), __ATOMIC_RELEASE);
    refs_type *t = type_slots ? type_probe(type_slots, hash, name, len) : NULL;
    if (!t) return &overflow_type;
    if (t->hash) return t; /* interned by another thread since our look */
    if (type_count + 1 >= TYPE_SLOTS) return &overflow_type;
    lg_mem_copy(t->name, name, len);
    t->name[len] = 0;
    t->len = len;
    t->next_id = 0;
    __atomic_store_n(&t->hash, hash, __ATOMIC_RELEASE); /* publishes the name */
    type_count++;
    return t;
}

/* Type names are compared by content (two translation units may hold two
 * copies of "Task"); names longer than REFS_TYPE_NAME - 1 are cut. */
const refs_type *refs_type_intern(const char *name)
{
    if (!name || !name[0]) return refs_implicit_type;
    uint32_t len, hash = name_hash(name, &len);
    refs_type *slots = __atomic_load_n(&type_slots, __ATOMIC_ACQUIRE);
    refs_type *t = slots ? type_probe(slots, hash, name, len) : NULL;
    if (t && __atomic_load_n(&t->hash, __ATOMIC_ACQUIRE) != 0) return t;
    lg_lock(&type_lock);
    const refs_type *found = type_insert_locked(hash, name, len);
    lg_unlock(&type_lock);
    return found;
}

/* ---- the heap-block index ------------------------------------------------------ */

typedef struct block_entry {
    struct block_entry *next;
    uintptr_t block;
    uintptr_t objs[BLOCK_OBJS]; /* 0: empty */
} block_entry;

typedef struct block_shard {
    lg_lock_t lock;
    uint32_t mask, count;
    block_entry **buckets;
    block_entry *free_list;
    char *chunk;
    size_t chunk_left;
} __attribute__((aligned(64))) block_shard;

static block_shard block_shards[BLOCK_SHARDS];
static uint64_t block_objects; /* object addresses in the index, all shards */

static block_shard *block_shard_of(uintptr_t block, uint64_t *hash)
{
    *hash = refs_mix(block ^ 0x2545f4914f6cdd1dull);
    return &block_shards[*hash >> (64 - BLOCK_SHARD_BITS)];
}

static bool block_grow(block_shard *s)
{
    uint32_t old_n = s->mask ? s->mask + 1 : 0;
    uint32_t n = old_n ? old_n * 2 : BLOCK_FIRST_BUCKETS;
    block_entry **b = refs_map(n * sizeof(*b));
    if (!b) return false;
    for (uint32_t i = 0; i < old_n; i++) {
        for (block_entry *e = s->buckets[i], *next; e; e = next) {
            next = e->next;
            uint64_t h;
            block_shard_of(e->block, &h);
            e->next = b[h & (n - 1)];
            b[h & (n - 1)] = e;
        }
    }
    if (old_n) refs_unmap(s->buckets, old_n * sizeof(*b));
    s->buckets = b;
    s->mask = n - 1;
    return true;
}

/* Adds obj to one of block's entries that has room for it; false if none has. */
static bool entry_add(block_entry *head, uintptr_t block, uintptr_t obj)
{
    for (block_entry *e = head; e; e = e->next) {
        if (e->block != block) continue;
        for (int i = 0; i < BLOCK_OBJS; i++) {
            if (e->objs[i] == obj) return true;
            if (e->objs[i] == 0) {
                e->objs[i] = obj;
                __atomic_fetch_add(&block_objects, 1, __ATOMIC_RELAXED);
                return true;
            }
        }
    }
    return false;
}

void refs_block_add(uintptr_t block, uintptr_t obj)
{
    uint64_t h;
    block_shard *s = block_shard_of(block, &h);
    lg_lock(&s->lock);
    if (!s->buckets || s->count > 2 * (s->mask + 1)) block_grow(s);
    if (!s->buckets) goto out;
    block_entry **head = &s->buckets[h & s->mask];
    if (entry_add(*head, block, obj)) goto out;
    block_entry *e = s->free_list;
    if (e) s->free_list = e->next;
    else e = chunk_carve(&s->chunk, &s->chunk_left, sizeof(*e));
    if (!e) goto out;
    lg_mem_set(e, 0, sizeof(*e));
    e->block = block;
    e->objs[0] = obj;
    e->next = *head;
    *head = e;
    s->count++;
    __atomic_fetch_add(&block_objects, 1, __ATOMIC_RELAXED);
out:
    lg_unlock(&s->lock);
}

/* Takes the matching addresses out of one entry of the block (all of them
 * when obj is 0, as many as fit when out is given); true if it is left
 * empty. */
static bool entry_take(block_entry *e, uintptr_t obj, uintptr_t *out, size_t max, size_t *n)
{
    bool empty = true;
    for (int i = 0; i < BLOCK_OBJS; i++) {
        if (!e->objs[i]) continue;
        if ((obj && e->objs[i] != obj) || (out && *n == max)) {
            empty = false;
            continue;
        }
        if (out) out[*n] = e->objs[i];
        (*n)++;
        e->objs[i] = 0;
        __atomic_fetch_sub(&block_objects, 1, __ATOMIC_RELAXED);
    }
    return empty;
}

/* entry_take over all of block's entries, freeing those left empty;
 * returns how many addresses it took. */
static size_t block_take(uintptr_t block, uintptr_t obj, uintptr_t *out, size_t max)
{
    uint64_t h;
    block_shard *s = block_shard_of(block, &h);
    size_t n = 0;
    lg_lock(&s->lock);
    if (!s->buckets) goto out;
    for (block_entry **pp = &s->buckets[h & s->mask], *e; (e = *pp) != NULL;) {
        if (e->block != block || !entry_take(e, obj, out, max, &n)) {
            pp = &e->next;
            continue;
        }
        *pp = e->next;
        e->next = s->free_list;
        s->free_list = e;
        s->count--;
    }
out:
    lg_unlock(&s->lock);
    return n;
}

void refs_block_remove(uintptr_t block, uintptr_t obj)
{
    block_take(block, obj, NULL, 0);
}

size_t refs_block_take(uintptr_t block, uintptr_t *objs, size_t max)
{
    return block_take(block, 0, objs, max);
}

uintptr_t refs_block_first(uintptr_t block)
{
    uint64_t h;
    block_shard *s = block_shard_of(block, &h);
    uintptr_t found = 0;
    lg_lock(&s->lock);
    if (s->buckets) {
        for (block_entry *e = s->buckets[h & s->mask]; e && !found; e = e->next)
            if (e->block == block)
                for (int i = 0; i < BLOCK_OBJS && !found; i++) found = e->objs[i];
    }
    lg_unlock(&s->lock);
    return found;
}

bool refs_block_any(void)
{
    return __atomic_load_n(&block_objects, __ATOMIC_RELAXED) != 0;
}

void refs_block_lock_all(void)
{
    for (uint32_t i = 0; i < BLOCK_SHARDS; i++) lg_lock(&block_shards[i].lock);
}

void refs_block_unlock_all(void)
{
    for (uint32_t i = BLOCK_SHARDS; i-- > 0;) lg_unlock(&block_shards[i].lock);
}

void refs_block_reset(void)
{
    for (uint32_t i = 0; i < BLOCK_SHARDS; i++) {
        block_shard *s = &block_shards[i];
        lg_lock(&s->lock);
        for (uint32_t b = 0; s->buckets && b <= s->mask; b++) {
            while (s->buckets[b]) {
                block_entry *e = s->buckets[b];
                s->buckets[b] = e->next;
                e->next = s->free_list;
                s->free_list = e;
            }
        }
        s->count = 0;
        lg_unlock(&s->lock);
    }
    __atomic_store_n(&block_objects, 0, __ATOMIC_RELAXED);
}
