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
 * Freestanding (a kernel, firmware): build with -DLIFEGUARD_FREESTANDING.
 * The header then includes only <stddef.h>, <stdint.h>, <stdarg.h> and
 * <stdbool.h>, and the embedder defines the table the calls go through:
 *
 *     const struct lg_api *lifeguard_api;   NULL until its tracker is ready
 *
 * (docs/REFS.md, "Freestanding").
 *
 * C99 and C++ compatible.  Thread-safe. */
#ifndef LIFEGUARD_H
#define LIFEGUARD_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIFEGUARD_API_VERSION 1

typedef uint64_t lg_checkpoint_t;
typedef uint64_t lg_ref_token_t; /* one reference, for lg_ref_put_token; 0: none */

/* Why an lg_refcount_t saturated (lg_api.refcount_saturated). */
enum lg_saturation {
    LG_SATURATED_GET_FROM_ZERO = 1,
    LG_SATURATED_OVERFLOW = 2,
    LG_SATURATED_PUT_BELOW_ZERO = 3,
};

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
    /* Appended later: callers check `size` before using these. */
    void (*object_name)(const void *obj, const char *fmt, va_list ap);
    void (*ref_move)(const void *obj, const void *from, const void *to);
    lg_ref_token_t (*ref_get_token)(const void *obj, const void *holder);
    void (*ref_put_token)(const void *obj, const void *holder, lg_ref_token_t token);
    void (*ref_get_unless_zero)(const void *obj, const void *holder); /* after the program's count proved live */
    void (*refcount_saturated)(const void *obj, int why);             /* enum lg_saturation */
    void (*weak_set)(const void *slot, const void *obj);              /* obj NULL: cleared */
    void (*weak_use)(const void *slot, const void *obj);
    void (*refcount_helper)(const char *function);
};

/* Whether the runtime's table has `field` (it may predate it). */
#define LG__HAS(api, field) ((api)->size >= offsetof(struct lg_api, field) + sizeof((api)->field))

/* Always inlined, even at -O0: a report's frame #0 is then the annotated
 * function, not this header. */
#if defined(__GNUC__) || defined(__clang__)
#define LG__INLINE static inline __attribute__((always_inline))
#else
#define LG__INLINE static inline
#endif

/* After each call into the runtime: at -O2 a call that ends the annotated
 * function would become a jump (a sibling call), and the annotated
 * function would vanish from the stack the runtime captures. */
#if defined(__GNUC__) || defined(__clang__)
#define LG__NO_TAIL() __asm__ __volatile__("")
#else
#define LG__NO_TAIL() ((void)0)
#endif

#if defined(LIFEGUARD_DISABLE)

/* The arguments are not evaluated (sizeof), only kept "used". */
#define lg_object_new(obj, type) ((void)sizeof(obj), (void)sizeof(type))
#define lg_object_name(obj, ...) ((void)sizeof(obj))
#define lg_ref_get(obj, holder) ((void)sizeof(obj), (void)sizeof(holder))
#define lg_ref_put(obj, holder) ((void)sizeof(obj), (void)sizeof(holder))
#define lg_ref_move(obj, from, to) ((void)sizeof(obj), (void)sizeof(from), (void)sizeof(to))
#define lg_ref_get_token(obj, holder) ((void)sizeof(obj), (void)sizeof(holder), (lg_ref_token_t)0)
#define lg_ref_put_token(obj, holder, token) ((void)sizeof(obj), (void)sizeof(holder), (void)sizeof(token))
#define lg_weak_set(slot, obj) ((void)sizeof(slot), (void)sizeof(obj))
#define lg_weak_clear(slot) ((void)sizeof(slot))
#define lg_weak_use(slot, obj) ((void)sizeof(slot), (void)sizeof(obj))
#define lg_refcount_helper(function) ((void)sizeof(function))
#define LG_REFCOUNT_HELPER(fn) extern int lg__helper_unused_##fn
#define lg_object_free(obj) ((void)sizeof(obj))
#define lg_expect_freed(obj, why) ((void)sizeof(obj), (void)sizeof(why))
#define lg_checkpoint() ((lg_checkpoint_t)0)
#define lg_check_since(since, what) ((void)sizeof(since), (void)sizeof(what), (size_t)0)
#define lg_leak_check() ((size_t)0)
#define lg__ref_get_unless_zero(obj, holder) ((void)0)
#define lg__refcount_saturated(obj, why) ((void)0)

#elif !defined(LIFEGUARD_RUNTIME_BUILD)

#if defined(LIFEGUARD_FREESTANDING)

/* Defined by the embedder; NULL until its tracker is ready, then set once
 * (an atomic store with release order, or before any other CPU runs). */
extern const struct lg_api *lifeguard_api;

static inline const struct lg_api *lg__api(void)
{
    return __atomic_load_n(&lifeguard_api, __ATOMIC_ACQUIRE);
}

#else /* hosted: the runtime is found with dlsym */

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

#endif /* LIFEGUARD_FREESTANDING */

/* obj is born with a count of 1, held by its creator (anonymous). */
LG__INLINE void lg__object_new(uintptr_t obj_, const char *type)
{
    const void *obj = (const void *)obj_;
    const struct lg_api *api = lg__api();
    if (api) api->object_new(obj, type);
    LG__NO_TAIL();
}

/* Names obj in reports, printf-style: net_device#3 "eth0".  Only the
 * formatted text is kept (at most 31 bytes). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3), unused))
#endif
static inline void lg__object_name(uintptr_t obj_, const char *fmt, ...)
{
    const void *obj = (const void *)obj_;
    const struct lg_api *api = lg__api();
    if (!api || !LG__HAS(api, object_name)) return;
    va_list ap;
    va_start(ap, fmt);
    api->object_name(obj, fmt, ap);
    va_end(ap);
}

/* +1 on obj's count, held by holder (NULL: anonymous). */
LG__INLINE void lg__ref_get(uintptr_t obj_, uintptr_t holder_)
{
    const void *obj = (const void *)obj_;
    const void *holder = (const void *)holder_;
    const struct lg_api *api = lg__api();
    if (api) api->ref_get(obj, holder);
    LG__NO_TAIL();
}

/* -1 on obj's count, dropped by holder (NULL: anonymous). */
LG__INLINE void lg__ref_put(uintptr_t obj_, uintptr_t holder_)
{
    const void *obj = (const void *)obj_;
    const void *holder = (const void *)holder_;
    const struct lg_api *api = lg__api();
    if (api) api->ref_put(obj, holder);
    LG__NO_TAIL();
}

/* A reference held by `from` is now held by `to` (either may be NULL:
 * anonymous); the count does not move. */
LG__INLINE void lg__ref_move(uintptr_t obj_, uintptr_t from_, uintptr_t to_)
{
    const void *obj = (const void *)obj_;
    const void *from = (const void *)from_;
    const void *to = (const void *)to_;
    const struct lg_api *api = lg__api();
    if (api && LG__HAS(api, ref_move)) api->ref_move(obj, from, to);
    LG__NO_TAIL();
}

/* lg_ref_get, returning a token for this one reference: the put that
 * hands it back to lg_ref_put_token is charged to exactly this get.
 * 0 when untracked (lg_ref_put_token(…, 0) is a plain lg_ref_put). */
LG__INLINE lg_ref_token_t lg__ref_get_token(uintptr_t obj_, uintptr_t holder_)
{
    const void *obj = (const void *)obj_;
    const void *holder = (const void *)holder_;
    const struct lg_api *api = lg__api();
    if (!api) return 0;
    lg_ref_token_t token = 0;
    if (LG__HAS(api, ref_get_token)) token = api->ref_get_token(obj, holder);
    else api->ref_get(obj, holder);
    LG__NO_TAIL();
    return token;
}

LG__INLINE void lg__ref_put_token(uintptr_t obj_, uintptr_t holder_, lg_ref_token_t token)
{
    const void *obj = (const void *)obj_;
    const void *holder = (const void *)holder_;
    const struct lg_api *api = lg__api();
    if (!api) return;
    if (LG__HAS(api, ref_put_token)) api->ref_put_token(obj, holder, token);
    else api->ref_put(obj, holder);
    LG__NO_TAIL();
}

/* Weak references: slot (usually the address of the pointer variable)
 * points at obj without holding it.  Re-register after every store to the
 * slot; clear it when obj goes.  lg_weak_use says obj was reached through
 * slot: reported when the slot still names an object that died, or names
 * another object than obj (a store never registered). */
LG__INLINE void lg__weak_set(uintptr_t slot_, uintptr_t obj_)
{
    const void *slot = (const void *)slot_;
    const void *obj = (const void *)obj_;
    const struct lg_api *api = lg__api();
    if (api && LG__HAS(api, weak_set)) api->weak_set(slot, obj);
    LG__NO_TAIL();
}

LG__INLINE void lg__weak_clear(uintptr_t slot_)
{
    const void *slot = (const void *)slot_;
    const struct lg_api *api = lg__api();
    if (api && LG__HAS(api, weak_set)) api->weak_set(slot, NULL);
    LG__NO_TAIL();
}

LG__INLINE void lg__weak_use(uintptr_t slot_, uintptr_t obj_)
{
    const void *slot = (const void *)slot_;
    const void *obj = (const void *)obj_;
    const struct lg_api *api = lg__api();
    if (api && LG__HAS(api, weak_use)) api->weak_use(slot, obj);
    LG__NO_TAIL();
}

/* Marks a function as a refcount helper: the sites it appears in are
 * named after its caller.  LG_REFCOUNT_HELPER(dev_hold); at file scope does
 * it at start-up (a constructor); the option ref_helpers=a,b lists more. */
LG__INLINE void lg_refcount_helper(const char *function)
{
    const struct lg_api *api = lg__api();
    if (api && LG__HAS(api, refcount_helper)) api->refcount_helper(function);
}

#if defined(__GNUC__) || defined(__clang__)
#define LG_REFCOUNT_HELPER(fn)                                                          \
    __attribute__((constructor, unused)) static void lg__refcount_helper_##fn(void) \
    {                                                                                   \
        lg_refcount_helper(#fn);                                                        \
    }                                                                                   \
    extern int lg__helper_unused_##fn
#else
#define LG_REFCOUNT_HELPER(fn) extern int lg__helper_unused_##fn
#endif

/* obj is destroyed; freeing its heap block implies it. */
LG__INLINE void lg__object_free(uintptr_t obj_)
{
    const void *obj = (const void *)obj_;
    const struct lg_api *api = lg__api();
    if (api) api->object_free(obj);
    LG__NO_TAIL();
}

/* obj must be dead by now; if it is not, report who holds it. */
LG__INLINE void lg__expect_freed(uintptr_t obj_, const char *why)
{
    const void *obj = (const void *)obj_;
    const struct lg_api *api = lg__api();
    if (api) api->expect_freed(obj, why);
    LG__NO_TAIL();
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
    size_t found = api ? api->check_since(since, what) : 0;
    LG__NO_TAIL();
    return found;
}

/* Runs a leak scan now; returns the number of leaked blocks found. */
LG__INLINE size_t lg_leak_check(void)
{
    const struct lg_api *api = lg__api();
    return api ? api->leak_check() : 0;
}

/* For lg_refcount_t below. */
LG__INLINE void lg___ref_get_unless_zero(uintptr_t obj_, uintptr_t holder_)
{
    const void *obj = (const void *)obj_;
    const void *holder = (const void *)holder_;
    const struct lg_api *api = lg__api();
    if (!api) return;
    if (LG__HAS(api, ref_get_unless_zero)) api->ref_get_unless_zero(obj, holder);
    else api->ref_get(obj, holder);
    LG__NO_TAIL();
}

LG__INLINE void lg___refcount_saturated(uintptr_t obj_, int why)
{
    const void *obj = (const void *)obj_;
    const struct lg_api *api = lg__api();
    if (api && LG__HAS(api, refcount_saturated)) api->refcount_saturated(obj, why);
    LG__NO_TAIL();
}


/* The public names: pointers travel as integers, so that gcc does not take
 * lg_object_new(p, …) right after malloc for a read of *p (at -O0 it
 * warns -Wmaybe-uninitialized on a const pointer into fresh memory). */
#define lg_object_new(obj, type) lg__object_new((uintptr_t)(const void *)(obj), (type))
#define lg_object_name(obj, ...) lg__object_name((uintptr_t)(const void *)(obj), __VA_ARGS__)
#define lg_ref_get(obj, holder) lg__ref_get((uintptr_t)(const void *)(obj), (uintptr_t)(const void *)(holder))
#define lg_ref_put(obj, holder) lg__ref_put((uintptr_t)(const void *)(obj), (uintptr_t)(const void *)(holder))
#define lg_ref_move(obj, from, to) lg__ref_move((uintptr_t)(const void *)(obj), (uintptr_t)(const void *)(from), (uintptr_t)(const void *)(to))
#define lg_ref_get_token(obj, holder) lg__ref_get_token((uintptr_t)(const void *)(obj), (uintptr_t)(const void *)(holder))
#define lg_ref_put_token(obj, holder, token) lg__ref_put_token((uintptr_t)(const void *)(obj), (uintptr_t)(const void *)(holder), (token))
#define lg_weak_set(slot, obj) lg__weak_set((uintptr_t)(const void *)(slot), (uintptr_t)(const void *)(obj))
#define lg_weak_clear(slot) lg__weak_clear((uintptr_t)(const void *)(slot))
#define lg_weak_use(slot, obj) lg__weak_use((uintptr_t)(const void *)(slot), (uintptr_t)(const void *)(obj))
#define lg_object_free(obj) lg__object_free((uintptr_t)(const void *)(obj))
#define lg_expect_freed(obj, why) lg__expect_freed((uintptr_t)(const void *)(obj), (why))
#define lg__ref_get_unless_zero(obj, holder) lg___ref_get_unless_zero((uintptr_t)(const void *)(obj), (uintptr_t)(const void *)(holder))
#define lg__refcount_saturated(obj, why) lg___refcount_saturated((uintptr_t)(const void *)(obj), (why))

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
 * lifeguard never sees an object at zero that a holder may still use.
 * Saturating is reported too (ref-saturated). */
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
    if (__builtin_expect(old <= 0 || old == INT32_MAX, 0)) { /* from zero, overflow, or saturated already */
        lg_refcount_saturate__(r);
        if (old >= 0) lg__refcount_saturated(obj, old ? LG_SATURATED_OVERFLOW : LG_SATURATED_GET_FROM_ZERO);
    }
}

/* +1 unless the count is zero (a lookup racing with the final put):
 * true when the reference was taken.  Annotated only once taken, as a get
 * that the count proved live: no report if the tracker saw the racing
 * final put first.  A saturated count stays so and returns true. */
LG__INLINE bool lg_refcount_get_unless_zero(lg_refcount_t *r, const void *obj, const void *holder)
{
    int32_t old = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);
    do {
        if (old == 0) return false;
        if (__builtin_expect(old < 0, 0)) return true; /* saturated: pinned, the object leaks */
        if (__builtin_expect(old == INT32_MAX, 0)) {
            lg_refcount_saturate__(r);
            lg__refcount_saturated(obj, LG_SATURATED_OVERFLOW);
            return true;
        }
    } while (!__atomic_compare_exchange_n(&r->refs, &old, old + 1, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
    lg__ref_get_unless_zero(obj, holder);
    (void)obj, (void)holder;
    return true;
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
    if (__builtin_expect(old <= 0, 0)) { /* below zero, or saturated already */
        lg_refcount_saturate__(r);
        if (old == 0) lg__refcount_saturated(obj, LG_SATURATED_PUT_BELOW_ZERO);
    }
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
