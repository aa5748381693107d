/* lg_finding_alloc.c — the words of allocation failures and of C++ releases
 * that do not match their allocation.
 *
 * The runtime's allocation paths (rt_malloc.c, rt_malloc_size.c) and its
 * operator new/delete (rt_cxx.c) decide what happened and fill a record
 * (lg_finding.h); this file says it. */
#include "lg_finding.h"

#define FROM_MASK (LG_BLOCK_FROM_NEW | LG_BLOCK_FROM_NEW_ARRAY | LG_BLOCK_FROM_ALIGNED)

static const char *why_words(lg_alloc_why why)
{
    switch (why) {
    case LG_ALLOC_OUT_OF_MEMORY: return "out of memory";
    case LG_ALLOC_OVERFLOW: return "the total size overflows";
    case LG_ALLOC_PAGE_OVERFLOW: return "the size rounded up to a page overflows";
    case LG_ALLOC_OVER_LIMIT: return "more than max_allocation_size_mb allows";
    case LG_ALLOC_OVER_PTRDIFF_MAX: return "more than PTRDIFF_MAX bytes, which glibc refuses";
    case LG_ALLOC_NOT_COMMITTED: return "more than the system would commit, so glibc's malloc fails too";
    }
    return "refused";
}

void lg_finding_report_alloc_failure(const lg_alloc_failure *f)
{
    const char *why = why_words(f->why);
    lg_report *r;
    if (f->count)
        r = lg_report_begin(LG_BAD_ALLOC, f->stack, "%s(%zu, %zu): %s; returned NULL (ENOMEM)", f->fn, f->count, f->size,
                            why);
    else if (f->throws)
        r = lg_report_begin(LG_BAD_ALLOC, f->stack, "%s(%zu): %s; allocation failed", f->fn, f->size, why);
    else
        r = lg_report_begin(LG_BAD_ALLOC, f->stack, "%s(%zu): %s; returned NULL (ENOMEM)", f->fn, f->size, why);
    lg_report_not_error(r);
    lg_report_stack_of_thread(r, "access", f->stack, "the allocation", f->tid);
    lg_report_end(r);
}

static const char *family_name(uint8_t from)
{
    switch (from & FROM_MASK) {
    case 0: return "malloc()";
    case LG_BLOCK_FROM_NEW: return "operator new";
    case LG_BLOCK_FROM_NEW_ARRAY: return "operator new[]";
    case LG_BLOCK_FROM_NEW | LG_BLOCK_FROM_ALIGNED: return "an aligned operator new";
    default: return "an aligned operator new[]";
    }
}

static const char *release_name(uint8_t as, const char *fn)
{
    switch (as & FROM_MASK) {
    case 0: return fn; /* free, realloc */
    case LG_BLOCK_FROM_NEW: return "operator delete";
    case LG_BLOCK_FROM_NEW_ARRAY: return "operator delete[]";
    case LG_BLOCK_FROM_NEW | LG_BLOCK_FROM_ALIGNED: return "an aligned operator delete";
    default: return "an aligned operator delete[]";
    }
}

static void put_message(lg_buf *m, const lg_release_finding *f, bool freed)
{
    const lg_block *b = f->block;
    const char *release = release_name(f->released_as, f->fn);
    if (f->kind == LG_ALLOC_DEALLOC_MISMATCH)
        lg_buf_printf(m, "%s%s of the %s%zu-byte block at 0x%lx, allocated by %s", release, f->released_as ? "" : "()",
                      freed ? "freed " : "", b->size, (unsigned long)b->user, family_name(f->allocated_as));
    else if (f->sized)
        lg_buf_printf(m, "sized %s says %zu bytes; the block at 0x%lx has %zu", release, f->size, (unsigned long)b->user,
                      b->size);
    else if (f->block_align)
        lg_buf_printf(m, "%s with alignment %zu of the block at 0x%lx, allocated with alignment %zu", release, f->align,
                      (unsigned long)b->user, f->block_align);
    else
        lg_buf_printf(m, "%s with alignment %zu of the block at 0x%lx, which is not so aligned", release, f->align,
                      (unsigned long)b->user);
}

void lg_finding_report_release(const lg_release_finding *f)
{
    const lg_block *b = f->block;
    bool freed = __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE;
    char mem[200];
    lg_buf m;
    lg_buf_init(&m, mem, sizeof(mem));
    put_message(&m, f, freed);
    lg_report *r = lg_report_begin(f->kind, f->stack, "%s", lg_buf_cstr(&m));
    lg_report_address(r, b->user);
    lg_report_block(r, b->user, b->size);
    if (freed) lg_report_note(r, "the block was already freed: this release is also a double free");
    lg_report_stack_of_thread(r, "access", f->stack, "the release", f->tid);
    lg_heap_report_stacks(r, b, freed ? "the block was first freed here" : NULL, "the block was allocated here");
    lg_report_end(r);
}
