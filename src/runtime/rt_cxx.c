/* rt_cxx.c — C++'s operator new and delete, every variant, interposed.
 *
 * libstdc++'s own operators call malloc and free, so without these the
 * heap would not know which family a block came from.  Each new marks its
 * block (LG_BLOCK_FROM_NEW, _NEW_ARRAY, _ALIGNED in the block's flags);
 * each release compares: free() of a new'd block, delete of a malloc'd
 * one, delete[] of a new'd one, aligned new with unaligned delete are
 * `alloc-dealloc-mismatch`; a sized delete whose size is not the block's,
 * or an aligned delete whose alignment the block does not have, is
 * `new-delete-type-mismatch` (worded by core/lg_finding_alloc.c).  The
 * block is freed all the same, as glibc would.  free() pays for this only
 * once a program has called new.
 *
 * A throwing new that cannot allocate calls the program's new_handler
 * until it gives up, then throws std::bad_alloc through libstdc++'s own
 * __throw_bad_alloc (this file is C: the exception passes through its
 * frames by their unwind tables). */
#include "rt_internal.h"

#include <dlfcn.h>
#include <stdlib.h>

bool rt_cxx_used;

#define FROM_MASK (LG_BLOCK_FROM_NEW | LG_BLOCK_FROM_NEW_ARRAY | LG_BLOCK_FROM_ALIGNED)

/* ---- allocation ------------------------------------------------------------------- */

typedef void (*new_handler_fn)(void);

static new_handler_fn current_new_handler(void)
{
    static new_handler_fn (*get)(void);
    if (!get) get = (new_handler_fn (*)(void))dlsym(RTLD_DEFAULT, "_ZSt15get_new_handlerv");
    return get ? get() : NULL;
}

static __attribute__((noreturn)) void throw_bad_alloc(void)
{
    static void (*thrower)(void);
    if (!thrower) thrower = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv");
    if (thrower) thrower();
    abort(); /* no C++ runtime to throw with: what an uncaught bad_alloc does */
}

static void mark(void *p, uint8_t from)
{
    lg_block b;
    if (rt_heap_on && lg_heap_find((uintptr_t)p, &b)) __atomic_fetch_or(&b.meta->flags, from, __ATOMIC_RELAXED);
}

static void *cxx_new(size_t size, size_t align, uint8_t from, bool nothrow, const char *fn)
{
    if (!__atomic_load_n(&rt_cxx_used, __ATOMIC_RELAXED)) __atomic_store_n(&rt_cxx_used, true, __ATOMIC_RELAXED);
    if (align & (align - 1)) { /* not a power of two: libstdc++ fails it too */
        if (nothrow) return NULL;
        throw_bad_alloc();
    }
    for (;;) {
        void *p = rt_alloc_checked(size, align < 16 ? 16 : align, fn);
        if (p) {
            mark(p, from);
            return p;
        }
        new_handler_fn handler = current_new_handler();
        if (!handler) {
            if (nothrow) return NULL;
            throw_bad_alloc();
        }
        handler(); /* frees memory, throws, or ends the program */
    }
}

typedef struct nothrow_tag nothrow_tag; /* std::nothrow_t, passed by reference */

RT_EXPORT void *_Znwm(size_t size)
{
    return cxx_new(size, 16, LG_BLOCK_FROM_NEW, false, "operator new");
}

RT_EXPORT void *_Znam(size_t size)
{
    return cxx_new(size, 16, LG_BLOCK_FROM_NEW_ARRAY, false, "operator new[]");
}

RT_EXPORT void *_ZnwmRKSt9nothrow_t(size_t size, const nothrow_tag *nt)
{
    (void)nt;
    return cxx_new(size, 16, LG_BLOCK_FROM_NEW, true, "operator new");
}

RT_EXPORT void *_ZnamRKSt9nothrow_t(size_t size, const nothrow_tag *nt)
{
    (void)nt;
    return cxx_new(size, 16, LG_BLOCK_FROM_NEW_ARRAY, true, "operator new[]");
}

RT_EXPORT void *_ZnwmSt11align_val_t(size_t size, size_t align)
{
    return cxx_new(size, align, LG_BLOCK_FROM_NEW | LG_BLOCK_FROM_ALIGNED, false, "operator new");
}

RT_EXPORT void *_ZnamSt11align_val_t(size_t size, size_t align)
{
    return cxx_new(size, align, LG_BLOCK_FROM_NEW_ARRAY | LG_BLOCK_FROM_ALIGNED, false, "operator new[]");
}

RT_EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t align, const nothrow_tag *nt)
{
    (void)nt;
    return cxx_new(size, align, LG_BLOCK_FROM_NEW | LG_BLOCK_FROM_ALIGNED, true, "operator new");
}

RT_EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t align, const nothrow_tag *nt)
{
    (void)nt;
    return cxx_new(size, align, LG_BLOCK_FROM_NEW_ARRAY | LG_BLOCK_FROM_ALIGNED, true, "operator new[]");
}

/* ---- release ------------------------------------------------------------------------ */

static void report(const lg_release_finding *f)
{
    rt_busy++;
    lg_finding_report_release(f);
    rt_busy--;
}

void rt_cxx_check_release(void *p, uint8_t released_as, size_t size, size_t align, lg_stack_id stack, const char *fn)
{
    lg_block b;
    if (rt_busy || !rt_heap_on) return;
    /* Not a live block's start: the free itself reports why. */
    if (!lg_heap_find((uintptr_t)p, &b) || b.user != (uintptr_t)p ||
        __atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE)
        return;
    uint8_t from = __atomic_load_n(&b.meta->flags, __ATOMIC_RELAXED) & FROM_MASK;
    lg_release_finding f = {
        .block = &b, .allocated_as = from, .released_as = released_as & FROM_MASK, .fn = fn, .stack = stack,
        .tid = lg_pal_tid(),
    };
    if (from != (released_as & FROM_MASK)) {
        if (!lg_opt.alloc_dealloc_mismatch) return;
        f.kind = LG_ALLOC_DEALLOC_MISMATCH;
        report(&f);
        return;
    }
    if (!lg_opt.new_delete_type_mismatch) return;
    f.kind = LG_NEW_DELETE_TYPE_MISMATCH;
    if (size != RT_UNSIZED && size != b.size) {
        f.sized = true;
        f.size = size;
        report(&f);
    } else if (align && (align & (align - 1) || b.user & (align - 1))) {
        f.align = align;
        report(&f);
    }
}

static void cxx_delete(void *p, uint8_t as, size_t size, size_t align, const char *fn)
{
    if (!p) return;
    lg_stack_id stack = rt_capture();
    rt_cxx_check_release(p, as, size, align, stack, fn);
    rt_free_checked(p, stack, fn);
}

#define DEL LG_BLOCK_FROM_NEW
#define DEL_ARRAY LG_BLOCK_FROM_NEW_ARRAY
#define ALIGNED LG_BLOCK_FROM_ALIGNED

RT_EXPORT void _ZdlPv(void *p)
{
    cxx_delete(p, DEL, RT_UNSIZED, 0, "operator delete");
}

RT_EXPORT void _ZdaPv(void *p)
{
    cxx_delete(p, DEL_ARRAY, RT_UNSIZED, 0, "operator delete[]");
}

RT_EXPORT void _ZdlPvm(void *p, size_t size)
{
    cxx_delete(p, DEL, size, 0, "operator delete");
}

RT_EXPORT void _ZdaPvm(void *p, size_t size)
{
    cxx_delete(p, DEL_ARRAY, size, 0, "operator delete[]");
}

RT_EXPORT void _ZdlPvRKSt9nothrow_t(void *p, const nothrow_tag *nt)
{
    (void)nt;
    cxx_delete(p, DEL, RT_UNSIZED, 0, "operator delete");
}

RT_EXPORT void _ZdaPvRKSt9nothrow_t(void *p, const nothrow_tag *nt)
{
    (void)nt;
    cxx_delete(p, DEL_ARRAY, RT_UNSIZED, 0, "operator delete[]");
}

RT_EXPORT void _ZdlPvSt11align_val_t(void *p, size_t align)
{
    cxx_delete(p, DEL | ALIGNED, RT_UNSIZED, align, "operator delete");
}

RT_EXPORT void _ZdaPvSt11align_val_t(void *p, size_t align)
{
    cxx_delete(p, DEL_ARRAY | ALIGNED, RT_UNSIZED, align, "operator delete[]");
}

RT_EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t size, size_t align)
{
    cxx_delete(p, DEL | ALIGNED, size, align, "operator delete");
}

RT_EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t size, size_t align)
{
    cxx_delete(p, DEL_ARRAY | ALIGNED, size, align, "operator delete[]");
}

RT_EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const nothrow_tag *nt)
{
    (void)nt;
    cxx_delete(p, DEL | ALIGNED, RT_UNSIZED, align, "operator delete");
}

RT_EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const nothrow_tag *nt)
{
    (void)nt;
    cxx_delete(p, DEL_ARRAY | ALIGNED, RT_UNSIZED, align, "operator delete[]");
}
