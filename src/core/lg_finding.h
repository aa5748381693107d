/* lg_finding.h — a heap finding as a record of facts.
 *
 * The detectors (the allocator's free and its checks, the libc checks, the
 * fault reporter) fill an lg_finding with what they saw: the kind, the
 * operation and its address, the block it is measured against, the stale
 * value's tag; lg_finding_report (lg_finding.c) words it — the headline,
 * the notes, the stack titles — and hands it to the report's renderers
 * (lg_report.c: text and JSON).  No detector composes a sentence. */
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
    const char *op_name;    /* FREE, CALL, CHECK: the function */
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
    lg_stack_id stack;      /* the operation's own stack (0: none, CHECK at exit) */
    uint32_t tid;
} lg_finding;

/* Words the finding and reports it (suppressions, de-duplication and
 * max_findings apply as for any finding). */
void lg_finding_report(const lg_finding *f);

#endif
