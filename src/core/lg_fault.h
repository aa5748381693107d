/* lg_fault.h — a memory fault explained from what the heap knows.
 *
 * The platform's fault entry (a Linux SIGSEGV/SIGBUS handler, a kernel's
 * page-fault handler) fills an lg_fault and asks two questions: is this
 * fault lifeguard's business (lg_fault_is_heap: the poison range, a guard
 * page, a freed block, the heap's reserved space), and, when it is to be
 * reported, what it was (lg_fault_report: stale-pointer, use-after-free,
 * heap-overflow naming the block or the nearest one, else segv). */
#ifndef LG_FAULT_H
#define LG_FAULT_H

#include "lg_core.h"

typedef enum lg_access {
    LG_ACCESS_UNKNOWN = 0,
    LG_ACCESS_READ,
    LG_ACCESS_WRITE,
} lg_access;

typedef struct lg_fault {
    uintptr_t addr;       /* the address the instruction touched */
    lg_access access;     /* what it did, when the CPU says */
    lg_stack_id stack;    /* the faulting instruction's stack */
    uint32_t tid;         /* the thread that ran it */
    bool bus;             /* a bus error rather than a segmentation fault */
    bool addr_unknown;    /* the CPU gave no address (x86 general protection: not canonical) */
} lg_fault;

/* How far from a block's bytes a fault is still named after that block:
 * a 64 KiB underflow or a 1 MiB overflow is reported as an overflow. */
#define LG_FAULT_NEAR_BYTES (4u << 20)

/* Whether the fault belongs to lifeguard: a poison value, a guard page or
 * freed pages of a block, a redzone, the heap's reserved range.  A fault
 * inside a live block's own bytes (a program that mprotects its memory) or
 * in memory that is not the heap's is the program's. */
bool lg_fault_is_heap(const lg_fault *f);

/* A check made before calling a real function (memcpy, printf...) has
 * reported this thread's access to [addr, addr + len) of block b, and the
 * call goes on: if the call then faults there (a guard page, a quarantined
 * block's pages), lg_fault_report ends it as that same error, without a
 * second finding.  (An interceptor may tail-call the real function, so the
 * fault's stack cannot tell; the thread, the block's birth and the range
 * can.) */
struct lg_block;
void lg_fault_note_checked(uint32_t tid, const struct lg_block *b, uintptr_t addr, size_t len);

/* What the platform's fault entry is to do with a fault (lg_fault_handle). */
typedef enum lg_fault_verdict {
    LG_FAULT_CRASH,  /* a plain crash, reported as segv: end as without lifeguard */
    LG_FAULT_STOP,   /* a heap error, reported (or suppressed, with nothing to resume): stop with exitcode */
    LG_FAULT_RESUME, /* a heap error on a guarded block that the suppressions hide: the page it
                      * touched is accessible now, as an ordinary block's would be; run the
                      * instruction again and let the program go on */
} lg_fault_verdict;

/* Reports the fault, or for a suppressed one on a guarded block (a freed
 * guarded or large block's pages, a live guarded block's own guard page)
 * makes that memory accessible again (lg_guard_reopen) and counts it in
 * the summary's suppressed total. */
lg_fault_verdict lg_fault_handle(const lg_fault *f);

/* Reports the fault, never resuming (a platform that cannot run the
 * instruction again: a suppressed heap error stops as a reported one).
 * True: it was a heap error (stale-pointer,
 * use-after-free, heap-overflow; or the one an interceptor has just
 * reported, see lg_fault_note_checked), after which the program stops with
 * `exitcode`; false: a plain crash (segv) was reported, and the program
 * should end as it would without lifeguard (by the same signal). */
bool lg_fault_report(const lg_fault *f);

#endif
