/* rt_cxx.c — C++'s operator new and delete, every variant, interposed.
 *
 * libstdc++'s own operators call malloc and free, so without these the
 * heap would not know which family a block came from.  Each new marks its
 * block (LG_BLOCK_FROM_NEW, _NEW_ARRAY, _ALIGNED in the block's flags);
 * each release compares: free() of a new'd block, delete of a malloc'd
 * one, delete[] of a new'd one, aligned new with unaligned delete and the
 * reverse are `alloc-dealloc-mismatch` (a release of a block already freed
 * too, besides its double-free); a sized delete whose size is not the
 * block's, or an aligned delete whose alignment is not the one its new was
 * given, is `new-delete-type-mismatch`.  The block is freed all the same,
 * as glibc would.  free() pays for this only once a program has called new.
 * core/lg_finding_alloc.c words the findings.
 *
 * A throwing new that cannot allocate calls the program's new_handler
 * until it gives up, then throws std::bad_alloc through libstdc++'s own
 * __throw_bad_alloc (this file is C: the exception passes through its
 * frames by their unwind tables). */
#include "rt_internal.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the alignment aligned new was given ------------------------------------------ */

/* The heap's block metadata has no room for it and aligned new is rare: a
 * table of (block, alignment) for the live blocks of aligned new, open
 * addressing with linear probing, deletion by backward shift, one lock.
 * Full (a program with 48 Ki live aligned blocks), a block is not
 * remembered and its aligned delete is checked against the pointer only. */
#define ALIGN_SLOTS (1u << 16)
#define ALIGN_MAX_USED (ALIGN_SLOTS / 4 * 3)

typedef struct align_entry {
    uintptr_t user; /* 0: empty */
    size_t align;
} align_entry;

static align_entry *align_table;
static uint32_t align_used;
static lg_lock_t align_lock = LG_LOCK_INIT;

static uint32_t align_home(uintptr_t user)
{
    return (uint32_t)(((uint64_t)user * 0x9e3779b97f4a7c15ull) >> 48) & (ALIGN_SLOTS - 1);
}

static void remember_align(uintptr_t user, size_t align)
{
    lg_lock(&align_lock);
    if (!align_table) align_table = lg_pal_map(ALIGN_SLOTS * sizeof(align_entry));
    for (uint32_t i = align_home(user), n = 0; align_table && n < ALIGN_SLOTS; i = (i + 1) & (ALIGN_SLOTS - 1), n++) {
        align_entry *e = &align_table[i];
        if (e->user == user) { /* a slot whose last release was not seen */
            e->align = align;
            break;
        }
        if (!e->user) {
            if (align_used < ALIGN_MAX_USED) {
                e->user = user;
                e->align = align;
                align_used++;
            }
            break;
        }
    }
    lg_unlock(&align_lock);
}

/* The alignment remembered for user (0: none), forgotten. */
static size_t forget_align(uintptr_t user)
{
    size_t align = 0;
    lg_lock(&align_lock);
    uint32_t i = align_home(user);
    while (align_table && align_table[i].user && align_table[i].user != user) i = (i + 1) & (ALIGN_SLOTS - 1);
    if (align_table && align_table[i].user == user) {
        align = align_table[i].align;
        /* Backward shift: move up each later entry of the run that may sit at i. */
        for (uint32_t hole = i, j = (i + 1) & (ALIGN_SLOTS - 1); align_table[j].user; j = (j + 1) & (ALIGN_SLOTS - 1)) {
            uint32_t home = align_home(align_table[j].user);
            bool movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (!movable) continue;
            align_table[hole] = align_table[j];
            hole = j;
            i = j;
        }
        align_table[i].user = 0;
        align_used--;
    }
    lg_unlock(&align_lock);
    return align;
}

/* ---- allocation, continued ---------------------------------------------------------- */

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
            if (from & LG_BLOCK_FROM_ALIGNED && rt_heap_on) remember_align((uintptr_t)p, align);
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

/* The family of the program's own operator new or delete around a return
 * address, by its symbol's name (0: not one).  A module can carry its own
 * C++ runtime, bound inside it (libLLVM.so under rustc and rust-lld links
 * libstdc++ in): its operators call malloc and free, which the heap sees
 * as such, while the rest of the program's new and delete reach ours. */
static uint8_t operator_named(const char *name)
{
    static const struct {
        char prefix[6];
        uint8_t from;
    } operators[] = {{"_Znwm", LG_BLOCK_FROM_NEW}, {"_Znam", LG_BLOCK_FROM_NEW_ARRAY},
                     {"_ZdlP", LG_BLOCK_FROM_NEW}, {"_ZdaP", LG_BLOCK_FROM_NEW_ARRAY}};
    uint8_t from = 0;
    for (size_t i = 0; name && !from && i < sizeof(operators) / sizeof(operators[0]); i++)
        if (lg_str_eq_n(name, operators[i].prefix, 5)) from = operators[i].from;
    if (from && strstr(name, "St11align_val_t")) from |= LG_BLOCK_FROM_ALIGNED;
    return from;
}

/* The target of a direct call (e8 rel32) that returns to pc, or 0. */
static uintptr_t called_before(uintptr_t pc)
{
    lg_module_info mod;
    if (pc < 5 || !lg_pal_module_of(pc - 5, &mod) || !lg_pal_module_of(pc - 1, &mod)) return 0;
    const unsigned char *insn = (const unsigned char *)(pc - 5); /* code just run: readable */
    if (insn[0] != 0xe8) return 0;
    int32_t rel;
    __builtin_memcpy(&rel, insn + 1, sizeof(rel));
    return pc + (uintptr_t)(intptr_t)rel;
}

/* release: stack is this release's, whose code is running (an allocation's
 * may have been unloaded since: only its symbols are read). */
static uint8_t own_operator(lg_stack_id stack, bool release)
{
    uintptr_t pc;
    if (!stack || lg_depot_get(stack, &pc, 1) != 1 || !pc) return 0;
    rt_busy++;
    lg_report_lock(); /* the symbol tables' caches */
    uint8_t from = operator_named(lg_pal_function_of(pc - 1));
    /* An operator delete ends in a tail call of free (libstdc++'s does at
     * -O2): its caller's frame is the first, and it called the operator. */
    uintptr_t callee;
    if (!from && release && (callee = called_before(pc))) from = operator_named(lg_pal_function_of(callee));
    lg_report_unlock();
    rt_busy--;
    return from;
}

void rt_cxx_check_release(void *p, uint8_t released_as, size_t size, size_t align, lg_stack_id stack, const char *fn)
{
    lg_block b;
    if (rt_busy || !rt_heap_on) return;
    /* Not a block's start: the free itself reports why. */
    if (!lg_heap_find((uintptr_t)p, &b) || b.user != (uintptr_t)p) return;
    uint8_t state = __atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE);
    if (state != LG_BLOCK_LIVE && state != LG_BLOCK_QUARANTINED) return;
    uint8_t from = __atomic_load_n(&b.meta->flags, __ATOMIC_RELAXED) & FROM_MASK;
    size_t block_align = state == LG_BLOCK_LIVE && from & LG_BLOCK_FROM_ALIGNED ? forget_align(b.user) : 0;
    lg_release_finding f = {
        .block = &b, .allocated_as = from, .released_as = released_as & FROM_MASK, .fn = fn, .stack = stack,
        .tid = lg_pal_tid(),
    };
    /* The other side may be the program's own operator over malloc or free:
     * then that operator is the family. */
    if (from != (released_as & FROM_MASK) && !from) from = own_operator(b.meta->alloc_stack, false);
    if (from != (released_as & FROM_MASK) && !(released_as & FROM_MASK)) released_as = own_operator(stack, true);
    f.allocated_as = from;
    f.released_as = released_as & FROM_MASK;
    if (from != (released_as & FROM_MASK)) {
        /* Of a freed block too (with its free): its double-free follows. */
        if (!lg_opt.alloc_dealloc_mismatch) return;
        f.kind = LG_ALLOC_DEALLOC_MISMATCH;
        report(&f);
        return;
    }
    if (!lg_opt.new_delete_type_mismatch || state != LG_BLOCK_LIVE) return;
    f.kind = LG_NEW_DELETE_TYPE_MISMATCH;
    if (size != RT_UNSIZED && size != b.size) {
        f.sized = true;
        f.size = size;
        report(&f);
    } else if (align && block_align ? align != block_align : align && (align & (align - 1) || b.user & (align - 1))) {
        f.align = align;
        f.block_align = block_align;
        report(&f);
    }
}

static void cxx_delete(void *p, uint8_t as, size_t size, size_t align, const char *fn)
{
    if (!p) return;
    lg_stack_id stack = lg_opt.stacks ? rt_capture_above(__builtin_frame_address(0), RT_OWN_ABOVE) : 0;
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
