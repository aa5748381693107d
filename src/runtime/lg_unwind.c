/* lg_unwind.c — stack capture: the per-return-address rule table, the fast
 * walk through it, the thread's stack bounds, and the entry points.
 *
 * Almost every x86-64 frame is described by three facts: the CFA (the
 * caller's rsp) is rsp+N or rbp+N (or, after gcc's stack realignment,
 * [rbp+N]); the return address is at CFA-8; rbp is unchanged or saved at a
 * known place.  Those facts are kept per return address in 64 bits, in one
 * flat table; the walk keeps only rip, rsp and rbp.  Frames that need more
 * (signal trampolines, PLT stubs, other registers) go to lg_cfi_walk for
 * the rest of the stack. */
#define _GNU_SOURCE
#include "lg_unwind.h"
#include "lg_cfi.h"
#include "../platform/lg_linux_modules.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define LG_TLS __attribute__((tls_model("initial-exec")))
#define LG_LIKELY(x) __builtin_expect(!!(x), 1)
#define LG_UNLIKELY(x) __builtin_expect(!!(x), 0)

typedef uintptr_t __attribute__((may_alias)) lg_word;

/* ---- the thread's stack ------------------------------------------------------ */

#define LG_OTHER_STACKS 4

/* The frames of the thread's last walks (see the walk). */
#define LG_MEMO_FRAMES 96
#define LG_MEMO_SP_BITS 8

typedef struct lg_unw_frames {
    uintptr_t pc[LG_MEMO_FRAMES], sp[LG_MEMO_FRAMES];
    uint64_t rule[LG_MEMO_FRAMES];
} lg_unw_frames;

/* The memo's frames are kept outermost first (slot 0 is the outermost):
 * a walk that joins it at another depth than the last one rewrites only
 * its own inner frames, and the frames above them stay where they are.
 * Frame i of the walk order (innermost first) is slot n - 1 - i. */
typedef struct lg_unw_memo {
    uint32_t n, gen;
    uintptr_t lo; /* the stack it was on */
    lg_unw_frames f; /* by slot */
    /* rsp_run[s]: how many slots from s down (s, s-1, ...) have rsp's rule
     * (CFA = rsp+N): a replay climbs them checking return addresses only. */
    uint8_t rsp_run[LG_MEMO_FRAMES];
    /* hash[s]: lg_unwind_hash's running hash of slots 0..s, outermost first:
     * a walk's frames are the memo's slots from some s up, and the hash of a
     * range of slots comes from two of these (see lg_unwind_hash). */
    uint64_t hash[LG_MEMO_FRAMES];
    /* A frame's slot by a hash of its sp: a hint, checked against sp and pc. */
    uint8_t at_sp[1u << LG_MEMO_SP_BITS];
} lg_unw_memo;

/* The rules of the walks' first frames, by return address (see the walk):
 * 16 sets of 2, a set chosen by a hash of the address's low 12 bits (the
 * same in every run, whatever the load address: modules are mapped at page
 * boundaries).  With 8 sets chosen by (pc ^ pc >> 5) & 7, a change of the
 * runtime's code layout elsewhere put its own first frames in one set:
 * refs_bench's pair went from 2130 to 2327 instructions (round 5). */
#define LG_HEAD_FRAMES 3
#define LG_HEAD_SET_BITS 4

typedef struct lg_unw_head {
    uint64_t key, rule; /* key: the return address with the generation, as the table's */
} lg_unw_head;

typedef struct lg_unw_thread {
    uintptr_t lo, hi; /* the thread's stack; hi == 0 until known */
    uintptr_t olo[LG_OTHER_STACKS], ohi[LG_OTHER_STACKS]; /* signal, coroutine stacks */
    uint32_t onext;
    uint64_t hits, slow_frames, head_frames;
    lg_unw_memo memo;     /* the walks so far, as one stack */
    uint32_t memo_walk;   /* the last walk's frames: the memo's first ones (0: unknown) */
    bool repeated;        /* the last walk's stack was the one before's */
    const uintptr_t *last_pcs; /* lg_unwind_hash: of the last walk's pcs, hashed when asked */
    uint32_t last_n;
    lg_unw_frames own[2]; /* a walk's frames the memo does not have, innermost first; [1]: a nested walk's scratch */
    bool walking;         /* a walk is in progress: a nested one (a signal) leaves the memo alone */
    lg_unw_head head[2u << LG_HEAD_SET_BITS]; /* rsp rules only; written and read by walks that are not nested */
} lg_unw_thread;

/* Each thread's state lives in a mapping of its own, not in __thread:
 * glibc carves a preloaded library's static TLS out of every thread's
 * stack, and with 8 KiB of memo there pthread_create refused the small
 * stacks a program may ask for (EINVAL; rt_stack.c has the rest).  Mapped
 * at the thread's first walk; NULL when the mapping was refused. */
static __thread lg_unw_thread *lg_unw_me LG_TLS;

static __attribute__((noinline)) lg_unw_thread *lg_unw_attach(void)
{
    void *p = mmap(NULL, sizeof(lg_unw_thread), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    lg_unw_me = p;
    return p;
}

static inline lg_unw_thread *lg_unw_self(void)
{
    lg_unw_thread *t = lg_unw_me;
    return LG_LIKELY(t != NULL) ? t : lg_unw_attach();
}

void lg_unwind_thread_end(void)
{
    lg_unw_thread *t = lg_unw_me;
    if (!t) return;
    lg_unw_me = NULL; /* first: a signal's walk from here on maps a state of its own */
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    munmap(t, sizeof(lg_unw_thread));
}

extern void *__libc_stack_end; /* ld.so's: the main stack's top at exec */

/* One line of /proc/self/maps: "lo-hi perms offset dev inode   path". */
static bool lg_unw_line_holds(const char *s, const char *end, uintptr_t addr, uintptr_t *lo, uintptr_t *hi,
                              bool *main_stack)
{
    uintptr_t a, b;
    if (!lg_maps_hex(&s, end, &a) || s == end || *s++ != '-' || !lg_maps_hex(&s, end, &b)) return false;
    if (addr - a >= b - a) return false;
    *lo = a;
    *hi = b;
    *main_stack = end - s >= 7 && end[-7] == '[' && end[-6] == 's' && end[-5] == 't' && end[-1] == ']';
    return true;
}

/* The mapping that holds addr, read with system calls into a stack buffer:
 * this runs inside malloc, so no stdio and no pthread_getattr_np. */
static bool lg_unw_mapping_of(uintptr_t addr, uintptr_t *lo, uintptr_t *hi, bool *main_stack)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[1024];
    size_t have = 0;
    bool found = false, skipping = false;
    while (!found) {
        long got = syscall(SYS_read, fd, buf + have, sizeof buf - have);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        have += (size_t)got;
        size_t start = 0;
        for (size_t i = 0; i < have && !found; i++) {
            if (buf[i] != '\n') continue;
            if (!skipping) found = lg_unw_line_holds(buf + start, buf + i, addr, lo, hi, main_stack);
            skipping = false;
            start = i + 1;
        }
        if (found) break;
        if (start == 0 && have == sizeof buf) { /* a long path: the addresses are in the head */
            if (!skipping) found = lg_unw_line_holds(buf, buf + have, addr, lo, hi, main_stack);
            skipping = true;
            have = 0;
            continue;
        }
        for (size_t i = start; i < have; i++) buf[i - start] = buf[i];
        have -= start;
    }
    syscall(SYS_close, fd);
    return found;
}

static uintptr_t lg_unw_stack_limit(void)
{
    struct rlimit rl;
    if (syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &rl) != 0) return (uintptr_t)8 << 20;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1ull << 32)) return (uintptr_t)1 << 32;
    return (uintptr_t)rl.rlim_cur;
}

static void lg_unw_find_thread_stack(lg_unw_thread *t, uintptr_t sp)
{
    uintptr_t lo, hi, limit = lg_unw_stack_limit();
    bool main_stack = false;
    if (lg_unw_mapping_of(sp, &lo, &hi, &main_stack)) {
        /* The main stack grows on demand, down to the rlimit. */
        if (main_stack && hi - lo < limit && hi > limit) lo = hi - limit;
    } else if (syscall(SYS_gettid) == syscall(SYS_getpid)) {
        hi = ((uintptr_t)__libc_stack_end + 4096) & ~(uintptr_t)4095;
        lo = hi > limit ? hi - limit : 0;
    } else {
        /* No /proc: glibc keeps the thread descriptor at its stack's top. */
        __asm__("mov %%fs:0, %0" : "=r"(hi));
        lo = hi > limit ? hi - limit : 0;
    }
    if (sp - lo >= hi - lo) { /* nothing believable: this frame only */
        lo = sp;
        hi = sp + 16;
    }
    t->lo = lo;
    t->hi = hi;
}

/* The stack range holding sp in m->lo[0]..hi[0]; in [1], where a signal frame
 * may lead: the thread's stack, or the last other stack seen. */
static bool lg_unw_mem_for(lg_unw_thread *t, uintptr_t sp, lg_stack_mem *m)
{
    if (LG_UNLIKELY(!t->hi)) lg_unw_find_thread_stack(t, sp);
    uint32_t last = (t->onext - 1) % LG_OTHER_STACKS;
    if (sp - t->lo < t->hi - t->lo) {
        *m = (lg_stack_mem){{t->lo, t->olo[last]}, {t->hi, t->ohi[last]}};
        return true;
    }
    int k = 0;
    for (; k < LG_OTHER_STACKS; k++)
        if (sp - t->olo[k] < t->ohi[k] - t->olo[k]) break;
    if (k == LG_OTHER_STACKS) {
        uintptr_t lo, hi;
        bool main_stack;
        if (!lg_unw_mapping_of(sp, &lo, &hi, &main_stack)) return false;
        k = (int)(t->onext++ % LG_OTHER_STACKS);
        t->olo[k] = lo;
        t->ohi[k] = hi;
    }
    *m = (lg_stack_mem){{t->olo[k], t->lo}, {t->ohi[k], t->hi}};
    return true;
}

void lg_unwind_set_thread_stack(uintptr_t lo, uintptr_t hi)
{
    lg_unw_thread *t = lg_unw_self();
    if (!t) return;
    t->lo = lo;
    t->hi = hi;
}

/* ---- the rule table ------------------------------------------------------------
 * One flat table of (return address, rule), direct-mapped: a lookup is one
 * hash, one slot, one compare.  Lock-free: a slot holds {key ^ rule, rule},
 * where the key is the return address with the table's generation in its
 * top 16 bits (user-space addresses are below 2^47); a reader that sees half
 * of a concurrent write, or a rule of an older generation, computes a key
 * that does not match, and misses.  lg_unwind_invalidate bumps the
 * generation.  Two return addresses that share a slot take turns in it
 * (each miss costs a lookup in the unwind tables); the table is large
 * enough that a program's hot addresses rarely do.  It starts at its first
 * 1024 slots (16 KiB): a short process then does not fault in pages of
 * all 1 MiB, each twice (read as the zero page, then written); after as
 * many misses as those slots the whole table is used (rules cached at the
 * small table's places are looked for at the large one's, and refilled). */
enum { K_NONE, K_RSP, K_RBP, K_RBP_DEREF, K_LAST, K_SLOW };  /* CFA rule, or what to do */
enum { B_SAME, B_AT_CFA, B_AT_RBP };                          /* where the caller's rbp is */

#define GEN_BITS 11
#define GEN_MASK ((1u << GEN_BITS) - 1)
#ifndef LG_UNW_TABLE_BITS
#define LG_UNW_TABLE_BITS 16 /* 65536 slots, 1 MiB (tests/unwind also builds it with 2) */
#endif
_Static_assert(LG_MEMO_FRAMES <= 255, "memo indices are bytes");
_Static_assert(GEN_BITS <= 16, "the generation lives in the key's top 16 bits");

typedef struct lg_unw_slot {
    uint64_t keyx, rule;
} lg_unw_slot;

static lg_unw_slot lg_unw_table[1u << LG_UNW_TABLE_BITS] __attribute__((aligned(64)));
#define LG_UNW_FIRST_SLOTS (LG_UNW_TABLE_BITS < 10 ? 1u << LG_UNW_TABLE_BITS : 1u << 10)
static uint32_t lg_unw_slot_mask = LG_UNW_FIRST_SLOTS - 1; /* the slots in use */
/* In a forked child, rules it learns go to the first slots only (a miss
 * looks there before the unwind tables): each written page of the table is
 * a page copied from the parent's, and the child's misses, on paths the
 * parent never walks, would copy pages all over it. */
static bool lg_unw_forked;
static uint32_t lg_unw_gen = 1;   /* 1..GEN_MASK */
static uint64_t lg_unw_subs_seen; /* dlpi_subs + 1 at the last miss; 0: none yet */
static uint64_t lg_unw_misses, lg_unw_invalidations;

static inline uint64_t lg_unw_pack(unsigned kind, unsigned bkind, uint32_t gen, int64_t boff, int64_t cfa_off)
{
    return kind | bkind << 3 | (uint64_t)(gen & GEN_MASK) << 5 | (uint64_t)(uint16_t)boff << 16 |
           (uint64_t)(uint32_t)cfa_off << 32;
}

static inline uint64_t lg_unw_key(uintptr_t pc, uint32_t gen)
{
    return pc ^ (uint64_t)gen << 48;
}

static inline uint32_t lg_unw_index(uintptr_t pc)
{
    return (uint32_t)((pc * 0x9e3779b97f4a7c15ull) >> (64 - LG_UNW_TABLE_BITS));
}

static inline lg_unw_slot *lg_unw_slot_of(uintptr_t pc)
{
    return &lg_unw_table[lg_unw_index(pc) & __atomic_load_n(&lg_unw_slot_mask, __ATOMIC_RELAXED)];
}

/* Where a rule is written: its slot, or in a forked child its first slot. */
static inline lg_unw_slot *lg_unw_home_of(uintptr_t pc)
{
    return lg_unw_forked ? &lg_unw_table[lg_unw_index(pc) & (LG_UNW_FIRST_SLOTS - 1)] : lg_unw_slot_of(pc);
}

/* The rule for key in slot s, or 0. */
static inline uint64_t lg_unw_get_at(const lg_unw_slot *s, uint64_t key)
{
    uint64_t rule = __atomic_load_n(&s->rule, __ATOMIC_RELAXED);
    uint64_t keyx = __atomic_load_n(&s->keyx, __ATOMIC_RELAXED);
    return (keyx ^ rule) == key ? rule : 0;
}

static inline uint64_t lg_unw_get(uintptr_t pc, uint64_t key)
{
    return lg_unw_get_at(lg_unw_slot_of(pc), key);
}

static void lg_unw_put(uintptr_t pc, uint64_t rule, uint32_t gen)
{
    lg_unw_slot *s = lg_unw_home_of(pc);
    __atomic_store_n(&s->rule, rule, __ATOMIC_RELAXED);
    __atomic_store_n(&s->keyx, lg_unw_key(pc, gen) ^ rule, __ATOMIC_RELAXED);
}

void lg_unwind_after_fork_child(void)
{
    lg_unw_forked = true;
}

void lg_unwind_invalidate(void)
{
    uint32_t gen = __atomic_load_n(&lg_unw_gen, __ATOMIC_RELAXED);
    uint32_t next = gen % GEN_MASK + 1;
    if (next == 1) { /* the generations wrap: old rules could look current */
        for (uint32_t i = 0; i < (1u << LG_UNW_TABLE_BITS); i++) {
            __atomic_store_n(&lg_unw_table[i].rule, 0, __ATOMIC_RELAXED);
            __atomic_store_n(&lg_unw_table[i].keyx, 0, __ATOMIC_RELAXED);
        }
    }
    __atomic_compare_exchange_n(&lg_unw_gen, &gen, next, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    __atomic_fetch_add(&lg_unw_invalidations, 1, __ATOMIC_RELAXED);
}

/* The cached form of a row, or K_SLOW when it does not fit. */
static uint64_t lg_unw_rule_of(const lg_cfi_frame *f, uint32_t gen)
{
    const lg_cfi_row *row = &f->row;
    const lg_cfi_loc *ra = &row->reg[LG_X_RIP], *bp = &row->reg[LG_X_RBP];
    uint64_t slow = lg_unw_pack(K_SLOW, 0, gen, 0, 0);
    if (f->ra_reg != LG_X_RIP || f->signal_frame) return slow;
    if (ra->how == LG_LOC_UNDEF) return lg_unw_pack(K_LAST, 0, gen, 0, 0);
    if (ra->how != LG_LOC_AT || ra->off != -8 || row->reg[LG_X_RSP].how != LG_LOC_UNSPEC) return slow;

    uint8_t reg;
    int64_t off;
    bool deref;
    unsigned kind;
    if (row->cfa.how == LG_LOC_CFA_REG && row->cfa.reg == LG_X_RSP) kind = K_RSP;
    else if (row->cfa.how == LG_LOC_CFA_REG && row->cfa.reg == LG_X_RBP) kind = K_RBP;
    else if (row->cfa.how == LG_LOC_CFA_EXPR && lg_cfi_expr_is_breg(row->cfa.expr, row->cfa.off, &reg, &off, &deref) &&
             reg == LG_X_RBP && deref && off == (int32_t)off)
        kind = K_RBP_DEREF;
    else return slow;
    int64_t cfa_off = kind == K_RBP_DEREF ? off : row->cfa.off;

    unsigned bkind;
    int64_t boff = 0;
    if (bp->how == LG_LOC_UNSPEC || bp->how == LG_LOC_SAME) {
        bkind = B_SAME;
    } else if (bp->how == LG_LOC_AT) {
        bkind = B_AT_CFA;
        boff = bp->off;
    } else if (bp->how == LG_LOC_AT_EXPR && lg_cfi_expr_is_breg(bp->expr, bp->off, &reg, &off, &deref) &&
               reg == LG_X_RBP && !deref) {
        bkind = B_AT_RBP;
        boff = off;
    } else {
        return slow;
    }
    if (boff != (int16_t)boff) return slow;
    return lg_unw_pack(kind, bkind, gen, boff, cfa_off);
}

/* A miss: look the return address up in the unwind tables and cache it. */
static __attribute__((noinline)) uint64_t lg_unw_fill(uintptr_t pc, uint32_t *gen)
{
    if (lg_unw_forked) {
        uint64_t rule = lg_unw_get_at(lg_unw_home_of(pc), lg_unw_key(pc, *gen));
        if (rule) return rule;
    }
    lg_cfi_frame f;
    lg_cfi_modcount count;
    int rc = lg_cfi_lookup(pc - 1, &f, &count);
    if (__atomic_fetch_add(&lg_unw_misses, 1, __ATOMIC_RELAXED) == LG_UNW_FIRST_SLOTS)
        __atomic_store_n(&lg_unw_slot_mask, (1u << LG_UNW_TABLE_BITS) - 1, __ATOMIC_RELAXED);
    lg_unw_me->hits--; /* the walk counts every frame (the walk has a state) */
    if (count.valid) {
        /* A module went away since the last miss: its rules may now be
         * wrong for whatever is mapped there. */
        uint64_t seen = __atomic_load_n(&lg_unw_subs_seen, __ATOMIC_RELAXED);
        if (seen != count.subs + 1 &&
            __atomic_compare_exchange_n(&lg_unw_subs_seen, &seen, count.subs + 1, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED) &&
            seen != 0)
            lg_unwind_invalidate();
        *gen = __atomic_load_n(&lg_unw_gen, __ATOMIC_RELAXED);
    }
    if (rc == LG_CFI_NO_MODULE) return lg_unw_pack(K_LAST, 0, *gen, 0, 0); /* garbage: not worth a slot */
    uint64_t rule = rc == LG_CFI_OK ? lg_unw_rule_of(&f, *gen) : lg_unw_pack(K_LAST, 0, *gen, 0, 0);
    lg_unw_put(pc, rule, *gen);
    return rule;
}

/* ---- the walks ------------------------------------------------------------------- */

static __attribute__((noinline)) uint32_t lg_unw_handoff(lg_unw_thread *t, uintptr_t pc, uintptr_t sp, uintptr_t bp,
                                                         bool bp_ok, uintptr_t lo, uintptr_t hi, uintptr_t *pcs,
                                                         uint32_t max)
{
    lg_stack_mem m;
    if (lo == t->lo) {
        uint32_t last = (t->onext - 1) % LG_OTHER_STACKS;
        m = (lg_stack_mem){{lo, t->olo[last]}, {hi, t->ohi[last]}};
    } else {
        m = (lg_stack_mem){{lo, t->lo}, {hi, t->hi}};
    }
    lg_cfi_regs r = {.known = 1u << LG_X_RIP | 1u << LG_X_RSP | (uint32_t)bp_ok << LG_X_RBP};
    r.r[LG_X_RIP] = pc;
    r.r[LG_X_RSP] = sp;
    r.r[LG_X_RBP] = bp;
    return lg_cfi_walk(&r, false, 0, &m, pcs, max, &t->slow_frames);
}

/* lg_unwind_hash: each frame rotates the hash and adds its pc in (two
 * instructions; the walk's chain of loads is longer than this one), mixed
 * at the end with the count. */
static inline uint64_t lg_unw_hash_step(uint64_t h, uintptr_t pc)
{
    return (h << 7 | h >> 57) ^ pc;
}

static inline uint64_t lg_unw_hash_end(uint64_t h, uint32_t n)
{
    h = (h + n) * 0x9e3779b97f4a7c15ull;
    return h ^ h >> 29;
}

static inline uint32_t lg_unw_sp_hash(uintptr_t sp)
{
    return (uint32_t)((sp * 0x9e3779b97f4a7c15ull) >> (64 - LG_MEMO_SP_BITS));
}

static inline void lg_unw_own(lg_unw_frames *own, uint32_t *n, uintptr_t pc, uintptr_t sp, uint64_t rule)
{
    uint32_t i = *n;
    if (i >= LG_MEMO_FRAMES) return;
    own->pc[i] = pc;
    own->sp[i] = sp;
    own->rule[i] = rule;
    *n = i + 1;
}

/* The memo's frames in slots from down to to go to the walk's own frames
 * (the walk left the memo after them). */
static void lg_unw_own_memo(lg_unw_frames *own, uint32_t *n, const lg_unw_memo *memo, uint32_t from, uint32_t to)
{
    for (uint32_t s = from + 1; s-- > to;) lg_unw_own(own, n, memo->f.pc[s], memo->f.sp[s], memo->f.rule[s]);
}

/* The walk's frames become the memo: its own frames [0, own_n), then, when
 * it ended inside the memo, the memo's first tail_n slots, from the one it
 * joined last outward (those above the walk's last frame were not checked
 * by it, but are the callers of a frame it checked as they were when a
 * walk did: as good a guess as any, and only a guess, as every use of the
 * memo checks a return address).  Those slots are kept where they are. */
/* Inlined into both entries' walks: gcc 12 kept it out of line in one of
 * them, which cost that one's captures 47 instructions (unwind_bench). */
static inline __attribute__((always_inline)) void lg_unw_commit(lg_unw_memo *m, const lg_unw_frames *own,
                                                                uint32_t own_n, uint32_t tail_n, uint32_t gen,
                                                                uintptr_t lo)
{
    uint32_t n;
    if (own_n + tail_n > LG_MEMO_FRAMES) {
        /* The outermost frames go: the others move down, their slots change. */
        uint32_t keep = LG_MEMO_FRAMES - own_n, drop = tail_n - keep;
        lg_unw_frames *f = &m->f;
        for (uint32_t i = 0; i < keep; i++) {
            f->pc[i] = f->pc[drop + i];
            f->sp[i] = f->sp[drop + i];
            f->rule[i] = f->rule[drop + i];
            m->at_sp[lg_unw_sp_hash(f->sp[i])] = (uint8_t)i;
            uint8_t run = m->rsp_run[drop + i];
            m->rsp_run[i] = run > i + 1 ? (uint8_t)(i + 1) : run; /* the slots it counted below i are gone */
            m->hash[i] = lg_unw_hash_step(i ? m->hash[i - 1] : 0, f->pc[i]);
        }
        tail_n = keep;
    }
    n = own_n + tail_n;
    /* One loop for the copy and the hash (no call to memcpy for a few
     * frames), outermost first so that an inner frame wins a shared hash. */
    uint32_t run = tail_n ? m->rsp_run[tail_n - 1] : 0;
    uint64_t h = tail_n ? m->hash[tail_n - 1] : 0;
    for (uint32_t i = own_n; i-- > 0;) {
        uint32_t s = n - 1 - i;
        uintptr_t sp = own->sp[i];
        uint64_t rule = own->rule[i];
        m->f.pc[s] = own->pc[i];
        m->f.sp[s] = sp;
        m->f.rule[s] = rule;
        m->at_sp[lg_unw_sp_hash(sp)] = (uint8_t)s;
        run = (rule & 7) == K_RSP ? run + 1 : 0;
        m->rsp_run[s] = (uint8_t)run;
        h = lg_unw_hash_step(h, own->pc[i]);
        m->hash[s] = h;
    }
    m->n = n;
    m->gen = gen;
    m->lo = lo;
}

/* The set of pc: its way 0 is the one filled last. */
static inline lg_unw_head *lg_unw_head_of(lg_unw_thread *t, uintptr_t pc)
{
    return &t->head[2 * (((uint32_t)(pc & 4095) * 0x9e3779b1u) >> (32 - LG_HEAD_SET_BITS))];
}

/* Whether a rule can be taken by the walk's first frames' short step: the
 * CFA at rsp+N, rbp unchanged or saved at the CFA (bkind's high bit clear). */
_Static_assert(B_SAME == 0 && B_AT_CFA == 1 && B_AT_RBP == 2, "the head's rules are told by one mask");
static inline bool lg_unw_head_rule(uint64_t rule)
{
    return (rule & (7 | 2 << 3)) == K_RSP;
}

/* The last walk's pcs are not the memo's (a walk that wrote no memo: cut
 * short before it began, or a signal handler's nested one): lg_unwind_hash
 * hashes the array and lg_unwind_repeated says no, as the header promises.
 * A nested walk may write these: the walk it interrupted writes them again
 * at its end (and its memo_walk of 0 makes that walk's repeated false,
 * which costs a store, never a wrong id). */
static inline void lg_unw_not_memo(lg_unw_thread *t, const uintptr_t *pcs, uint32_t n)
{
    t->last_pcs = pcs;
    t->last_n = n;
    t->memo_walk = 0;
    t->repeated = false;
}

/* What a walk reads when there is no memo to follow. */
static const lg_unw_memo lg_unw_no_memo;

/* Where the caller's rbp is, once the caller's frame (cfa) is known. */
static inline void lg_unw_step_bp(uint64_t rule, uintptr_t cfa, uintptr_t lo, uintptr_t hi, uintptr_t *bp, bool *bp_ok)
{
    unsigned bkind = (rule >> 3) & 3;
    if (bkind == B_AT_CFA || (bkind == B_AT_RBP && *bp_ok)) {
        uintptr_t at = (bkind == B_AT_CFA ? cfa : *bp) + (int16_t)(rule >> 16);
        *bp_ok = at - lo <= hi - lo - 8;
        if (*bp_ok) *bp = *(const lg_word *)at;
    }
}

/* rbp after the replay of the memo's frames in slots inner down to outer
 * (inner > 0): set by the outermost of them that restores it, if any
 * (scanned from there, as most replayed frames leave rbp alone).  A
 * frame's CFA is its caller's sp, one slot down. */
static inline void lg_unw_replay_bp(const lg_unw_frames *f, uint32_t inner, uint32_t outer, uintptr_t lo,
                                    uintptr_t hi, uintptr_t *bp, bool *bp_ok)
{
    uint32_t s = outer;
    while (s < inner && ((f->rule[s] >> 3) & 3) == B_SAME) s++;
    if (s == inner && ((f->rule[s] >> 3) & 3) == B_SAME) return;
    if (((f->rule[s] >> 3) & 3) == B_AT_CFA) {
        lg_unw_step_bp(f->rule[s], f->sp[s - 1], lo, hi, bp, bp_ok);
        return;
    }
    for (uint32_t i = inner + 1; i-- > outer;) lg_unw_step_bp(f->rule[i], f->sp[i - 1], lo, hi, bp, bp_ok);
}

/* The walk from a caller's frame: pc its return address, sp its CFA... of
 * the callee, i.e. the caller's rsp, bp the caller's rbp.
 *
 * The thread's memo holds the frames of its last walks, outermost first by slot:
 * consecutive walks in a thread mostly climb the same outer frames.  A
 * frame the memo has (the same return address at the same stack address,
 * found by a hash of sp) takes its rule from there: a rule depends on the
 * return address alone, so the memo can make the walk fast, never wrong.
 * From a frame the memo left by rsp alone (CFA = rsp+N), the walk needs no
 * rule and no arithmetic, for the caller's frame is where the memo has it:
 * it replays the memo's frames, one load and one compare each, for as long
 * as their return addresses are the same and their rules are rsp's.  Those
 * loads do not wait for each other.  The memo is rewritten in place: a
 * walk that joins it and stays in it to the end writes only its own inner
 * frames. */
static inline __attribute__((always_inline)) uint32_t lg_unw_fast_walk(uintptr_t pc, uintptr_t sp, uintptr_t bp,
                                                                       uintptr_t *pcs, uint32_t max)
{
    lg_unw_thread *t = lg_unw_self();
    if (LG_UNLIKELY(!t)) {
        pcs[0] = pc;
        return 1;
    }
    uintptr_t lo = t->lo, hi = t->hi;
    if (LG_UNLIKELY(sp - lo >= hi - lo)) {
        lg_stack_mem m;
        if (!lg_unw_mem_for(t, sp, &m)) {
            pcs[0] = pc;
            lg_unw_not_memo(t, pcs, 1);
            return 1;
        }
        lo = m.lo[0];
        hi = m.hi[0];
    }
    uint32_t gen = __atomic_load_n(&lg_unw_gen, __ATOMIC_RELAXED), first_gen = gen;
    uint64_t genkey = (uint64_t)gen << 48;
    /* A nested walk (a signal handler's) neither reads the memo nor writes
     * it: it may have interrupted a walk writing it. */
    bool nested = t->walking;
    t->walking = true;
    const lg_unw_memo *memo = &t->memo;
    if (nested || memo->gen != gen || memo->lo != lo) memo = &lg_unw_no_memo;
    const lg_unw_frames *mf = &memo->f;
    lg_unw_frames *own = &t->own[nested];
    uint32_t memo_n = memo->n, n = 0, own_n = 0;
    /* The walk is in the memo from slot region down to slot at (region ==
     * UINT32_MAX: it is not). */
    uint32_t region = UINT32_MAX, at = 0;
    bool bp_ok = true; /* as in lg_cfi_walk, an unreadable rbp slot makes rbp unknown */
#define LG_UNW_PUSH(v) (pcs[n++] = (v))
    for (;;) {
        LG_UNW_PUSH(pc);
        uint32_t slot = memo->at_sp[lg_unw_sp_hash(sp)];
        uint64_t rule;
        bool joined = slot < memo_n && mf->sp[slot] == sp && mf->pc[slot] == pc;
        if (LG_UNLIKELY(n == max)) {
            /* The last frame needs no rule; the memo keeps it, with rule
             * 0 (unknown) if it did not have it, so that a walk to the
             * same depth can replay up to it. */
            if (joined && (region == UINT32_MAX || slot + 1 == at)) {
                if (region == UINT32_MAX) region = slot;
                at = slot;
            } else {
                if (region != UINT32_MAX) lg_unw_own_memo(own, &own_n, memo, region, at);
                region = UINT32_MAX;
                lg_unw_own(own, &own_n, pc, sp, 0);
            }
            break;
        }
        if (joined && mf->rule[slot]) {
            if (LG_UNLIKELY(region != UINT32_MAX && slot + 1 != at)) {
                lg_unw_own_memo(own, &own_n, memo, region, at);
                region = UINT32_MAX;
            }
            if (region == UINT32_MAX) region = slot;
            at = slot;
            rule = mf->rule[slot];
            if ((rule & 7) == K_RSP && slot > 0) {
                /* Replay: this frame's CFA is the sp of the slot below;
                 * the frames above it are the memo's while their return
                 * addresses are, and are replayed while their rules are
                 * rsp's too.  rbp is brought up to date when it ends. */
                uint32_t from_slot = slot, room = max - n; /* the frame room slots down fills pcs */
                bool fills = slot >= room;
                uint32_t stop_slot = fills ? slot - room : 0;
                /* Slots from slot - 1 down to low have rsp's rule; the
                 * replay stops at the one below them, or at stop_slot. */
                uint32_t low = slot - memo->rsp_run[slot - 1];
                uint32_t bound = low > stop_slot + 1 ? low - 1 : stop_slot;
                uintptr_t cfa, up;
                for (;;) {
                    cfa = mf->sp[slot - 1];
                    up = ((const lg_word *)cfa)[-1];
                    slot--;
                    if (up != mf->pc[slot]) break;
                    if (LG_UNLIKELY(slot <= bound)) {
                        if (slot > stop_slot || !fills) break; /* a rule not rsp's; the memo's outermost frame */
                        LG_UNW_PUSH(up); /* the last frame: no rule needed */
                        at = slot;
                        goto walked;
                    }
                    LG_UNW_PUSH(up);
                }
                at = slot + 1;
                /* The replayed frames: from the joined one to the one below slot. */
                if (n + 1 < max) lg_unw_replay_bp(mf, from_slot, slot + 1, lo, hi, &bp, &bp_ok);
                pc = up;
                sp = cfa;
                if (!pc) break;
                continue;
            }
        } else {
            if (LG_UNLIKELY(region != UINT32_MAX)) {
                lg_unw_own_memo(own, &own_n, memo, region, at);
                region = UINT32_MAX;
            }
            /* The first frames of a capture are the runtime's own
             * (rt_capture, the allocator's entry or the tracker's): when
             * the program's depth changed since the last walk, or another
             * entry point was taken, they are not where the memo has them.
             * Their rules are rsp's: a per-thread cache by return address
             * gives each one a short step (no rule table, no choice between
             * rules).  A signal handler's walk leaves it alone. */
            lg_unw_head *h = n <= LG_HEAD_FRAMES && !nested ? lg_unw_head_of(t, pc) : NULL;
            /* Its own step, not the common one below: falling through
             * to it cost 17-24 instructions a capture more (callgrind,
             * unwind_bench, round 5). */
            if (h && (h[0].key == (pc ^ genkey) || h[1].key == (pc ^ genkey))) {
                rule = h[h[0].key != (pc ^ genkey)].rule;
                uintptr_t cfa = sp + (int64_t)(int32_t)(rule >> 32);
                if (LG_UNLIKELY(cfa <= sp || cfa - lo - 8 > hi - lo - 8)) break;
                if ((rule >> 3) & 3) { /* B_AT_CFA */
                    uintptr_t where = cfa + (int16_t)(rule >> 16);
                    bp_ok = where - lo <= hi - lo - 8;
                    if (bp_ok) bp = *(const lg_word *)where;
                }
                lg_unw_own(own, &own_n, pc, sp, rule);
                t->head_frames++;
                pc = ((const lg_word *)cfa)[-1];
                sp = cfa;
                if (!pc) break;
                continue;
            }
            rule = lg_unw_get(pc, pc ^ genkey);
            if (LG_UNLIKELY(!rule)) {
                rule = lg_unw_fill(pc, &gen);
                genkey = (uint64_t)gen << 48;
            }
            lg_unw_own(own, &own_n, pc, sp, rule);
            if (h && lg_unw_head_rule(rule)) {
                h[1] = h[0];
                h[0] = (lg_unw_head){pc ^ genkey, rule};
            }
        }

        /* The commonest rule, CFA = rsp+N with rbp unchanged, in a short
         * step; the others without a branch on which one. */
        if (LG_LIKELY((rule & (7 | 3 << 3)) == (K_RSP | B_SAME << 3))) {
            uintptr_t cfa = sp + (int64_t)(int32_t)(rule >> 32);
            if (cfa <= sp || cfa - lo - 8 > hi - lo - 8) break;
            pc = ((const lg_word *)cfa)[-1];
            sp = cfa;
            if (!pc) break;
            continue;
        }
        unsigned kind = rule & 7, bkind = (rule >> 3) & 3;
        int64_t off = (int32_t)(rule >> 32);
        uintptr_t cfa;
        if (LG_LIKELY(kind <= K_RBP)) {
            uintptr_t use_bp = -(uintptr_t)(kind == K_RBP);
            if (LG_UNLIKELY(use_bp & !bp_ok)) break;
            cfa = ((bp & use_bp) | (sp & ~use_bp)) + off;
        } else if (kind == K_RBP_DEREF) {
            if (!bp_ok || bp + off - lo > hi - lo - 8) break;
            cfa = *(const lg_word *)(bp + off);
        } else if (kind == K_SLOW) {
            n--; /* the slow walk pushes this frame again */
            uint32_t slow = lg_unw_handoff(t, pc, sp, bp_ok ? bp : 0, bp_ok, lo, hi, pcs + n, max - n);
            t->hits -= slow; /* counted in slow_frames */
            n += slow;
            break;
        } else {
            break;
        }
        /* The caller's frame is above this one, on this stack. */
        if (cfa <= sp || cfa - lo - 8 > hi - lo - 8) break;
        if (LG_LIKELY(bkind != B_AT_RBP)) {
            /* rbp saved at CFA+N, or unchanged (then the load is of the
             * return address's slot, and is not used). */
            uintptr_t restore = -(uintptr_t)(bkind == B_AT_CFA);
            uintptr_t slot = ((cfa + (int16_t)(rule >> 16)) & restore) | ((cfa - 8) & ~restore);
            if (LG_LIKELY(slot - lo <= hi - lo - 8)) {
                uintptr_t v = *(const lg_word *)slot;
                bp = (v & restore) | (bp & ~restore);
                bp_ok |= restore & 1;
            } else {
                bp_ok = false;
            }
        } else {
            lg_unw_step_bp(rule, cfa, lo, hi, &bp, &bp_ok);
        }
        pc = ((const lg_word *)cfa)[-1];
        sp = cfa;
        if (!pc) break;
    }
walked:
#undef LG_UNW_PUSH
    t->hits += n;
    if (!nested) {
        t->last_pcs = pcs;
        t->last_n = n;
        /* Rules of two generations must not mix: an invalidation drops them. */
        if (gen != first_gen || gen != __atomic_load_n(&lg_unw_gen, __ATOMIC_RELAXED)) {
            t->memo.n = own_n = 0;
            region = UINT32_MAX;
        }
        /* Every frame of the walk is in the memo, but after a handoff. */
        uint32_t in_memo = own_n + (region != UINT32_MAX ? region + 1 - at : 0);
        /* region == memo_n - 1: the walk joined the memo at its innermost frame. */
        t->repeated = own_n == 0 && region != UINT32_MAX && region + 1 == memo_n && in_memo == n && n == t->memo_walk;
        lg_unw_commit(&t->memo, own, own_n, region != UINT32_MAX ? region + 1 : 0, gen, lo);
        t->memo_walk = in_memo == n && n <= t->memo.n ? n : 0;
        t->walking = false;
    } else {
        lg_unw_not_memo(t, pcs, n);
    }
    return n;
}

/* Each entry has its copy of the walk (a call from one into the other cost
 * the allocator's captures 4-6 instructions each). */
__attribute__((noinline)) uint32_t lg_unwind_fast_from(uintptr_t pc, uintptr_t sp, uintptr_t bp, uintptr_t *pcs,
                                                       uint32_t max)
{
    if (!max) {
        lg_unw_thread *t = lg_unw_me; /* none yet: nothing to forget */
        if (t) lg_unw_not_memo(t, pcs, 0);
        return 0;
    }
    return lg_unw_fast_walk(pc, sp, bp, pcs, max);
}

__attribute__((noinline)) uint32_t lg_unwind_fast(uintptr_t *pcs, uint32_t max)
{
    if (!max) {
        lg_unw_thread *t = lg_unw_me;
        if (t) lg_unw_not_memo(t, pcs, 0);
        return 0;
    }
    /* This function keeps a frame pointer, so its frame is known exactly. */
    const lg_word *fp = __builtin_frame_address(0);
    return lg_unw_fast_walk(fp[1], (uintptr_t)(fp + 2), fp[0], pcs, max);
}

__attribute__((noinline)) uint32_t lg_unwind_slow(uintptr_t *pcs, uint32_t max)
{
    if (!max) return 0;
    lg_cfi_regs r;
    /* Every register, here: the walk starts by unwinding this very frame. */
    __asm__ volatile("movq %%rax, 0x00(%0)\n\t"
                     "movq %%rdx, 0x08(%0)\n\t"
                     "movq %%rcx, 0x10(%0)\n\t"
                     "movq %%rbx, 0x18(%0)\n\t"
                     "movq %%rsi, 0x20(%0)\n\t"
                     "movq %%rdi, 0x28(%0)\n\t"
                     "movq %%rbp, 0x30(%0)\n\t"
                     "movq %%rsp, 0x38(%0)\n\t"
                     "movq %%r8,  0x40(%0)\n\t"
                     "movq %%r9,  0x48(%0)\n\t"
                     "movq %%r10, 0x50(%0)\n\t"
                     "movq %%r11, 0x58(%0)\n\t"
                     "movq %%r12, 0x60(%0)\n\t"
                     "movq %%r13, 0x68(%0)\n\t"
                     "movq %%r14, 0x70(%0)\n\t"
                     "movq %%r15, 0x78(%0)\n\t"
                     "leaq 0(%%rip), %%rax\n\t"
                     "movq %%rax, 0x80(%0)"
                     :
                     : "r"(r.r)
                     : "rax", "memory");
    r.known = (1u << LG_CFI_NREGS) - 1;
    lg_unw_thread *t = lg_unw_self();
    lg_stack_mem m;
    if (!t || !lg_unw_mem_for(t, r.r[LG_X_RSP], &m)) return 0;
    return lg_cfi_walk(&r, true, 1, &m, pcs, max, &t->slow_frames);
}

uint32_t lg_unwind_from_context(const void *ucontext, uintptr_t *pcs, uint32_t max)
{
    static const int greg[LG_CFI_NREGS] = {
        REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP, REG_RSP, REG_R8,
        REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP,
    };
    if (!max || !ucontext) return 0;
    const ucontext_t *uc = ucontext;
    lg_cfi_regs r;
    for (int i = 0; i < LG_CFI_NREGS; i++) r.r[i] = (uintptr_t)uc->uc_mcontext.gregs[greg[i]];
    r.known = (1u << LG_CFI_NREGS) - 1;
    lg_unw_thread *t = lg_unw_self();
    lg_stack_mem m;
    uint64_t slow_frames = 0;
    if (!t || !lg_unw_mem_for(t, r.r[LG_X_RSP], &m)) m = (lg_stack_mem){{0, 0}, {0, 0}};
    lg_modules_signal_enter(); /* the modules from the snapshot, not dl_iterate_phdr */
    uint32_t n = lg_cfi_walk(&r, true, 0, &m, pcs, max, t ? &t->slow_frames : &slow_frames);
    lg_modules_signal_leave();
    return n;
}

void lg_unwind_init(void)
{
    lg_unw_thread *t = lg_unw_self();
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (t && !t->hi) lg_unw_find_thread_stack(t, sp);
    lg_modules_refresh();
}

bool lg_unwind_repeated(void)
{
    const lg_unw_thread *t = lg_unw_me;
    return t && t->repeated;
}

/* The hash steps are linear over xor: the hash of slots [below, top] is
 * hash[top] less hash[below - 1] rotated n more times. */
uint64_t lg_unwind_hash(void)
{
    const lg_unw_thread *t = lg_unw_me;
    if (!t) return lg_unwind_hash_of(NULL, 0);
    uint32_t n = t->last_n, memo_n = t->memo.n;
    if (n && t->memo_walk == n && n <= memo_n) { /* the last walk's frames are the memo's innermost n */
        uint64_t h = t->memo.hash[memo_n - 1];
        if (n < memo_n) {
            uint64_t below = t->memo.hash[memo_n - n - 1];
            unsigned r = (7u * n) & 63;
            h ^= r ? below << r | below >> (64 - r) : below;
        }
        return lg_unw_hash_end(h, n);
    }
    return lg_unwind_hash_of(t->last_pcs, n);
}

uint64_t lg_unwind_hash_of(const uintptr_t *pcs, uint32_t n)
{
    uint64_t h = 0;
    for (uint32_t i = n; i-- > 0;) h = lg_unw_hash_step(h, pcs[i]);
    return lg_unw_hash_end(h, n);
}

void lg_unwind_get_stats(lg_unwind_stats *out)
{
    const lg_unw_thread *t = lg_unw_me;
    out->hits = t ? t->hits : 0;
    out->slow_frames = t ? t->slow_frames : 0;
    out->head_frames = t ? t->head_frames : 0;
    out->misses = __atomic_load_n(&lg_unw_misses, __ATOMIC_RELAXED);
    out->invalidations = __atomic_load_n(&lg_unw_invalidations, __ATOMIC_RELAXED);
}
