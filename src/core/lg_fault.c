/* lg_fault.c — the fault reporter: which block a faulting address belongs
 * to, and the finding that says so.
 *
 * Shared by every platform: the Linux signal handler (rt_signal.c) and a
 * kernel's page-fault handler only fill an lg_fault and act on the verdict.
 * Takes no lock a faulting thread could already hold except the report's
 * (lg_heap_find_near uses a bounded trylock). */
#include "lg_fault.h"

#include "lg_heap.h"

static const char *access_word(lg_access a)
{
    return a == LG_ACCESS_WRITE ? "write" : a == LG_ACCESS_READ ? "read" : "access";
}

static const char *access_type(lg_access a)
{
    return a == LG_ACCESS_WRITE ? "write" : a == LG_ACCESS_READ ? "read" : NULL;
}

static bool inside_user_bytes(const lg_block *b, uintptr_t addr)
{
    return addr >= b->user && addr < b->user + b->size;
}

bool lg_fault_is_heap(const lg_fault *f)
{
    uint32_t qtag;
    lg_block b;
    if (f->addr_unknown) return false;
    if (lg_poison_decode(f->addr, &qtag)) return true;
    if (lg_heap_find_near(f->addr, 0, &b))
        return __atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE || !inside_user_bytes(&b, f->addr);
    return lg_heap_owns(f->addr) || lg_guard_owns(f->addr);
}

static void report_stale(const lg_fault *f, uint32_t qtag)
{
    lg_report *r = lg_report_begin(LG_STALE_POINTER, f->stack,
                                   "a %s at 0x%lx through a pointer read out of freed memory (lifeguard's poison)",
                                   access_word(f->access), (unsigned long)f->addr);
    lg_report_address(r, f->addr);
    lg_report_access_type(r, access_type(f->access));
    lg_report_stack_of_thread(r, "access", f->stack, "the faulting access", f->tid);
    lg_heap_report_stale_source(r, qtag);
    lg_report_end(r);
}

static void report_block(const lg_fault *f, const lg_block *b)
{
    uintptr_t addr = f->addr;
    bool freed = __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE;
    const char *what = access_word(f->access);
    lg_report *r;
    if (freed && inside_user_bytes(b, addr)) {
        r = lg_report_begin(LG_USE_AFTER_FREE, f->stack, "a %s at 0x%lx, inside the freed %zu-byte block at 0x%lx", what,
                            (unsigned long)addr, b->size, (unsigned long)b->user);
    } else if (addr >= b->user + b->size) {
        r = lg_report_begin(LG_HEAP_OVERFLOW, f->stack, "a %s at 0x%lx, %llu bytes past the end of the %zu-byte %sblock at 0x%lx",
                            what, (unsigned long)addr, (unsigned long long)(addr - (b->user + b->size)), b->size,
                            freed ? "freed " : "", (unsigned long)b->user);
    } else {
        r = lg_report_begin(LG_HEAP_OVERFLOW, f->stack, "a %s at 0x%lx, %llu bytes before the %zu-byte %sblock at 0x%lx", what,
                            (unsigned long)addr, (unsigned long long)(b->user - addr), b->size, freed ? "freed " : "",
                            (unsigned long)b->user);
    }
    lg_report_address(r, addr);
    lg_report_access_type(r, access_type(f->access));
    lg_report_block(r, b->user, b->size);
    lg_report_stack_of_thread(r, "access", f->stack, "the faulting access", f->tid);
    lg_heap_report_stacks(r, b, freed ? "the block was freed here" : NULL, "the block was allocated here");
    lg_report_end(r);
}

static void report_crash(const lg_fault *f)
{
    const char *what = access_word(f->access);
    const char *desc = f->addr_unknown ? "the CPU gave no address" : f->addr ? lg_pal_describe_address(f->addr) : "the null page";
    lg_report *r = lg_report_begin(LG_SEGV, f->stack, "%s on a%s %s at 0x%lx (%s)",
                                   f->bus ? "bus error" : "segmentation fault", f->access == LG_ACCESS_UNKNOWN ? "n" : "",
                                   what, (unsigned long)f->addr, desc);
    lg_report_address(r, f->addr);
    lg_report_access_type(r, access_type(f->access));
    if (f->addr_unknown)
        lg_report_note(r, "the address was not canonical: the pointer may hold a redzone pattern (0xfbfb...) or garbage");
    lg_report_stack_of_thread(r, "access", f->stack, "the faulting access", f->tid);
    lg_report_end(r);
}

bool lg_fault_report(const lg_fault *f)
{
    uint32_t qtag;
    lg_block b;
    if (!f->addr_unknown && lg_poison_decode(f->addr, &qtag)) {
        report_stale(f, qtag);
        return true;
    }
    /* A live block's own bytes fault only when the program protected them itself. */
    if (!f->addr_unknown && f->addr && lg_heap_find_near(f->addr, LG_FAULT_NEAR_BYTES, &b) &&
        (__atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE || !inside_user_bytes(&b, f->addr))) {
        report_block(f, &b);
        return true;
    }
    report_crash(f);
    return false;
}
