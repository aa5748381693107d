/* rt_malloc.c — the allocator family, interposed.
 *
 * Every entry point hands its work to the checked heap (lg_heap.c) with
 * the caller's stack.  If the heap could not start (address space refused),
 * everything passes through to glibc's allocator instead.  Each thread
 * gets a cache of reusable slots (lg_heap_cache.c) so that the common
 * allocation and free take no lock; a pthread key's destructor gives the
 * cache back when the thread ends. */
#include "rt_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

void *__memset_chk(void *dst, int c, size_t len, size_t dstlen);
void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen);

/* ---- the thread's cache ---------------------------------------------------- */

#define CACHE_GONE ((lg_heap_cache *)1) /* the thread is ending: no cache any more */
static __thread lg_heap_cache *thread_cache RT_TLS;
static pthread_key_t cache_key;
static int cache_key_state; /* 0: not made, 1: being made, 2: ready, 3: failed */

static void cache_thread_end(void *cache)
{
    /* Frees made later in the thread's exit take the locked path. */
    thread_cache = CACHE_GONE;
    lg_heap_cache_release(cache);
}

static __attribute__((noinline)) lg_heap_cache *cache_attach(void)
{
    /* Not before the runtime is up: the first allocations come from the
     * loader, when pthread keys may not be usable yet. */
    if (__atomic_load_n(&rt_state, __ATOMIC_ACQUIRE) < 2) return NULL;
    int state = __atomic_load_n(&cache_key_state, __ATOMIC_ACQUIRE);
    if (state != 2) {
        int expected = 0;
        if (state != 0 || !__atomic_compare_exchange_n(&cache_key_state, &expected, 1, false, __ATOMIC_ACQ_REL,
                                                       __ATOMIC_ACQUIRE))
            return NULL; /* failed, or another thread is making it: locked path meanwhile */
        state = pthread_key_create(&cache_key, cache_thread_end) == 0 ? 2 : 3;
        __atomic_store_n(&cache_key_state, state, __ATOMIC_RELEASE);
        if (state != 2) return NULL;
    }
    lg_heap_cache *cache = lg_heap_cache_acquire();
    if (!cache) {
        thread_cache = CACHE_GONE;
        return NULL;
    }
    thread_cache = cache; /* first: pthread_setspecific may allocate */
    pthread_setspecific(cache_key, cache);
    return cache;
}

static inline lg_heap_cache *my_cache(void)
{
    lg_heap_cache *cache = thread_cache;
    if (__builtin_expect((uintptr_t)cache > 1, 1)) return cache;
    if (cache == CACHE_GONE) return NULL;
    return cache_attach();
}

/* ---- the entry points ----------------------------------------------------------- */

/* The allocation site the guarded tier counts by: the stack, or with
 * stacks=0 the address malloc (or calloc...) returns to.  A macro, so that
 * __builtin_return_address is the entry point's. */
#define checked_alloc(size, align, fn) checked_alloc_from(size, align, fn, (uintptr_t)__builtin_return_address(0))

static void *checked_alloc_from(size_t size, size_t align, const char *fn, uintptr_t caller)
{
    rt_ensure_early();
    if (__builtin_expect(!rt_heap_on, 0)) return align <= 16 ? __libc_malloc(size) : __libc_memalign(align, size);
    if (__builtin_expect(size > rt_size_slow_above, 0) && rt_size_refused(fn, size)) {
        errno = ENOMEM;
        return NULL;
    }
    lg_stack_id stack = lg_opt.stacks ? rt_capture_above(__builtin_frame_address(0), RT_OWN_ABOVE) : 0;
    void *p = lg_heap_alloc_site(my_cache(), size, align, stack, stack ? stack : rt_caller_site(caller), lg_pal_tid());
    if (!p) {
        rt_alloc_failed(fn, size, 0, LG_ALLOC_OUT_OF_MEMORY);
        errno = ENOMEM;
    }
    return p;
}

static void checked_free(void *p, const char *fn)
{
    if (!p) return;
    rt_ensure_early();
    if (__builtin_expect(!rt_heap_on, 0)) {
        __libc_free(p);
        return;
    }
    if (lg_opt.stacks) lg_heap_prefetch(p); /* its misses hide behind the stack capture */
    lg_stack_id stack = lg_opt.stacks ? rt_capture_above(__builtin_frame_address(0), RT_OWN_ABOVE) : 0;
    if (__builtin_expect(rt_cxx_used, 0)) rt_cxx_check_release(p, 0, RT_UNSIZED, 0, stack, fn);
    lg_heap_free_cached(my_cache(), p, stack, lg_pal_tid(), fn);
}

void *rt_alloc_checked(size_t size, size_t align, const char *fn)
{
    return checked_alloc(size, align, fn);
}

void rt_free_checked(void *p, lg_stack_id stack, const char *fn)
{
    if (!p) return;
    rt_ensure_early();
    if (__builtin_expect(!rt_heap_on, 0)) {
        __libc_free(p);
        return;
    }
    lg_heap_free_cached(my_cache(), p, stack, lg_pal_tid(), fn);
}

RT_EXPORT void *malloc(size_t size)
{
    return checked_alloc(size, LG_ALIGN_MALLOC, "malloc");
}

RT_EXPORT void free(void *p)
{
    checked_free(p, "free");
}

RT_EXPORT void *calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        rt_alloc_failed("calloc", size, count, LG_ALLOC_OVERFLOW);
        errno = ENOMEM;
        return NULL;
    }
    void *p = checked_alloc(total, LG_ALIGN_MALLOC, "calloc");
    if (p) __memset_chk(p, 0, total, total);
    return p;
}

RT_EXPORT void *realloc(void *old, size_t size)
{
    if (!old) return checked_alloc(size, LG_ALIGN_MALLOC, "realloc");
    rt_ensure_early();
    if (__builtin_expect(!rt_heap_on, 0)) return __libc_realloc(old, size);
    lg_stack_id stack = lg_opt.stacks ? rt_capture_above(__builtin_frame_address(0), RT_OWN_ABOVE) : 0;
    lg_heap_cache *cache = my_cache();
    if (__builtin_expect(rt_cxx_used, 0)) rt_cxx_check_release(old, 0, RT_UNSIZED, 0, stack, "realloc");
    lg_block b;
    if (!lg_heap_find((uintptr_t)old, &b) || b.user != (uintptr_t)old ||
        __atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE) {
        lg_heap_free_cached(cache, old, stack, lg_pal_tid(), "realloc"); /* reports why, frees nothing */
        errno = EINVAL;
        return NULL;
    }
    if (size == 0) { /* glibc frees and returns NULL */
        lg_heap_free_cached(cache, old, stack, lg_pal_tid(), "realloc");
        return NULL;
    }
    void *p = NULL;
    if (size <= rt_size_slow_above || !rt_size_refused("realloc", size)) {
        /* A moved block's site, as malloc's: the stack, or the caller's address. */
        uintptr_t site = stack ? stack : rt_caller_site((uintptr_t)__builtin_return_address(0));
        p = lg_heap_realloc_site(cache, &b, size, stack, site, lg_pal_tid());
        if (!p) rt_alloc_failed("realloc", size, 0, LG_ALLOC_OUT_OF_MEMORY);
    }
    if (!p) {
        errno = ENOMEM;
        return NULL; /* the old block stays valid, as C requires */
    }
    if (p == old) return p; /* resized in place */
    __memcpy_chk(p, old, b.size < size ? b.size : size, size);
    lg_heap_free_cached(cache, old, stack, lg_pal_tid(), "realloc");
    return p;
}

RT_EXPORT void *reallocarray(void *old, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        rt_alloc_failed("reallocarray", size, count, LG_ALLOC_OVERFLOW);
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, total);
}

static bool power_of_two(size_t v)
{
    return v && !(v & (v - 1));
}

RT_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (!power_of_two(align) || align % sizeof(void *)) return EINVAL;
    void *p = checked_alloc(size, align, "posix_memalign");
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

RT_EXPORT void *aligned_alloc(size_t align, size_t size)
{
    if (!power_of_two(align)) {
        errno = EINVAL;
        return NULL;
    }
    return checked_alloc(size, align, "aligned_alloc");
}

RT_EXPORT void *memalign(size_t align, size_t size)
{
    if (align == 0) align = 1;
    if (!power_of_two(align)) { /* glibc rounds up to the next power of two */
        if (align > ((size_t)1 << 62)) {
            errno = EINVAL;
            return NULL;
        }
        size_t a = 1;
        while (a < align) a <<= 1;
        align = a;
    }
    return checked_alloc(size, align, "memalign");
}

RT_EXPORT void *valloc(size_t size)
{
    return checked_alloc(size, (size_t)sysconf(_SC_PAGESIZE), "valloc");
}

RT_EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded;
    if (__builtin_add_overflow(size, page - 1, &rounded)) {
        rt_alloc_failed("pvalloc", size, 0, LG_ALLOC_PAGE_OVERFLOW);
        errno = ENOMEM;
        return NULL;
    }
    rounded &= ~(page - 1);
    return checked_alloc(rounded ? rounded : page, page, "pvalloc");
}

/* 0 for a pointer that is not a live block's start (glibc would read a
 * chunk header that is not there); the requested size otherwise, so a
 * program that writes up to it stays inside the block. */
RT_EXPORT size_t malloc_usable_size(void *p)
{
    if (!p) return 0;
    rt_ensure_early();
    if (!rt_heap_on) {
        static size_t (*glibc_usable_size)(void *);
        if (!glibc_usable_size) glibc_usable_size = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
        return glibc_usable_size ? glibc_usable_size(p) : 0;
    }
    return lg_heap_usable_size(p);
}
