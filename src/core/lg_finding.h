/* lg_finding.h — findings as records of facts.
 *
 * The detectors fill a record with what they saw and hand it to the
 * findings module, which words it — the headline, the notes, the stack
 * titles — into the report's record (lg_report.h), from which the
 * renderers write text and JSON.  No detector composes a sentence.
 *
 *   lg_finding          heap accesses and releases: the allocator's free and
 *                       its checks, the libc checks, the fault reporter
 *                       (worded in lg_finding.c)
 *   lg_alloc_failure    an allocation refused or failed (lg_finding_alloc.c)
 *   lg_release_finding  a C++ release by the wrong family, size or
 *                       alignment (lg_finding_alloc.c)
 *   lg_leak_finding     the leak scan's blocks of one allocation stack
 *                       (lg_finding_leak.c)
 *   refs_finding,       the reference tracker's, declared with its records
 *   refs_exit_finding   in lg_refs_internal.h (lg_finding_refs.c,
 *                       lg_finding_refs_exit.c) */
#ifndef LG_FINDING_H
#define LG_FINDING_H

#include "lg_core.h"
#include "lg_fault.h"
#include "lg_heap.h"

/* The bad operation. */
typedef enum lg_op {
    LG_OP_FREE,  /* op_name() of address: free, realloc, operator delete ... */
    LG_OP_CALL,  /* a libc call, op_name, given [address, address + length) */
    LG_OP_FAULT, /* a load or store at address that faulted */
    LG_OP_CHECK, /* found by a check of the block's redzones, in op_name() (free, realloc) */
    LG_OP_EVICT, /* found when the block left the quarantine: a changed byte of its poison */
    LG_OP_TRAP,  /* a CPU exception other than a page fault (a kernel's): trap_vector at address */
} lg_op;

/* Where address lies against the block. */
typedef enum lg_where {
    LG_WHERE_NONE,      /* no block: invalid-free of what malloc never returned, stale values */
    LG_WHERE_START,     /* at its first byte (double-free) */
    LG_WHERE_INSIDE,    /* inside its bytes */
    LG_WHERE_PAST_END,  /* after its last byte */
    LG_WHERE_BEFORE,    /* before its first byte */
} lg_where;

typedef struct lg_finding {
    lg_kind kind;
    lg_stack_id key;        /* de-duplication and suppressions (0: none) */
    lg_op op;
    const char *op_name;    /* FREE, CALL, CHECK: the function; EVICT: set when a guarded batch closed, not an eviction */
    lg_access access;       /* CALL, FAULT: read or write */
    uintptr_t address;      /* the address the operation used (CHECK, EVICT: the damaged byte) */
    size_t length;          /* CALL: the bytes the call touches */
    const lg_block *block;  /* the block the address is measured against, or NULL */
    lg_where where;
    bool stale;             /* the address is lifeguard's poison: stale_qtag names the freed block */
    uint32_t stale_qtag;
    const char *unknown_what; /* invalid-free without a block, segv: the platform's words for the address */
    bool bus;               /* segv: a bus error */
    bool addr_unknown;      /* segv: the CPU gave no address */
    uint32_t trap_vector;   /* TRAP: the exception's number and error code */
    uint32_t trap_error;
    lg_stack_id stack;      /* the operation's own stack (0: none, CHECK at exit) */
    uint32_t tid;
} lg_finding;

/* Words the finding and reports it (suppressions, de-duplication and
 * max_findings apply as for any finding). */
void lg_finding_report(const lg_finding *f);

/* ---- allocations ------------------------------------------------------------------ */

typedef enum lg_alloc_why {
    LG_ALLOC_OUT_OF_MEMORY,    /* the heap could not get the memory */
    LG_ALLOC_OVERFLOW,         /* count * size overflows */
    LG_ALLOC_PAGE_OVERFLOW,    /* pvalloc: the size rounded up to a page overflows */
    LG_ALLOC_OVER_LIMIT,       /* above max_allocation_size_mb */
    LG_ALLOC_OVER_PTRDIFF_MAX, /* what glibc refuses outright */
    LG_ALLOC_NOT_COMMITTED,    /* more than the kernel would commit to glibc's mmap */
} lg_alloc_why;

typedef struct lg_alloc_failure {
    const char *fn;   /* malloc, calloc, operator new ... */
    size_t size;
    size_t count;     /* calloc, reallocarray: the element count (0: none) */
    lg_alloc_why why;
    bool throws;      /* operator new: no NULL but std::bad_alloc, unless nothrow */
    lg_stack_id stack;
    uint32_t tid;
} lg_alloc_failure;

/* A warning: the program gets NULL (or bad_alloc) and goes on. */
void lg_finding_report_alloc_failure(const lg_alloc_failure *f);

/* A release that does not match the allocation: the family (malloc, new,
 * new[], aligned), a sized delete's size, an aligned delete's alignment. */
typedef struct lg_release_finding {
    lg_kind kind;           /* LG_ALLOC_DEALLOC_MISMATCH or LG_NEW_DELETE_TYPE_MISMATCH */
    const lg_block *block;  /* live, or freed already (then its free is shown too) */
    uint8_t allocated_as;   /* the allocation's LG_BLOCK_FROM_* bits (0: malloc) */
    uint8_t released_as;    /* the release's (0: fn, free or realloc) */
    const char *fn;
    bool sized;             /* new-delete-type-mismatch: a sized delete, whose size is not the block's */
    size_t size;            /* ... the size it says */
    size_t align;           /* ... the aligned delete's alignment (0: not aligned) */
    size_t block_align;     /* ... the alignment the block was allocated with (0: not known) */
    lg_stack_id stack;
    uint32_t tid;
} lg_release_finding;

void lg_finding_report_release(const lg_release_finding *f);

/* ---- leaks ------------------------------------------------------------------------ */

typedef struct lg_leak_finding {
    lg_stack_id stack;      /* the allocation stack: the key */
    uint64_t roots;         /* blocks nothing points to */
    uint64_t blocks, bytes; /* ... and with those reachable only through them */
    uintptr_t user;         /* the first root block */
    size_t size;
    bool reachable;         /* show_reachable's listing: a warning, never de-duplicated */
    uint32_t not_stopped;   /* threads the scan could not stop */
    const char *not_stopped_why;
    int not_stopped_errno;
} lg_leak_finding;

/* Whether it was reported (not suppressed, new, within max_findings). */
bool lg_finding_report_leak(const lg_leak_finding *f);

#endif
