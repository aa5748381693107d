/* lg_fault.c — the fault reporter: which block a faulting address belongs
 * to, and the finding that says so.
 *
 * Shared by every platform: the Linux signal handler (rt_signal.c) and a
 * kernel's page-fault handler only fill an lg_fault and act on the verdict.
 * Takes no lock a faulting thread could already hold except the report's
 * (lg_heap_find_near uses a bounded trylock). */
#include "lg_fault.h"

#include "lg_finding.h"
#include "lg_heap.h"
#include "lg_suppress.h"

/* The access each thread's interceptor last reported, by thread id.  A
 * thread writes its own entry, and reads it in its own fault handler: the
 * block pointer goes last, so a handler that interrupted the write finds
 * no match (a second finding at worst).  Two threads sharing an entry
 * lose a record the same way. */
#define CHECKED_SLOTS 256u
typedef struct checked_access {
    uint32_t tid;
    const lg_block_meta *meta;
    uint64_t birth; /* which allocation of that slot */
    uintptr_t lo, hi;
} checked_access;
static checked_access checked[CHECKED_SLOTS];
_Static_assert(CHECKED_SLOTS == 1u << 8, "checked_slot's shift (>> 24) picks one of CHECKED_SLOTS");

static checked_access *checked_slot(uint32_t tid)
{
    return &checked[(tid * 0x9e3779b1u) >> 24];
}

void lg_fault_note_checked(uint32_t tid, const lg_block *b, uintptr_t addr, size_t len)
{
    checked_access *e = checked_slot(tid);
    __atomic_store_n(&e->meta, NULL, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    e->tid = tid;
    e->birth = b->meta->birth;
    e->lo = addr;
    e->hi = addr + len < addr ? UINTPTR_MAX : addr + len;
    __atomic_store_n(&e->meta, b->meta, __ATOMIC_RELEASE);
}

static bool reported_before_call(const lg_fault *f, const lg_block *b)
{
    checked_access *e = checked_slot(f->tid);
    if (__atomic_load_n(&e->meta, __ATOMIC_ACQUIRE) != b->meta) return false;
    return e->tid == f->tid && e->birth == b->meta->birth && f->addr >= e->lo && f->addr < e->hi;
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

/* The finding's facts as the fault gives them. */
static lg_finding fault_finding(const lg_fault *f, lg_kind kind)
{
    return (lg_finding){
        .kind = kind, .key = f->stack, .op = LG_OP_FAULT, .access = f->access, .address = f->addr, .stack = f->stack,
        .tid = f->tid,
    };
}

static void report_stale(const lg_fault *f, uint32_t qtag)
{
    lg_finding r = fault_finding(f, LG_STALE_POINTER);
    r.stale = true;
    r.stale_qtag = qtag;
    lg_finding_report(&r);
}

/* A freed block's pages are inaccessible as a whole: a fault in its slack
 * (a vectorised strlen reads from an aligned address before the string) is
 * still a use of the freed block. */
static lg_kind block_fault_kind(const lg_fault *f, const lg_block *b)
{
    bool freed = __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE;
    bool in_pages = f->addr >= b->slot_start && f->addr < b->slot_end;
    return freed && in_pages ? LG_USE_AFTER_FREE : LG_HEAP_OVERFLOW;
}

static void report_block(const lg_fault *f, const lg_block *b)
{
    bool inside = inside_user_bytes(b, f->addr);
    lg_finding r = fault_finding(f, block_fault_kind(f, b));
    r.block = b;
    r.where = inside ? LG_WHERE_INSIDE : f->addr >= b->user + b->size ? LG_WHERE_PAST_END : LG_WHERE_BEFORE;
    lg_finding_report(&r);
}

static void report_crash(const lg_fault *f)
{
    lg_finding r = fault_finding(f, LG_SEGV);
    r.bus = f->bus;
    r.addr_unknown = f->addr_unknown;
    if (!f->addr_unknown && f->addr) r.unknown_what = lg_pal_describe_address(f->addr);
    lg_finding_report(&r);
}

/* Whether the suppressions hide this finding: then it is counted as
 * suppressed, as the report counts the findings it hides. */
static bool suppressed_now(lg_kind kind, lg_stack_id key)
{
    lg_report_lock();
    bool hidden = lg_suppressed(kind, key);
    if (hidden) lg_report_count_suppressed_locked();
    lg_report_unlock();
    return hidden;
}

/* A suppressed fault whose address lifeguard cannot make valid (a stale
 * pointer's poison, a far overflow into pages no block owns): the program
 * cannot go on, and says why rather than ending in silence. */
static void cannot_resume(const lg_fault *f, lg_kind kind)
{
    lg_log("==%u==lifeguard: a suppressed %s at %p touched no page lifeguard can give back (neither a "
           "guarded block's guard page nor a freed block's pages): the program stops here\n",
           lg_pal_pid(), lg_kind_name(kind), (void *)f->addr);
}

static lg_fault_verdict handle(const lg_fault *f, bool may_resume)
{
    uint32_t qtag;
    lg_block b;
    if (!f->addr_unknown && lg_poison_decode(f->addr, &qtag)) {
        if (may_resume && suppressed_now(LG_STALE_POINTER, f->stack)) cannot_resume(f, LG_STALE_POINTER);
        else report_stale(f, qtag);
        return LG_FAULT_STOP;
    }
    /* A live block's own bytes fault only when the program protected them itself. */
    if (!f->addr_unknown && f->addr && lg_heap_find_near(f->addr, LG_FAULT_NEAR_BYTES, &b) &&
        (__atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE || !inside_user_bytes(&b, f->addr))) {
        if (reported_before_call(f, &b)) return LG_FAULT_STOP; /* the check before the call said it: one finding */
        lg_kind kind = block_fault_kind(f, &b);
        if (may_resume && suppressed_now(kind, f->stack)) {
            if (lg_guard_reopen(&b, f->addr, f->stack, f->access == LG_ACCESS_READ)) return LG_FAULT_RESUME;
            cannot_resume(f, kind);
            return LG_FAULT_STOP;
        }
        report_block(f, &b);
        return LG_FAULT_STOP;
    }
    report_crash(f);
    return LG_FAULT_CRASH;
}

lg_fault_verdict lg_fault_handle(const lg_fault *f)
{
    return handle(f, true);
}

bool lg_fault_report(const lg_fault *f)
{
    return handle(f, false) != LG_FAULT_CRASH;
}
