/* lg_heap.h — the checked allocator.
 *
 * Small blocks live in size-class regions: class c owns a reserved range of
 * address space cut into equal slots, so any address maps to its slot by
 * arithmetic (interior pointers, leak scan, libc checks).  Each slot is
 *     [left redzone][user bytes][right redzone up to the slot end]
 * and its metadata lives in a separate region a program overflow cannot
 * reach.  Blocks too large for a class get their own pages in the large
 * region, with guard pages around them.  Guarded blocks (lg_heap_guard.c)
 * have pages of their own, their end against a guard page.
 *
 * Freed blocks are poisoned (lg_poison.c) and quarantined
 * (lg_quarantine.c) before their slot is reused. */
#ifndef LG_HEAP_H
#define LG_HEAP_H

#include "lg_core.h"
#include "lg_guard_file.h"

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
    LG_BLOCK_FROM_NEW = 8,        /* allocated by operator new (C++, runtime/rt_cxx.c) */
    LG_BLOCK_FROM_NEW_ARRAY = 16, /* ... by operator new[] */
    LG_BLOCK_FROM_ALIGNED = 32,   /* ... by an aligned (std::align_val_t) operator new or new[] */
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
    uint32_t next_free;       /* the guarded tier's free list link (lg_heap_guard.c); unused by the classes */
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
#define LG_GUARD_CLASS 254u /* a guarded block (lg_heap_guard.c) */

bool lg_heap_init(void);
bool lg_heap_ready(void);

/* A cache of reusable slots owned by one thread (or CPU): allocation and
 * recycling go through it without taking a lock (lg_heap_cache.c).  NULL
 * everywhere below means "no cache": the class locks are taken. */
typedef struct lg_heap_cache lg_heap_cache;

/* Returns NULL (and sets nothing) when memory is exhausted or size absurd.
 * align LG_ALIGN_MALLOC: malloc's own 16 bytes, which a guarded block may
 * trade for an exact end (option guard_align); any other is kept. */
#define LG_ALIGN_MALLOC 0
void *lg_heap_alloc(size_t size, size_t align, lg_stack_id stack, uint32_t tid);
void *lg_heap_alloc_cached(lg_heap_cache *cache, size_t size, size_t align, lg_stack_id stack, uint32_t tid);
/* Same, with the allocation site the guarded tier counts by given apart:
 * the stack id, or with stacks=0 the caller's address. */
void *lg_heap_alloc_site(lg_heap_cache *cache, size_t size, size_t align, lg_stack_id stack, uintptr_t site, uint32_t tid);

/* Validates p and frees it: reports double-free, invalid-free,
 * stale-pointer and heap-overflow (damaged redzones) itself.  Returns true
 * when the block was freed, false when the free was refused. */
bool lg_heap_free(void *p, lg_stack_id stack, uint32_t tid, const char *fn);
bool lg_heap_free_cached(lg_heap_cache *cache, void *p, lg_stack_id stack, uint32_t tid, const char *fn);

/* realloc of the live block b to size bytes: b's own address when it was
 * resized in place (its old redzones checked, its allocation stack now
 * stack; meanwhile claimed as a free claims it, so a racing free is a
 * double free), else a new block (NULL when none could be had) into which
 * the caller copies the contents before freeing b. */
void *lg_heap_realloc_cached(lg_heap_cache *cache, const lg_block *b, size_t size, lg_stack_id stack, uint32_t tid);
/* Same, with the site a moved block counts under (see lg_heap_alloc_site). */
void *lg_heap_realloc_site(lg_heap_cache *cache, const lg_block *b, size_t size, lg_stack_id stack, uintptr_t site,
                           uint32_t tid);

/* A cache for a new thread, from a pool (NULL if none can be had), and its
 * return when the thread ends: its slots go back to their classes. */
lg_heap_cache *lg_heap_cache_acquire(void);
void lg_heap_cache_release(lg_heap_cache *cache);

/* The block holding addr, anywhere from its slot start to its slot end
 * (redzones included), whatever its state.  False if addr is not in a
 * slot ever handed out. */
bool lg_heap_find(uintptr_t addr, lg_block *out);

/* The live block whose user bytes [user, user+size] contain addr (one past
 * the end counts, as C allows such pointers).  For leak scans. */
bool lg_heap_find_live(uintptr_t addr, lg_block *out);

/* Starts loading the metadata of the block at p into the CPU cache, so a
 * free that first captures a stack does not wait for it afterwards. */
void lg_heap_prefetch(const void *p);

/* For a fault at addr: the block whose slot (or large mapping) holds it,
 * else the nearest block within max_distance bytes of its user bytes,
 * whatever its state.  Takes no lock it could wait for. */
bool lg_heap_find_near(uintptr_t addr, size_t max_distance, lg_block *out);

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


/* Adds a block's free stack (when free_title is not NULL) and allocation
 * stack to a report, each with the thread that ran it. */
void lg_heap_report_stacks(lg_report *r, const lg_block *b, const char *free_title, const char *alloc_title);

/* Adds to a report the freed block a poison value (qtag) came from. */
typedef enum lg_stale_source {
    LG_STALE_FOUND,     /* *out is the freed block the value was read from */
    LG_STALE_FORGOTTEN, /* it has left the quarantine's memory */
    LG_STALE_REUSED,    /* its memory was reused since */
} lg_stale_source;
lg_stale_source lg_heap_stale_block(uint32_t qtag, lg_block *out);

/* Redzone and poison checks of every block, for exit. */
void lg_heap_check_all(void);
/* The same, reading only redzones readable() accepts (the program may have
 * made part of a live block inaccessible); readable may be NULL. */
typedef bool (*lg_heap_readable_fn)(uintptr_t lo, uintptr_t hi);
void lg_heap_check_all_where(lg_heap_readable_fn readable);

/* Fork: hold every heap lock across fork(). */
void lg_heap_lock_all(void);
void lg_heap_unlock_all(void);
/* In a forked child, right after fork(): blocks born below birth and
 * blocks quarantined before now are the parent's.  The exit checks verify
 * them only where changed(lo, hi) says their memory may have changed since
 * the fork (NULL: nowhere); the child's own are checked as always. */
typedef bool (*lg_heap_changed_fn)(uintptr_t lo, uintptr_t hi);
void lg_heap_after_fork_child(uint64_t birth, lg_heap_changed_fn changed);
/* Whether a live block was born at or after birth (for a child's leak scan). */
bool lg_heap_any_live_born_since(uint64_t birth);
/* lg_heap_lock_all, giving up after ns: false, and nothing held, when some
 * lock stayed taken that long (a thread stopped, by a debugger or a
 * blocking signal handler, inside the allocator). */
bool lg_heap_lock_all_within(uint64_t ns);

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
#define LG_QTAG_BITS LG_CFG_QTAG_BITS
bool lg_quarantine_init(void);
uint32_t lg_quarantine_reserve(lg_heap_cache *cache); /* a tag for a block about to be freed */
/* bytes: what the block holds back (its slot), counted against quarantine_mb. */
void lg_quarantine_publish(lg_heap_cache *cache, uint32_t qtag, uint32_t size_class, uint32_t slot, size_t bytes);
/* Adds a cache's pending quarantined bytes to the quarantine's total. */
void lg_quarantine_flush(lg_heap_cache *cache);
/* Which block a tag named, if the ring still remembers it. */
bool lg_quarantine_lookup(uint32_t qtag, uint32_t *size_class, uint32_t *slot);
void lg_quarantine_drain(void);      /* verify and recycle everything (exit) */
void lg_quarantine_lock(void);
bool lg_quarantine_trylock(void);
void lg_quarantine_unlock(void);

/* One evicted block, as the quarantine hands it back to the heap. */
typedef struct lg_evicted {
    uint32_t size_class, slot, qtag;
} lg_evicted;
#define LG_EVICT_BATCH 32
/* The heap's side of an eviction: verify the poison of each block, make
 * its slot reusable (into cache when there is one).  Returns the bytes the
 * blocks held, as lg_quarantine_publish counted them. */
size_t lg_heap_recycle(const lg_evicted *blocks, uint32_t count, lg_heap_cache *cache);
/* The same for blocks a forked child inherited in the quarantine: their
 * poison verified only where their memory changed since the fork, their
 * slots left out of use (the parent's to reuse).  Returns their bytes. */
size_t lg_heap_verify_inherited(const lg_evicted *blocks, uint32_t count);
void lg_quarantine_after_fork_child(void);

/* ---- internal to the heap: a block's birth --------------------------------
 * Every field of a block's metadata an allocation (or a realloc in place)
 * sets, but its state, which the caller publishes after the redzones, and
 * its qtag and free-list link, which belong to its last free. */
static inline void lg_block_meta_born(lg_block_meta *m, size_t size, uintptr_t offset, lg_stack_id stack, uint32_t tid,
                                      uint64_t birth)
{
    m->alloc_stack = stack;
    m->free_stack = 0;
    __atomic_store_n(&m->size, (uint32_t)size, __ATOMIC_RELAXED); /* read by lookups of other threads */
    m->offset = (uint16_t)offset;
    __atomic_store_n(&m->flags, 0, __ATOMIC_RELAXED);
    m->alloc_tid = tid;
    m->free_tid = 0;
    m->birth = birth;
}

/* The redzone every small block has at least on each side. */
static inline size_t lg_heap_min_redzone(void)
{
    return lg_opt.redzone < 16 ? 16 : (lg_opt.redzone + 15) & ~(size_t)15;
}

/* ---- internal to the heap: large blocks (lg_heap_large.c) -----------------
 * Blocks too big for a class, a mapping each, guard pages around them.
 * headroom: capacity to keep reserved past the block for a realloc to
 * grow into (realloc's blocks). */
void *lg_large_alloc(size_t size, size_t align, lg_stack_id stack, uint32_t tid, uint64_t birth, size_t headroom);
void lg_large_to_block(uint32_t index, lg_block *out);
bool lg_large_may_hold(uintptr_t addr); /* fast, no lock */
bool lg_large_find(uintptr_t addr, lg_block *out);
bool lg_large_find_held(uintptr_t addr, lg_block *out); /* the caller holds the large lock, or stopped the world */
/* For a fault, without waiting for a lock: the block whose mapping holds
 * addr (*inside), else its neighbours by address.  Returns how many. */
uint32_t lg_large_around(uintptr_t addr, lg_block out[2], bool *inside);
/* Free: the pages made inaccessible; returns the block's weight in the
 * quarantine.  Release, out of the quarantine: the mapping cached for
 * reuse or unmapped; returns the same weight, as lg_large_weight does. */
size_t lg_large_free(const lg_block *b);
size_t lg_large_release(uint32_t index);
size_t lg_large_weight(uint32_t index);
bool lg_large_fits(const lg_block *b, size_t size); /* whether a realloc to size can stay */
/* The caller has claimed the block (lg_heap_realloc_cached). */
bool lg_large_resize(const lg_block *b, size_t size, lg_stack_id stack, uint32_t tid, uint64_t birth);
void lg_large_each_live(lg_block_visit_fn visit, void *ctx);
void lg_large_each_live_locked(lg_block_visit_fn visit, void *ctx);
void lg_large_lock(void);
bool lg_large_trylock(void);
void lg_large_unlock(void);

/* ---- internal to the heap: the guarded tier (lg_heap_guard.c) ----------
 * Blocks on pages of their own, their end against an inaccessible page,
 * made inaccessible while in quarantine (option guard). */
bool lg_guard_init(void);
bool lg_guard_owns(uintptr_t addr);
/* Whether this allocation is to be guarded, and on which side of the block
 * the guard page is (align 0: malloc's default).  The slow half of the
 * decision: with a cache, asked only when lg_guard_due (below) says so. */
enum { LG_GUARD_NO = 0, LG_GUARD_END = 1, LG_GUARD_START = 2 };
uint32_t lg_guard_wanted(lg_heap_cache *cache, size_t size, size_t align, uintptr_t site);
void *lg_guard_alloc(lg_heap_cache *cache, uint32_t side, size_t size, size_t align, lg_stack_id stack, uint32_t tid,
                     uint64_t birth); /* NULL: not possible */
/* Its pages made inaccessible, their memory given back: at once, or (a
 * thread's frees in quick succession under guard=all) poisoned now and
 * made inaccessible with the thread's next ones, guard_batch at most. */
void lg_guard_free(lg_heap_cache *cache, const lg_block *b);
/* At an eviction, before lg_guard_release: true if the block's pages were
 * still waiting in its freer's batch; they are the caller's then, to
 * verify (its poison) and close with lg_guard_close_freed. */
bool lg_guard_take_pending(const lg_block *b);
void lg_guard_close_freed(const lg_block *b);
/* A freed block's poison verified: a change is a write-after-free
 * (lg_heap.c), found at its eviction or as its guarded batch closed. */
void lg_heap_verify_freed(const lg_block *b);
void lg_heap_verify_batched(const lg_block *b);
void lg_guard_release(uint32_t slot);    /* out of quarantine: reusable */
/* A cache's waiting frees closed and its slots given back (its thread ends). */
void lg_guard_cache_release(lg_heap_cache *cache);
/* For a fault the suppressions hide, at addr near block b: makes what it
 * touched accessible as an ordinary block's memory would be (a freed
 * guarded or large block's pages, with its poison; a live guarded block's
 * guard page, checked as a redzone at its free: under access's stack when
 * the fault was not a read).  False: nothing to open (addr is farther, or
 * the kernel refused). */
bool lg_guard_reopen(const lg_block *b, uintptr_t addr, lg_stack_id access, bool read);
/* At a guarded block's free, before its free stack is set: a guard page
 * lg_guard_reopen opened is checked as a redzone and closed again. */
void lg_guard_close(const lg_block *b, lg_stack_id stack, uint32_t tid, const char *when);
void lg_guard_to_block(uint32_t slot, lg_block *out);
bool lg_guard_find(uintptr_t addr, lg_block *out); /* no lock */
bool lg_guard_find_near(uintptr_t addr, size_t max_distance, lg_block *out);
void lg_guard_each_live(lg_block_visit_fn visit, void *ctx);
void lg_guard_lock_all(void);
void lg_guard_unlock_all(void);
/* Live guarded blocks, their data pages' bytes, guarded allocations ever. */
void lg_guard_stats(size_t *blocks, size_t *bytes, size_t *total);
/* The summary's guarded_allocations (lock-free: a fatal fault's handler
 * records it before its last flush, the exit checks at exit). */
void lg_guard_summary(void);

/* ---- internal to the heap: classes and thread caches (lg_heap_cache.c) -- */
#define LG_CLASS_COUNT 51
#define LG_GUARD_CLASSES 33 /* guarded classes: 1..33 data pages (lg_heap_guard.c) */
#define LG_GUARD_RUN 32     /* slots of a guarded class a thread takes at once */
#define LG_CACHE_SLOTS 32 /* reusable slots a cache keeps per class */
struct lg_heap_cache {
    uint32_t count[LG_CLASS_COUNT];
    uint32_t slots[LG_CLASS_COUNT][LG_CACHE_SLOTS];
    lg_atomic_u64 allocs, frees; /* not yet added to the heap's totals */
    uint64_t pending_bytes;   /* quarantined bytes not yet added to the quarantine's total */
    uint64_t birth_next, birth_end; /* births reserved from the clock (lg_heap.c) */
    uint32_t birth_epoch;     /* the checkpoint epoch they were reserved in */
    uint32_t guard_countdown; /* allocations until lg_guard_wanted is asked anyway (0: at the next) */
    uint32_t guard_spent;     /* first uses it guarded (guard=sites; guard=all: blocks it guarded) */
    bool guard_first_open;    /* it may guard more first uses now (guard=sites) */
    /* guard=all: freed guarded blocks waiting to be made inaccessible in
     * one call, and slots of each guarded class taken from it in runs, so
     * that a thread's blocks lie side by side (lg_heap_guard.c). */
    uint32_t guard_pending;
    bool guard_streak;        /* its last allocator call freed a guarded block */
    uint32_t guard_pending_slot[LG_GUARD_BATCH_MAX];
    uint8_t guard_run_count[LG_GUARD_CLASSES];
    uint32_t guard_run[LG_GUARD_CLASSES][LG_GUARD_RUN];
    lg_heap_cache *next_free; /* in the pool */
    bool in_use;
};

/* The guarded tier's decision, inline on every allocation with a cache:
 * whether to ask lg_guard_wanted.  Yes when the thread's countdown runs
 * out (a sampled allocation, or time to renew its budget of first uses;
 * guard=all keeps it at 1, guard=off at its maximum), and while the thread
 * may guard first uses, when the site has had fewer than guard_first
 * guarded (a hashed byte table; lg_guard_first is 0 unless guard=sites). */
#define LG_GUARD_SITE_BITS 16
extern uint8_t *lg_guard_site_seen; /* 1 << LG_GUARD_SITE_BITS counts, shared with forked children */
extern uint8_t lg_guard_first;

/* A stack id is the depot's index of its innermost frame, handed out in
 * order: taken as it is, a short process's sites share the table's first
 * page or two (each page it touches is a fault), and
 * no two of the first 64 Ki ids share a count.  A code address (stacks=0)
 * keeps its low bits: call sites within 64 KiB of code never share one. */
static inline uint32_t lg_guard_site_index(uintptr_t site)
{
    uint32_t folded = (uint32_t)site ^ (uint32_t)((uint64_t)site >> 32); /* a stack id, or a code address */
    return folded & ((1u << LG_GUARD_SITE_BITS) - 1);
}

/* A run's table of first uses (lg_guard_file.h), shared by every image of
 * every process of the run: counts (1 << LG_GUARD_RUN_BITS bytes) and the
 * key that names a site the same in each (a hash of its code by module and
 * offset).  From then on a site's first uses are guarded once a run: when
 * this process meets a site for the first time, the run's count decides.
 * Called once, at start-up, before other threads exist. */
void lg_guard_share_run(uint8_t *counts, uint32_t (*key)(uintptr_t site));
/* Moves the counts into a mapping shared with the children forked from
 * here on (once, while first uses are counted; called before each fork). */
void lg_guard_share_family(void);

/* The table moves once, at a fork, while other threads may be reading it. */
static inline uint8_t *lg_guard_site_table(void)
{
    return __atomic_load_n(&lg_guard_site_seen, __ATOMIC_RELAXED);
}

static inline bool lg_guard_due(lg_heap_cache *cache, uintptr_t site)
{
    if (LG_UNLIKELY(!cache)) return true;
    uint32_t left = cache->guard_countdown;
    if (LG_UNLIKELY(left <= 1)) return true;
    cache->guard_countdown = left - 1;
    return cache->guard_first_open && lg_guard_site_table()[lg_guard_site_index(site)] < lg_guard_first;
}
/* Takes up to want reusable slots of class c (free list first, then
 * never-used slots) under the class lock.  Returns how many. */
uint32_t lg_heap_class_take(uint32_t c, uint32_t *out, uint32_t want);
/* Gives count slots of class c back to its free list under the class lock;
 * their state must already be LG_BLOCK_FREE. */
void lg_heap_class_give(uint32_t c, const uint32_t *slots, uint32_t count);
void lg_heap_cache_pool_lock(void);
bool lg_heap_cache_pool_trylock(void);
void lg_heap_cache_pool_unlock(void);
/* Adds every cache's pending counts to allocs and frees (for statistics). */
void lg_heap_cache_totals(uint64_t *allocs, uint64_t *frees);

struct lg_heap_stats {
    uint64_t live_blocks, live_bytes;
    uint64_t quarantined_blocks, quarantined_bytes;
    uint64_t total_allocs, total_frees;
};
void lg_heap_stats(struct lg_heap_stats *out);

/* ---- for the leak scan (src/runtime/rt_leaks*.c) --------------------------
 * Lookups and a walk for a caller that holds every heap lock
 * (lg_heap_lock_all): they take none themselves.  The scan's private block
 * flags use the two high bits of lg_block_meta.flags. */
#define LG_BLOCK_LEAK_INDIRECT 0x40 /* reachable from another leaked block */
#define LG_BLOCK_LEAK_GROUPED 0x80  /* counted in a leak finding's group */
bool lg_heap_find_locked(uintptr_t addr, lg_block *out);      /* lg_heap_find */
bool lg_heap_find_live_locked(uintptr_t addr, lg_block *out); /* lg_heap_find_live */
void lg_heap_each_live_locked(lg_block_visit_fn visit, void *ctx); /* a forked child: see each_live_changed */
void lg_heap_range(uintptr_t *lo, uintptr_t *hi); /* the small classes' reserved range */
void lg_guard_range(uintptr_t *lo, uintptr_t *hi); /* the guarded tier's (lo == hi: none) */

/* ---- for bench/: what the heap holds (LIFEGUARD_RSS_MAP, rt_malloc_rss.c) --
 * The bytes each state of the size classes' slots holds, and every range
 * the heap maps, to set beside their resident pages.  Reads the metadata
 * without locks: for a process at its exit, other threads idle. */
typedef struct lg_heap_use {
    uint64_t blocks;
    uint64_t user;     /* bytes asked for */
    uint64_t redzones; /* the minimum redzone on each side */
    uint64_t rounding; /* the rest of their slots: class rounding, alignment */
    uint64_t meta;     /* their lg_block_meta */
} lg_heap_use;
typedef struct lg_heap_class_use {
    uint32_t slot_size;
    uintptr_t slots_lo, slots_hi;   /* its committed slots */
    uintptr_t tables_lo, tables_hi; /* its metadata and free-id table, as mapped */
    lg_heap_use live, quarantined;
    lg_heap_use reusable; /* out of the quarantine: in the class's free ids or a thread cache */
    uint64_t untouched;   /* slots committed but never handed out */
} lg_heap_class_use;
void lg_heap_class_usage(uint32_t c, lg_heap_class_use *out);
/* The ring's mapping; the bytes the quarantine counts against its bound
 * now and at most (when an eviction began), and the bound. */
void lg_quarantine_use(uintptr_t *ring_lo, uintptr_t *ring_hi, int64_t *counted, int64_t *peak, int64_t *limit);
/* Each large block's mapping (guard pages included) by the state of its
 * block, and the mappings the cache keeps; under the large lock, so fn
 * must not allocate.  tables: the records' and the sorted index's ranges. */
enum { LG_LARGE_MAP_LIVE, LG_LARGE_MAP_QUARANTINED, LG_LARGE_MAP_CACHED };
typedef void (*lg_large_map_fn)(uintptr_t lo, uintptr_t hi, int kind, void *ctx);
void lg_large_each_mapping(lg_large_map_fn fn, void *ctx);
void lg_large_tables(uintptr_t tables[2][2]);
/* The thread caches' pool chunks as [start, end) pairs; returns how many. */
size_t lg_heap_cache_chunks(uintptr_t (*out)[2], size_t cap);

#endif
