/* lg_heap.h — the checked allocator.
 *
 * Small blocks live in size-class regions: class c owns a reserved range of
 * address space cut into equal slots, so any address maps to its slot by
 * arithmetic (interior pointers, leak scan, libc checks).  Each slot is
 *     [left redzone][user bytes][right redzone up to the slot end]
 * and its metadata lives in a separate region a program overflow cannot
 * reach.  Blocks too large for a class get their own pages in the large
 * region, with guard pages around them.
 *
 * Freed blocks are poisoned (lg_poison.c) and quarantined
 * (lg_quarantine.c) before their slot is reused. */
#ifndef LG_HEAP_H
#define LG_HEAP_H

#include "lg_core.h"

enum lg_block_state {
    LG_BLOCK_UNUSED = 0,      /* never handed out */
    LG_BLOCK_LIVE = 1,
    LG_BLOCK_QUARANTINED = 2, /* freed, poisoned, not reusable yet */
    LG_BLOCK_FREE = 3,        /* freed, out of quarantine, reusable */
};

enum lg_block_flags {
    LG_BLOCK_MARKED = 1,      /* reached by the leak scan */
    LG_BLOCK_REPORTED = 2,    /* already reported as leaked, or ignored */
    LG_BLOCK_OBJECT = 4,      /* a tracked object (lg_object_new) lives in it */
};

/* 40 bytes per slot, in the metadata region. */
typedef struct lg_block_meta {
    lg_stack_id alloc_stack;
    lg_stack_id free_stack;
    uint32_t size;            /* user bytes (large blocks: low 32 bits, see lg_block.size) */
    uint16_t offset;          /* user start - slot start */
    uint8_t state;            /* enum lg_block_state */
    uint8_t flags;            /* enum lg_block_flags, changed with atomics */
    uint32_t alloc_tid;
    uint32_t free_tid;
    uint32_t next_free;       /* free list link: slot index + 1, 0 ends */
    uint32_t qtag;            /* quarantine tag of its last free: names one life of the slot */
    uint64_t birth;           /* allocation sequence number, for checkpoints */
} lg_block_meta;

/* A block as the rest of the runtime sees it. */
typedef struct lg_block {
    uintptr_t user;           /* what malloc returned */
    size_t size;              /* what was asked for */
    uintptr_t slot_start, slot_end;
    lg_block_meta *meta;
    uint32_t size_class;      /* LG_LARGE_CLASS for large blocks */
    uint32_t slot;            /* index in its class (or the large table) */
} lg_block;

#define LG_LARGE_CLASS 255u

bool lg_heap_init(void);
bool lg_heap_ready(void);

/* Returns NULL (and sets nothing) when memory is exhausted or size absurd. */
void *lg_heap_alloc(size_t size, size_t align, lg_stack_id stack, uint32_t tid);

/* Validates p and frees it: reports double-free, invalid-free,
 * stale-pointer and heap-overflow (damaged redzones) itself.  Returns true
 * when the block was freed, false when the free was refused. */
bool lg_heap_free(void *p, lg_stack_id stack, uint32_t tid, const char *fn);

/* The block holding addr, anywhere from its slot start to its slot end
 * (redzones included), whatever its state.  False if addr is not in a
 * slot ever handed out. */
bool lg_heap_find(uintptr_t addr, lg_block *out);

/* The live block whose user bytes [user, user+size] contain addr (one past
 * the end counts, as C allows such pointers).  For leak scans. */
bool lg_heap_find_live(uintptr_t addr, lg_block *out);

/* Whether addr lies inside the heap's reserved ranges at all (fast). */
bool lg_heap_owns(uintptr_t addr);

/* Whether addr may be in any block, small or large (fast, no lock). */
bool lg_heap_may_hold(uintptr_t addr);

/* After a reported bad write: restore the block's redzones and, if it is
 * freed, its poison, so the same damage is not reported again. */
void lg_heap_heal(const lg_block *b);

size_t lg_heap_usable_size(const void *p); /* 0 if not a live block */

/* Calls visit for every block that is live when visited.  Not atomic with
 * respect to other threads; stop the world first if that matters. */
typedef void (*lg_block_visit_fn)(const lg_block *block, void *ctx);
void lg_heap_each_live(lg_block_visit_fn visit, void *ctx);

/* The allocation sequence number the next block will get. */
uint64_t lg_heap_birth_clock(void);

/* Adds to a report the freed block a poison value (qtag) came from. */
void lg_heap_report_stale_source(lg_report *r, uint32_t qtag);

/* Redzone and poison checks of every block, for exit. */
void lg_heap_check_all(void);

/* Fork: hold every heap lock across fork(). */
void lg_heap_lock_all(void);
void lg_heap_unlock_all(void);

/* Hooks the reference tracker sets: called when a block is freed (before
 * poisoning) so an object living in it is destroyed with it. */
typedef void (*lg_block_freed_fn)(uintptr_t user, size_t size);
extern lg_block_freed_fn lg_on_block_freed;

/* ---- internal to the heap: poison (lg_poison.c) ------------------------ */
bool lg_poison_init(void);
uint64_t lg_poison_word(uint32_t qtag);          /* the word freed memory is filled with */
bool lg_poison_decode(uintptr_t addr, uint32_t *qtag); /* addr derived from a poison word? */
void lg_poison_fill(uintptr_t start, size_t len, uint64_t word);
/* Offset of the first byte that differs from the poison, or SIZE_MAX. */
size_t lg_poison_find_change(uintptr_t start, size_t len, uint64_t word);
#define LG_REDZONE_BYTE 0xfb
#define LG_REDZONE_CHECKED 256 /* bytes of each redzone verified at most */
void lg_redzone_fill(uintptr_t start, size_t len);
size_t lg_redzone_find_change(uintptr_t start, size_t len);

/* ---- internal to the heap: quarantine (lg_quarantine.c) ---------------- */
#define LG_QTAG_BITS 24
bool lg_quarantine_init(void);
uint32_t lg_quarantine_reserve(void); /* a tag for a block about to be freed */
void lg_quarantine_publish(uint32_t qtag, uint32_t size_class, uint32_t slot, size_t bytes);
/* Which block a tag named, if the ring still remembers it. */
bool lg_quarantine_lookup(uint32_t qtag, uint32_t *size_class, uint32_t *slot);
void lg_quarantine_release_bytes(size_t bytes); /* an evicted block's bytes */
void lg_quarantine_drain(void);      /* verify and recycle everything (exit) */
void lg_quarantine_lock(void);
void lg_quarantine_unlock(void);
/* The heap's side of an eviction: verify the poison, make the slot reusable. */
void lg_heap_recycle(uint32_t size_class, uint32_t slot, uint32_t qtag);

struct lg_heap_stats {
    uint64_t live_blocks, live_bytes;
    uint64_t quarantined_blocks, quarantined_bytes;
    uint64_t total_allocs, total_frees;
};
void lg_heap_stats(struct lg_heap_stats *out);

#endif
