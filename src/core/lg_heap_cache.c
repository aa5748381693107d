/* lg_heap_cache.c — per-thread caches of reusable slots.
 *
 * Each thread (the runtime decides; a kernel would use one per CPU) owns a
 * cache holding, per size class, up to LG_CACHE_SLOTS slots that left the
 * quarantine.  Allocation pops from it and recycling pushes to it with no
 * lock and no atomic; only refills (a batch taken from the class) and
 * overflows (half the cache given back) take the class lock.  Caches come
 * from a pool in metadata memory and go back to it when their thread ends,
 * so a program that creates threads without end reuses the same few. */
#include "lg_heap.h"

#define POOL_CHUNK 64 /* caches mapped at a time */

static lg_lock_t pool_lock = LG_LOCK_INIT;
static lg_heap_cache *pool_free;  /* released caches */
static lg_heap_cache *all_chunks[1024];
static uint32_t chunk_count;
static uint64_t released_allocs, released_frees;

lg_heap_cache *lg_heap_cache_acquire(void)
{
    lg_heap_cache *c = 0;
    lg_lock(&pool_lock);
    if (!pool_free && chunk_count < LG_ARRAY_LEN(all_chunks)) {
        lg_heap_cache *chunk = lg_pal_map(POOL_CHUNK * sizeof(lg_heap_cache));
        if (chunk) {
            all_chunks[chunk_count] = chunk;
            __atomic_store_n(&chunk_count, chunk_count + 1, __ATOMIC_RELEASE);
            for (uint32_t i = POOL_CHUNK; i-- > 0;) {
                chunk[i].next_free = pool_free;
                pool_free = &chunk[i];
            }
        }
    }
    if (pool_free) {
        c = pool_free;
        pool_free = c->next_free;
        c->next_free = 0;
        __atomic_store_n(&c->in_use, true, __ATOMIC_RELEASE);
    }
    lg_unlock(&pool_lock);
    return c;
}

void lg_heap_cache_release(lg_heap_cache *c)
{
    if (!c) return;
    for (uint32_t cls = 0; cls < LG_CLASS_COUNT; cls++) {
        if (c->count[cls]) lg_heap_class_give(cls, c->slots[cls], c->count[cls]);
        c->count[cls] = 0;
    }
    lg_guard_cache_release(c);
    /* Blocks it freed but did not yet count against the quarantine: a later
     * publish (any thread's) will see them. */
    lg_quarantine_flush(c);
    lg_lock(&pool_lock);
    released_allocs += c->allocs;
    released_frees += c->frees;
    c->allocs = c->frees = 0;
    c->guard_spent = 0;
    c->guard_countdown = 0; /* the next thread's first allocation renews its budget of first uses */
    __atomic_store_n(&c->in_use, false, __ATOMIC_RELEASE);
    c->next_free = pool_free;
    pool_free = c;
    lg_unlock(&pool_lock);
}

void lg_heap_cache_totals(uint64_t *allocs, uint64_t *frees)
{
    lg_lock(&pool_lock);
    *allocs += released_allocs;
    *frees += released_frees;
    for (uint32_t k = 0; k < chunk_count; k++)
        for (uint32_t i = 0; i < POOL_CHUNK; i++) {
            lg_heap_cache *c = &all_chunks[k][i];
            if (!__atomic_load_n(&c->in_use, __ATOMIC_ACQUIRE)) continue;
            *allocs += __atomic_load_n(&c->allocs, __ATOMIC_RELAXED);
            *frees += __atomic_load_n(&c->frees, __ATOMIC_RELAXED);
        }
    lg_unlock(&pool_lock);
}

void lg_heap_cache_pool_lock(void)
{
    lg_lock(&pool_lock);
}

bool lg_heap_cache_pool_trylock(void)
{
    return lg_trylock(&pool_lock);
}

void lg_heap_cache_pool_unlock(void)
{
    lg_unlock(&pool_lock);
}

size_t lg_heap_cache_chunks(uintptr_t (*out)[2], size_t cap)
{
    size_t n = 0;
    uint32_t chunks = __atomic_load_n(&chunk_count, __ATOMIC_ACQUIRE);
    for (uint32_t k = 0; k < chunks && n < cap; k++, n++) {
        out[n][0] = (uintptr_t)all_chunks[k];
        out[n][1] = (uintptr_t)all_chunks[k] + POOL_CHUNK * sizeof(lg_heap_cache);
    }
    return n;
}
