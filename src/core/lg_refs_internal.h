/* lg_refs_internal.h — what the reference tracker's files share: its
 * records, the sharded table that holds them, and the helpers that name
 * and describe them in findings.
 *
 *   lg_refs_store.c     shards, record pools, types, the heap-block index
 *   lg_refs.c           the annotations: birth, get, put, destroy
 *   lg_refs_describe.c  objects and their holders written into a finding
 *   lg_refs_graph.c     exit: leaked objects and the cycles that keep them
 *   lg_refs_check.c     lg_expect_freed and checkpoints
 *   lg_refs_causes.c    the "root causes" list: each culprit site once, with its findings */
#ifndef LG_REFS_INTERNAL_H
#define LG_REFS_INTERNAL_H

#include "lg_heap.h"
#include "lg_refs.h"

#define REFS_SHARD_BITS 6
#define REFS_SHARDS (1u << REFS_SHARD_BITS)
#define REFS_GRAVE_SLOTS 512u  /* dead objects remembered per shard */
#define REFS_IDLE_HOLDERS 16u  /* holder records at count 0 kept per object */
#define REFS_MAX_SITES 16u     /* call stacks remembered per holder */
#define REFS_TYPE_NAME 48
#define REFS_LABEL 32          /* lg_object_name's text, with its NUL */
#define REFS_WEAK_BUCKETS 1024u /* weak slots per shard: chains beyond */

typedef struct refs_type {
    uint32_t hash;
    uint32_t len;
    lg_atomic_u64 next_id;
    char name[REFS_TYPE_NAME];
} refs_type;

/* One call stack's gets and puts by one holder of one object.  `live` is
 * how many of its gets are still outstanding: a put is charged to the site
 * of the holder's most recent get that is still outstanding. */
typedef struct refs_site {
    struct refs_site *next;
    lg_stack_id stack;
    uint32_t live;
    uint64_t gets, puts;
} refs_site;

/* One reference taken with lg_ref_get_token: its put is charged to the
 * site of exactly this get.  Carved from the site pool. */
typedef struct refs_token {
    struct refs_token *next;
    uint64_t token;
    lg_stack_id stack;
} refs_token;
_Static_assert(sizeof(refs_token) <= sizeof(refs_site), "tokens share the site pool");

/* A weak slot (lg_weak_set): in the shard of the slot's address. */
typedef struct refs_weak {
    struct refs_weak *hnext;
    uintptr_t slot, obj;
    uint64_t obj_birth;  /* which life of obj it was registered for */
    lg_stack_id set;     /* the registration */
    uint8_t reported;
} refs_weak;

/* What one holder (0: anonymous) holds of one object.  What a plain get
 * or put writes comes first, in one cache line (the sites and tokens, when
 * there are any, in the next); records are line-aligned, so two threads'
 * holders of one object never share a line. */
typedef struct refs_holder {
    uintptr_t obj, holder;
    int64_t count;
    uint64_t gets, puts;
    uint64_t get_calls, put_calls; /* lg_ref_get/put calls counted here (the summary's); the
                                      shard's counters take them when the record goes */
    lg_stack_id last_get, last_put;
    /* ---- sites and tokens */
    struct refs_holder *hnext; /* the shard's holder hash chain */
    struct refs_holder *next;  /* the object's list */
    refs_site *sites;          /* most recently acquired first; put-only sites last */
    uint64_t other_gets, other_puts; /* sites folded away when over REFS_MAX_SITES */
    uint32_t other_live, nsites;
    refs_token *tokens;        /* lg_ref_get_token's references still outstanding */
    refs_token *spare_tokens;  /* records of tokens handed back, for the next ones */
    /* ---- */
    uint64_t next_token;       /* its tokens: a block of the shard's (0: none yet) */
    /* One outstanding token kept here, beside the counter, instead of in a
     * record: a holder that takes and hands back one token at a time writes
     * no line of the pool's under the object's lock. */
    uint64_t slot_token;       /* 0: the slot is free */
    lg_stack_id slot_stack;    /* its get's stack */
    uint8_t tokens_used;       /* its puts say which get they return: no pairing by paths */
    uint32_t exit_src;         /* exit analysis: index + 1 of the object that is this holder */
} __attribute__((aligned(64))) refs_holder;
_Static_assert(offsetof(refs_holder, next_token) / 64 == offsetof(refs_holder, slot_stack) / 64,
               "a token get or put writes one line of its holder beyond a plain one's");
_Static_assert(offsetof(refs_holder, last_put) + sizeof(lg_stack_id) <= 64 &&
                   offsetof(refs_holder, put_calls) + sizeof(uint64_t) <= 64,
               "a plain get/put writes one line of its holder");

enum refs_obj_flags {
    OBJ_IMPLICIT = 1,     /* first seen in lg_ref_get, never lg_object_new'd */
    OBJ_GROWTH_SEEN = 2,  /* ref-growth already reported */
    OBJ_IN_GRAVE = 4,     /* in its shard's graveyard ring */
    OBJ_GAF_SEEN = 8,     /* ref-get-after-free already reported */
    OBJ_PAF_SEEN = 16,    /* a put after its destruction already reported */
    OBJ_SAT_SEEN = 32,    /* ref-saturated already reported */
};

#define REFS_MEMO 2u /* holder records memoised per object */

/* One life of an object.  Its lock guards what a get or put reads and
 * writes: the count, the memo, the holder records and their sites.  The
 * first cache line holds all that the get/put path writes, the lock
 * among it: two threads on one object pass one line between them.
 * Everything else is written only under the shard's lock (and the
 * object's, for the state), so a reader holding the shard lock sees it
 * whole.  `lock`, `addr` and `hnext` are never cleared when the record is
 * reused: a look-up without the shard lock may be reading them (below). */
typedef struct refs_obj {
    int64_t count;        /* first: the pool's free list reuses it */
    uintptr_t memo_holder[REFS_MEMO]; /* keys of memo (0 is a key: anonymous) */
    struct refs_holder *memo[REFS_MEMO]; /* NULL: empty; most recent first */
    lg_stack_id last_put;
    uint32_t nidle;
    lg_lock_t lock;
    uintptr_t addr;
    /* ---- */
    struct refs_obj *hnext;
    uint8_t state, flags;
    uint8_t linked;       /* in its shard's table (a look-up without the lock may hold a freed one) */
    refs_holder *holders;
    uint32_t nholders;
    uint32_t grave_seq;
    const refs_type *type;
    uint64_t id, birth;
    lg_stack_id birth_stack, zero_put, destroy;
    uintptr_t block;      /* user address of the heap block it lives in, 0: none */
    uint64_t block_birth; /* that block's birth: a later block at the address is a new life */
    uint32_t mark;        /* exit analysis: index + 1 */
    char label[REFS_LABEL]; /* lg_object_name, "" when unnamed */
} __attribute__((aligned(64))) refs_obj;
_Static_assert(offsetof(refs_obj, addr) + sizeof(uintptr_t) <= 64, "a get/put writes one line of its object");
_Static_assert(offsetof(refs_obj, count) == 0, "the pool's free list link overwrites only the count");
_Static_assert(offsetof(refs_obj, addr) == offsetof(refs_obj, lock) + sizeof(lg_lock_t) &&
                   offsetof(refs_obj, hnext) == offsetof(refs_obj, addr) + sizeof(uintptr_t),
               "lock, addr and hnext are one span, kept when the record is reused");

typedef struct refs_grave {
    refs_obj *obj;
    uint32_t seq;
} refs_grave;

/* One shard: its lock (taken to add or remove records, and by every call
 * the object's lock alone cannot serve), and the tables.  A get or put on
 * a known object reads `objs` and `obj_mask` without the lock: a bucket
 * array is never unmapped (one that grew is kept, as big as all before
 * it), and records are pooled, never unmapped either. */
typedef struct refs_shard {
    /* Read by every get and put; written only when the table grows. */
    refs_obj **objs;
    uint32_t obj_mask;               /* buckets - 1; 0 before the first use */
    /* ---- the lock and what the shard's path writes: another line */
    lg_lock_t lock __attribute__((aligned(64)));
    uint32_t holder_mask;
    refs_holder **holders;
    uint64_t gets, puts, unknown_puts; /* calls not counted in a live holder record */
    /* ---- */
    uint32_t nobjs, nholders;
    void *free_objs, *free_holders, *free_sites, *free_weaks;
    refs_weak **weaks;   /* REFS_WEAK_BUCKETS, mapped at the first lg_weak_set */
    uint64_t token_blocks;     /* blocks of 2^32 tokens given to holder records */
    char *chunk;
    size_t chunk_left;
    refs_grave *grave;
    uint32_t grave_head, grave_len, grave_seq;
    uint64_t born, alive;
} __attribute__((aligned(64))) refs_shard;
_Static_assert(offsetof(refs_shard, lock) >= offsetof(refs_shard, obj_mask) + sizeof(uint32_t) &&
                   offsetof(refs_shard, lock) % 64 == 0,
               "the look-up's table is not in the lock's line");

extern refs_shard refs_shards[REFS_SHARDS];

static inline uint64_t refs_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* An address's hash picks its shard (top bits) and its bucket there (low
 * bits): the get/put path computes it once. */
static inline refs_shard *refs_shard_at(uint64_t hash)
{
    return &refs_shards[hash >> (64 - REFS_SHARD_BITS)];
}

static inline refs_shard *refs_shard_of(uintptr_t addr)
{
    return refs_shard_at(refs_mix(addr));
}

/* refs_obj_find with the address's hash already computed (under the lock). */
static inline refs_obj *refs_obj_lookup(refs_shard *s, uintptr_t addr, uint64_t hash)
{
    if (LG_UNLIKELY(!s->objs)) return NULL;
    refs_obj *o = s->objs[hash & s->obj_mask];
    while (o && o->addr != addr) o = o->hnext;
    return o;
}

#define REFS_PEEK_STEPS 16u /* a longer chain, or one being rebuilt: the locked look-up */

/* The first record of addr's chain, and the record at addr, looked up
 * without the shard's lock: hints only.
 * The chains may be rebuilt meanwhile (the record missed) and the record
 * freed or reused (the caller locks it, then checks `linked` and `addr`).
 * A mask is published after its array, so an array is never indexed
 * past its end. */
static inline refs_obj *refs_obj_peek_head(refs_shard *s, uint64_t hash)
{
    uint32_t mask = __atomic_load_n(&s->obj_mask, __ATOMIC_ACQUIRE);
    refs_obj **buckets = __atomic_load_n(&s->objs, __ATOMIC_ACQUIRE);
    return LG_LIKELY(buckets != NULL) ? __atomic_load_n(&buckets[hash & mask], __ATOMIC_ACQUIRE) : NULL;
}

static inline refs_obj *refs_obj_peek(refs_shard *s, uintptr_t addr, uint64_t hash)
{
    refs_obj *o = refs_obj_peek_head(s, hash);
    for (uint32_t steps = 0; o && steps < REFS_PEEK_STEPS; steps++) {
        if (__atomic_load_n(&o->addr, __ATOMIC_RELAXED) == addr) return o;
        o = __atomic_load_n(&o->hnext, __ATOMIC_ACQUIRE);
    }
    return NULL;
}

/* ---- lg_refs_store.c: the caller holds the shard's lock ------------------ */
refs_obj *refs_obj_find(refs_shard *s, uintptr_t addr);
/* Zeroed but for addr, and locked (its lock); NULL: out of memory. */
refs_obj *refs_obj_add(refs_shard *s, uintptr_t addr);
/* Unlinks and frees it and its holders; the caller holds its lock, which
 * this releases. */
void refs_obj_remove(refs_shard *s, refs_obj *o);
/* Calls visit on each of the shard's objects; visit must not remove any. */
void refs_each_obj(refs_shard *s, void (*visit)(refs_obj *o, void *ctx), void *ctx);
refs_holder *refs_holder_find(refs_shard *s, const refs_obj *o, uintptr_t holder);
refs_holder *refs_holder_add(refs_shard *s, refs_obj *o, uintptr_t holder); /* also memoised */
/* Puts h first in o's memo of holders. */
static inline void refs_memo_put(refs_obj *o, refs_holder *h)
{
    _Static_assert(REFS_MEMO == 2, "the memo shifts one entry");
    o->memo_holder[1] = o->memo_holder[0];
    o->memo[1] = o->memo[0];
    o->memo_holder[0] = h->holder;
    o->memo[0] = h;
}

/* refs_holder_find through o's memo (the get/put path). */
static inline refs_holder *refs_holder_of(refs_shard *s, refs_obj *o, uintptr_t holder)
{
    for (uint32_t i = 0; i < REFS_MEMO; i++)
        if (o->memo_holder[i] == holder && o->memo[i]) return o->memo[i];
    refs_holder *h = refs_holder_find(s, o, holder);
    if (h) refs_memo_put(o, h);
    return h;
}
void refs_holder_remove(refs_shard *s, refs_obj *o, refs_holder *h);
refs_site *refs_site_alloc(refs_shard *s);
refs_token *refs_token_alloc(refs_shard *s);
refs_weak *refs_weak_find(refs_shard *s, uintptr_t slot);
refs_weak *refs_weak_add(refs_shard *s, uintptr_t slot); /* zeroed but for slot; NULL: out of memory */
void refs_weak_remove(refs_shard *s, refs_weak *w);
/* Remembers a dead object; the oldest one is forgotten when the ring is full. */
void refs_grave_push(refs_shard *s, refs_obj *o);
void refs_grave_cancel(refs_obj *o); /* a dead object came back to life */
void refs_shard_reset(refs_shard *s);

const refs_type *refs_type_intern(const char *name);
void refs_type_lock(void);
void refs_type_unlock(void);
extern const refs_type *refs_implicit_type;

/* Heap blocks that hold objects: block user address -> object addresses.
 * Its locks are taken after a shard's lock, never before one. */
void refs_block_add(uintptr_t block, uintptr_t obj);
void refs_block_remove(uintptr_t block, uintptr_t obj);
/* Takes up to max object addresses out of the block's entries into objs;
 * returns how many (call again until 0). */
size_t refs_block_take(uintptr_t block, uintptr_t *objs, size_t max);
/* The first object address recorded in the block, 0 if none. */
uintptr_t refs_block_first(uintptr_t block);
bool refs_block_any(void); /* whether any block holds an object (fast) */
void refs_block_lock_all(void);
void refs_block_unlock_all(void);
void refs_block_reset(void);

void *refs_map(size_t bytes); /* lg_pal_map, counted */
void refs_unmap(void *p, size_t bytes);
uint64_t refs_bytes_mapped(void);

/* ---- lg_refs_describe.c: under the shard lock (`own`; NULL: all of them) -- */
/* "Task#3", or 'net_device#3 "eth0"' when named, into buf. */
const char *refs_name(const refs_obj *o, char *buf, size_t cap);
/* Who holder is: the tracked object it is or lives in ("Task#3 (0x...)"),
 * else its address and memory.  A holder in another shard whose lock is
 * busy is named by address only.  in_report: the caller is building a
 * finding (the report lock is held), so the platform may describe memory. */
void refs_describe_holder_addr(uintptr_t holder, refs_shard *own, bool in_report, char *buf, size_t cap);
/* The rest needs a finding being built (the report lock held). */
void refs_report_object(lg_report *r, const refs_obj *o); /* also starts its budget of 8 holder stacks */
/* o's outstanding references: one entry per named holder, one per
 * acquisition stack for anonymous ones; the max largest holders. */
void refs_report_holders(lg_report *r, const refs_obj *o, refs_shard *own, uint32_t max);
/* One holder record's entry (anonymous ones: one entry per acquisition stack). */
void refs_report_holder(lg_report *r, refs_holder *h, refs_shard *own);
/* The max busiest acquisition sites of o over all holders, as notes. */
void refs_report_top_sites(lg_report *r, const refs_obj *o, refs_shard *own, uint32_t max);
/* Whether a suppression matches either stack (for findings built with no
 * de-duplication key).  Takes the report lock: not while building one. */
bool refs_suppressed(lg_kind kind, lg_stack_id a, lg_stack_id b);
/* The function a stack was called from: its innermost frame that is not a
 * refcount helper (named *_get, *_put, *_ref, lg_ref* ...), or "?". */
const char *refs_stack_function(lg_stack_id stack);
/* A function name without the compiler's clone suffixes (.constprop.N,
 * .isra.N, .part.N, .cold ...): the name itself, or a copy kept for good. */
const char *refs_clean_function(const char *fn);
/* lg_refcount_helper and the ref_helpers option: functions whose callers
 * name a site.  Thread-safe. */
void refs_helper_add(const char *name, size_t len);

/* ---- lg_refs_balance.c: under the holder's shard lock ----------------------- */
typedef struct refs_balance_site {
    refs_site *site;
    uint64_t released;  /* of its gets, how many the pairing gave a put */
    uint32_t depth;     /* the deepest common caller it was paired at */
    const char *where;  /* that caller's function, NULL: none in common */
} refs_balance_site;

typedef struct refs_balance {
    refs_balance_site sites[REFS_MAX_SITES]; /* in the holder's site order */
    uint32_t n;
    bool ambiguous;     /* too few puts for sites tied at one depth */
} refs_balance;

/* Pairs h's puts with its gets by shared call paths and sets each site's
 * `live` (outstanding gets) from the result. */
void refs_balance_holder(refs_holder *h, refs_balance *out);
/* Whether fn is a refcount helper (a site is named after its caller). */
bool refs_is_helper(const char *fn);

/* The stack that took the references an object still has outstanding: the
 * biggest holder's live acquisition (its birth when none). */
lg_stack_id refs_culprit_stack(const refs_obj *o);
/* The references of o still outstanding that were taken at stack. */
uint64_t refs_live_at(const refs_obj *o, lg_stack_id stack);
/* A finding just reported (lg_report_end) that `culprit` explains, with the
 * references it left; listed at exit by refs_causes_report when a run has
 * several.  subject: "Task#1" or "Task#4 (+6 alike)". */
void refs_cause_note(lg_stack_id culprit, uint64_t refs, lg_kind kind, const char *subject);
void refs_causes_report(void);
/* One culprit site, and the first findings it explains. */
#define REFS_CAUSE_LISTED 6
typedef struct refs_cause {
    const char *function; /* the symbol table's name: lives as long as the module */
    uint64_t refs;
    uint32_t findings, listed;
    uint32_t number[REFS_CAUSE_LISTED];   /* the finding's number in the run */
    lg_kind kind[REFS_CAUSE_LISTED];
    char subject[REFS_CAUSE_LISTED][48];  /* "Task#1", "Task#4 (+6 alike)" */
} refs_cause;
/* The "root causes" list, text only, most references first (lg_finding_refs_exit.c). */
void refs_causes_write(const refs_cause *causes, uint32_t n, uint32_t noted);
void refs_causes_forget(void); /* fork child */

/* ---- findings: the detectors fill a record, lg_finding_refs.c words it ---- */
/* What is known of one life of the object at an address (state 0: none). */
typedef struct refs_view {
    uint8_t state;
    uint64_t birth;
    lg_stack_id destroy, zero_put, birth_stack;
    char name[80];
} refs_view;

/* One finding about a reference or an object, as the detector saw it.  The
 * detector holds `shard`'s lock (NULL: every lock, or none for the weak
 * slot's and the expectation's views). */
typedef struct refs_finding {
    lg_kind kind;
    lg_stack_id stack;          /* the operation: get, put, destroy, use, lg_expect_freed */
    refs_obj *obj;              /* the object (ref-saturated: NULL when untracked, at addr) */
    uintptr_t addr;
    refs_shard *shard;
    uintptr_t holder;           /* get, put, move: who */
    const refs_holder *record;  /* ref-put-unheld: that holder's record, if it ever held one */
    bool moved;                 /* ref-put-unheld: lg_ref_move handed the reference over */
    const char *destroyed_by;   /* ref-freed-while-held: lg_object_free, free ... */
    int64_t named, anon;        /* ... the references still held, named and anonymous */
    lg_stack_id destroy;        /* where obj was destroyed (0: not known) */
    int saturation;             /* ref-saturated: enum lg_refs_saturation */
    const char *why;            /* still-alive: lg_expect_freed's reason; checkpoint-leak: the
                                   checkpoint's name (the program's words) */
    const refs_type *type;      /* checkpoint-leak: a group of these objects born since (NULL: blocks) */
    uint64_t count, bytes;
    uintptr_t first;            /* ... its earliest born object or block */
    size_t first_size;
    const uint64_t *ids;        /* ... the ids of its first objects (at most REFS_NAMES_SHOWN) */
    lg_stack_id born;           /* ... its birth or allocation stack: the key */
    uintptr_t slot;             /* ref-weak-stale: the slot, its registration, */
    const refs_weak *weak;
    const refs_view *registered, *reached; /* the object it was registered for, the one reached */
} refs_finding;

#define REFS_NAMES_SHOWN 8u  /* objects named in a list, then "…" */
#define REFS_CYCLE_SHOWN 32u /* members written into one ref-cycle finding */
#define REFS_EDGES_SHOWN 8u  /* references along a cycle described with their holders */

void refs_finding_report(const refs_finding *f);

/* A ref-leak or ref-cycle of the exit report (lg_refs_graph.c found it,
 * every shard lock held); lg_finding_refs_exit.c words it.  The lists are
 * indexes into the exit graph's objects. */
typedef struct refs_exit_finding {
    lg_kind kind;
    refs_obj *const *objs;
    uint32_t obj;               /* ref-leak: the root; ref-cycle: its first member */
    bool alone;                 /* ref-leak without the graph (no memory for it): the object alone */
    lg_stack_id culprit;        /* the stack that took the references (ref-cycle: the one closing it) */
    const uint32_t *similar;    /* ref-leak: the roots leaked the same way (type, culprit) */
    uint32_t nsimilar;
    bool cyclic;                /* ref-leak: the root is also a cycle's member */
    uint32_t nkept;             /* the objects kept alive only through it, */
    uint32_t kept[REFS_NAMES_SHOWN]; /* ... the first of them */
    const uint32_t *path;       /* ref-cycle: the members in holding order */
    uint32_t len, members;      /* ... how many, and in its strongly connected group */
    const uint8_t *flags;       /* ... flags[path[k]] & root_flag: also held from outside */
    uint8_t root_flag;
    const refs_holder *edges[REFS_EDGES_SHOWN]; /* ... path[k]'s reference to path[k + 1] (NULL: none) */
    uint32_t oldest;            /* ... the oldest member, and its reference from the member before */
    const refs_holder *oldest_edge;
    uint32_t nalike;            /* ... cycles of the same shape, the first of them: */
    struct {
        uint32_t len;
        uint32_t shown[4];
    } alike[REFS_NAMES_SHOWN];
} refs_exit_finding;

void refs_exit_finding_report(const refs_exit_finding *f);

/* ---- lg_refs.c --------------------------------------------------------------- */
/* Destroys o (its stack: stack): reports ref-freed-while-held when others
 * still hold it.  `how` says what destroyed it, for the finding. */
void refs_destroy(refs_shard *s, refs_obj *o, lg_stack_id stack, const char *how);
bool refs_obj_is_alive(const refs_obj *o); /* not destroyed, counted or in a live block */
/* The LG_BLOCK_OBJECT flag of the live heap block at block (its user
 * address): set, the leak scan leaves the block to the tracker. */
void refs_flag_block(uintptr_t block, bool holds_object);
/* Clears it when the block no longer holds a tracked object. */
void refs_unmark_block(uintptr_t block);

/* In a forked child: the birth tick of the fork (0: not a child). */
extern uint64_t refs_fork_birth;

/* All shard locks, in order (exit analysis, fork), and no get or put
 * under an object's lock alone until refs_unlock_shards: what the tracker
 * holds is then all still. */
void refs_lock_shards(void);
void refs_unlock_shards(void);
/* An object's lock, for a reader of its count or holders that holds only
 * its shard's lock (NULL: none). */
static inline void refs_obj_lock(refs_obj *o)
{
    if (o) lg_lock(&o->lock);
}

static inline void refs_obj_unlock(refs_obj *o)
{
    if (o) lg_unlock(&o->lock);
}

#endif
