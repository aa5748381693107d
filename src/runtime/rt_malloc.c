/* rt_malloc.c — the allocator family, interposed.
 *
 * Every entry point hands its work to the checked heap (lg_heap.c) with
 * the caller's stack.  If the heap could not start (address space refused),
 * everything passes through to glibc's allocator instead. */
#include "rt_internal.h"

#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>

void *__memset_chk(void *dst, int c, size_t len, size_t dstlen);
void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen);

static void *checked_alloc(size_t size, size_t align)
{
    rt_ensure_early();
    if (__builtin_expect(!rt_heap_on, 0)) return align <= 16 ? __libc_malloc(size) : __libc_memalign(align, size);
    void *p = lg_heap_alloc(size, align, rt_capture(), lg_pal_tid());
    if (!p) errno = ENOMEM;
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
    lg_heap_free(p, rt_capture(), lg_pal_tid(), fn);
}

RT_EXPORT void *malloc(size_t size)
{
    return checked_alloc(size, 16);
}

RT_EXPORT void free(void *p)
{
    checked_free(p, "free");
}

RT_EXPORT void *calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = checked_alloc(total, 16);
    if (p) __memset_chk(p, 0, total, total);
    return p;
}

RT_EXPORT void *realloc(void *old, size_t size)
{
    if (!old) return checked_alloc(size, 16);
    rt_ensure_early();
    if (__builtin_expect(!rt_heap_on, 0)) return __libc_realloc(old, size);
    lg_stack_id stack = rt_capture();
    lg_block b;
    if (!lg_heap_find((uintptr_t)old, &b) || b.user != (uintptr_t)old ||
        __atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE) {
        lg_heap_free(old, stack, lg_pal_tid(), "realloc"); /* reports why, frees nothing */
        errno = EINVAL;
        return NULL;
    }
    if (size == 0) { /* glibc frees and returns NULL */
        lg_heap_free(old, stack, lg_pal_tid(), "realloc");
        return NULL;
    }
    void *p = lg_heap_alloc(size, 16, stack, lg_pal_tid());
    if (!p) {
        errno = ENOMEM;
        return NULL; /* the old block stays valid, as C requires */
    }
    __memcpy_chk(p, old, b.size < size ? b.size : size, size);
    lg_heap_free(old, stack, lg_pal_tid(), "realloc");
    return p;
}

RT_EXPORT void *reallocarray(void *old, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
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
    void *p = checked_alloc(size, align);
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
    return checked_alloc(size, align);
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
    return checked_alloc(size, align);
}

RT_EXPORT void *valloc(size_t size)
{
    return checked_alloc(size, (size_t)sysconf(_SC_PAGESIZE));
}

RT_EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded;
    if (__builtin_add_overflow(size, page - 1, &rounded)) {
        errno = ENOMEM;
        return NULL;
    }
    rounded &= ~(page - 1);
    return checked_alloc(rounded ? rounded : page, page);
}

RT_EXPORT size_t malloc_usable_size(void *p)
{
    if (!p) return 0;
    rt_ensure_early();
    if (!rt_heap_on) return 0;
    return lg_heap_usable_size(p);
}
