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

#if defined(LIFEGUARD_DISABLE)

#define lg_object_new(obj, type) ((void)0)
#define lg_ref_get(obj, holder) ((void)0)
#define lg_ref_put(obj, holder) ((void)0)
#define lg_object_free(obj) ((void)0)
#define lg_expect_freed(obj, why) ((void)0)
#define lg_checkpoint() ((lg_checkpoint_t)0)
#define lg_check_since(since, what) ((size_t)0)
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
static inline void lg_object_new(const void *obj, const char *type)
{
    const struct lg_api *api = lg__api();
    if (api) api->object_new(obj, type);
}

/* +1 on obj's count, held by holder (NULL: anonymous). */
static inline void lg_ref_get(const void *obj, const void *holder)
{
    const struct lg_api *api = lg__api();
    if (api) api->ref_get(obj, holder);
}

/* -1 on obj's count, dropped by holder (NULL: anonymous). */
static inline void lg_ref_put(const void *obj, const void *holder)
{
    const struct lg_api *api = lg__api();
    if (api) api->ref_put(obj, holder);
}

/* obj is destroyed; freeing its heap block implies it. */
static inline void lg_object_free(const void *obj)
{
    const struct lg_api *api = lg__api();
    if (api) api->object_free(obj);
}

/* obj must be dead by now; if it is not, report who holds it. */
static inline void lg_expect_freed(const void *obj, const char *why)
{
    const struct lg_api *api = lg__api();
    if (api) api->expect_freed(obj, why);
}

/* A point in the program's history of births. */
static inline lg_checkpoint_t lg_checkpoint(void)
{
    const struct lg_api *api = lg__api();
    return api ? api->checkpoint() : 0;
}

/* Reports tracked objects and heap blocks born since `since` that are still
 * alive; returns how many. */
static inline size_t lg_check_since(lg_checkpoint_t since, const char *what)
{
    const struct lg_api *api = lg__api();
    return api ? api->check_since(since, what) : 0;
}

/* Runs a leak scan now; returns the number of leaked blocks found. */
static inline size_t lg_leak_check(void)
{
    const struct lg_api *api = lg__api();
    return api ? api->leak_check() : 0;
}

#endif /* !LIFEGUARD_DISABLE && !LIFEGUARD_RUNTIME_BUILD */

#ifdef __cplusplus
}
#endif

#endif /* LIFEGUARD_H */
