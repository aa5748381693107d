/* lifeguard.h — the annotation API of lifeguard, a lifetime checker for C.
 *
 * Include it and annotate; link nothing.  Under the lifeguard runtime
 * (`lifeguard run -- ./prog`, or LD_PRELOAD=liblifeguard.so) every call is
 * tracked; without it, every call is a load and a predictable branch.
 * Build with -DLIFEGUARD_DISABLE to remove the calls entirely.
 *
 * The calls look the runtime up at run time (dlsym), never through a weak
 * symbol: an undefined weak symbol in an executable is resolved to zero by
 * the static linker and is never looked up again, so it would miss a
 * preloaded runtime.
 *
 * C99 and C++ compatible.  Thread-safe. */
#ifndef LIFEGUARD_H
#define LIFEGUARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIFEGUARD_API_VERSION 1

typedef uint64_t lg_checkpoint_t;

/* The runtime's entry points, published by liblifeguard.so under the
 * symbol "lifeguard_api_v1".  Fields are only ever appended. */
struct lg_api {
    uint32_t version;
    uint32_t size; /* sizeof(struct lg_api) in the runtime */
    void (*object_new)(const void *obj, const char *type);
    void (*ref_get)(const void *obj, const void *holder);
    void (*ref_put)(const void *obj, const void *holder);
    void (*object_free)(const void *obj);
    void (*expect_freed)(const void *obj, const char *why);
    lg_checkpoint_t (*checkpoint)(void);
    size_t (*check_since)(lg_checkpoint_t since, const char *what);
    size_t (*leak_check)(void);
};

/* Always inlined, even at -O0: a report's frame #0 is then the annotated
 * function, not this header. */
#if defined(__GNUC__) || defined(__clang__)
#define LG__INLINE static inline __attribute__((always_inline))
#else
#define LG__INLINE static inline
#endif

#if defined(LIFEGUARD_DISABLE)

/* The arguments are not evaluated (sizeof), only kept "used". */
#define lg_object_new(obj, type) ((void)sizeof(obj), (void)sizeof(type))
#define lg_ref_get(obj, holder) ((void)sizeof(obj), (void)sizeof(holder))
#define lg_ref_put(obj, holder) ((void)sizeof(obj), (void)sizeof(holder))
#define lg_object_free(obj) ((void)sizeof(obj))
#define lg_expect_freed(obj, why) ((void)sizeof(obj), (void)sizeof(why))
#define lg_checkpoint() ((lg_checkpoint_t)0)
#define lg_check_since(since, what) ((void)sizeof(since), (void)sizeof(what), (size_t)0)
#define lg_leak_check() ((size_t)0)

#elif !defined(LIFEGUARD_RUNTIME_BUILD)

#include <dlfcn.h>

/* One lookup per translation unit; a sentinel remembers "not loaded". */
static const struct lg_api *lg__api_cache;

static inline const struct lg_api *lg__api_lookup(void)
{
    const struct lg_api *api = (const struct lg_api *)dlsym(RTLD_DEFAULT, "lifeguard_api_v1");
    const struct lg_api *store = api ? api : (const struct lg_api *)(uintptr_t)1;
    __atomic_store_n(&lg__api_cache, store, __ATOMIC_RELEASE);
    return api;
}

static inline const struct lg_api *lg__api(void)
{
    const struct lg_api *api = __atomic_load_n(&lg__api_cache, __ATOMIC_ACQUIRE);
    if (__builtin_expect(api == (const struct lg_api *)(uintptr_t)1, 1))
        return NULL;
    if (__builtin_expect(api == NULL, 0))
        return lg__api_lookup();
    return api;
}

/* obj is born with a count of 1, held by its creator (anonymous). */
LG__INLINE void lg_object_new(const void *obj, const char *type)
{
    const struct lg_api *api = lg__api();
    if (api) api->object_new(obj, type);
}

/* +1 on obj's count, held by holder (NULL: anonymous). */
LG__INLINE void lg_ref_get(const void *obj, const void *holder)
{
    const struct lg_api *api = lg__api();
    if (api) api->ref_get(obj, holder);
}

/* -1 on obj's count, dropped by holder (NULL: anonymous). */
LG__INLINE void lg_ref_put(const void *obj, const void *holder)
{
    const struct lg_api *api = lg__api();
    if (api) api->ref_put(obj, holder);
}

/* obj is destroyed; freeing its heap block implies it. */
LG__INLINE void lg_object_free(const void *obj)
{
    const struct lg_api *api = lg__api();
    if (api) api->object_free(obj);
}

/* obj must be dead by now; if it is not, report who holds it. */
LG__INLINE void lg_expect_freed(const void *obj, const char *why)
{
    const struct lg_api *api = lg__api();
    if (api) api->expect_freed(obj, why);
}

/* A point in the program's history of births. */
LG__INLINE lg_checkpoint_t lg_checkpoint(void)
{
    const struct lg_api *api = lg__api();
    return api ? api->checkpoint() : 0;
}

/* Reports tracked objects and heap blocks born since `since` that are still
 * alive; returns how many. */
LG__INLINE size_t lg_check_since(lg_checkpoint_t since, const char *what)
{
    const struct lg_api *api = lg__api();
    return api ? api->check_since(since, what) : 0;
}

/* Runs a leak scan now; returns the number of leaked blocks found. */
LG__INLINE size_t lg_leak_check(void)
{
    const struct lg_api *api = lg__api();
    return api ? api->leak_check() : 0;
}

#endif /* !LIFEGUARD_DISABLE && !LIFEGUARD_RUNTIME_BUILD */

/* ---- lg_refcount_t: a saturating reference count that annotates itself ----
 *
 * For new code, in the spirit of the kernel's refcount_t and kref: atomic,
 * and saturating instead of wrapping.  A count that would overflow, or that
 * is taken from zero or dropped below zero, is pinned at
 * LG_REFCOUNT_SATURATED for good: the object then leaks instead of being
 * freed while in use, and lifeguard reports the misuse (ref-get-after-free,
 * ref-underflow, ref-leak).  Every call annotates obj itself:
 *
 *     struct task { lg_refcount_t ref; ... };
 *     lg_refcount_init(&t->ref, t, "Task");            count 1, the creator's
 *     lg_refcount_get(&t->ref, t, rq);                 +1, held by rq
 *     if (lg_refcount_put(&t->ref, t, rq)) free(t);    -1; true: it reached 0
 *
 * Gets are annotated before the count moves and puts before it drops, so
 * lifeguard never sees an object at zero that a holder may still use. */
#if !defined(LIFEGUARD_RUNTIME_BUILD)

#ifndef __cplusplus
#include <stdbool.h>
#endif

typedef struct lg_refcount {
    int32_t refs;
} lg_refcount_t;

#define LG_REFCOUNT_SATURATED ((int32_t)(-0x40000000)) /* INT_MIN / 2, as refcount_t */
#define LG_REFCOUNT_INIT(n) {(n)}

LG__INLINE void lg_refcount_saturate__(lg_refcount_t *r)
{
    __atomic_store_n(&r->refs, LG_REFCOUNT_SATURATED, __ATOMIC_RELAXED);
}

/* obj is born with a count of 1, held by its creator (anonymous). */
LG__INLINE void lg_refcount_init(lg_refcount_t *r, const void *obj, const char *type)
{
    __atomic_store_n(&r->refs, 1, __ATOMIC_RELAXED);
    lg_object_new(obj, type);
    (void)obj, (void)type;
}

/* +1, held by holder (NULL: anonymous).  The caller must hold a reference. */
LG__INLINE void lg_refcount_get(lg_refcount_t *r, const void *obj, const void *holder)
{
    lg_ref_get(obj, holder);
    (void)obj, (void)holder;
    int32_t old = __atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);
    if (__builtin_expect(old <= 0 || old == INT32_MAX, 0)) lg_refcount_saturate__(r); /* from zero, or overflow */
}

/* -1, dropped by holder.  True when this put took the count to zero: the
 * caller now destroys obj (lg_object_free is implied by freeing its block). */
LG__INLINE bool lg_refcount_put(lg_refcount_t *r, const void *obj, const void *holder)
{
    lg_ref_put(obj, holder);
    (void)obj, (void)holder;
    int32_t old = __atomic_fetch_sub(&r->refs, 1, __ATOMIC_RELEASE);
    if (old == 1) {
        __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the destroyer sees every holder's writes */
        return true;
    }
    if (__builtin_expect(old <= 0, 0)) lg_refcount_saturate__(r); /* below zero, or already saturated */
    return false;
}

/* The current count (LG_REFCOUNT_SATURATED once misused). */
LG__INLINE int32_t lg_refcount_read(const lg_refcount_t *r)
{
    return __atomic_load_n(&r->refs, __ATOMIC_RELAXED);
}

#endif /* !LIFEGUARD_RUNTIME_BUILD */

#ifdef __cplusplus
}
#endif

#endif /* LIFEGUARD_H */
