/* lg_unwind.c — stack capture: the per-return-address rule cache, the fast
 * walk through it, the thread's stack bounds, and the entry points.
 *
 * Almost every x86-64 frame is described by three facts: the CFA (the
 * caller's rsp) is rsp+N or rbp+N (or, after gcc's stack realignment,
 * [rbp+N]); the return address is at CFA-8; rbp is unchanged or saved at a
 * known place.  Those facts are cached per return address in 64 bits; the
 * walk keeps only rsp, rbp and the pc.  Frames that need more (signal
 * trampolines, PLT stubs, other registers) go to lg_cfi_walk for the rest
 * of the stack. */
#define _GNU_SOURCE
#include "lg_unwind.h"
#include "lg_cfi.h"

#include <errno.h>
#include <fcntl.h>
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

/* The rules the thread's last walk used, frame by frame (see the walk). */
#define LG_MEMO_FRAMES 96

typedef struct lg_unw_memo {
    uint32_t n, gen;
    /* Every rule from this frame to the last but one is K_RSP: a walk can
     * replay the frames above it (the last frame's rule is how the walk
     * ended, _start's or clone's, and never K_RSP). */
    uint32_t rsp_from;
    uint32_t rsp_from_all; /* while recording: the same, the last frame included */
    uintptr_t pc[LG_MEMO_FRAMES], sp[LG_MEMO_FRAMES];
    uint64_t rule[LG_MEMO_FRAMES];
} lg_unw_memo;

/* A small per-thread front of the rule cache: the shared table is a
 * megabyte that the program's own memory traffic keeps evicting from the
 * CPU caches, while the few return addresses a thread's allocations come
 * through stay here, in lines it touches on every walk. */
#define LG_NEAR_BITS 6

typedef struct lg_unw_thread {
    uintptr_t lo, hi; /* the thread's stack; hi == 0 until known */
    uintptr_t olo[LG_OTHER_STACKS], ohi[LG_OTHER_STACKS]; /* signal, coroutine stacks */
    uint32_t onext, evict;
    uint64_t hits, slow_frames;
    uintptr_t near_pc[1u << LG_NEAR_BITS];
    uint64_t near_rule[1u << LG_NEAR_BITS];
    lg_unw_memo memo[2]; /* the last walk's, and the one being written */
    uint32_t memo_last;  /* which of the two is the last walk's */
    bool walking;        /* a walk is in progress: a nested one (a signal) leaves the memos alone */
} lg_unw_thread;

static __thread lg_unw_thread lg_unw_me LG_TLS;

extern void *__libc_stack_end; /* ld.so's: the main stack's top at exec */

static bool lg_unw_hex(const char **s, const char *end, uintptr_t *out)
{
    uintptr_t v = 0;
    const char *p = *s;
    for (; p < end; p++) {
        char c = *p;
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;
        if (d == 16) break;
        v = v << 4 | d;
    }
    if (p == *s) return false;
    *s = p;
    *out = v;
    return true;
}

/* One line of /proc/self/maps: "lo-hi perms offset dev inode   path". */
static bool lg_unw_line_holds(const char *s, const char *end, uintptr_t addr, uintptr_t *lo, uintptr_t *hi,
                              bool *main_stack)
{
    uintptr_t a, b;
    if (!lg_unw_hex(&s, end, &a) || s == end || *s++ != '-' || !lg_unw_hex(&s, end, &b)) return false;
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
    lg_unw_me.lo = lo;
    lg_unw_me.hi = hi;
}

/* ---- the rule cache ------------------------------------------------------------
 * A 4-way set-associative table of (return address, rule).  Lock-free: a slot
 * holds {key ^ rule, rule}; a reader that sees half of a concurrent write
 * computes a key that does not match, and misses.  Rules carry the cache
 * generation, which lg_unwind_invalidate bumps. */

enum { K_NONE, K_RSP, K_RBP, K_RBP_DEREF, K_LAST, K_SLOW };  /* CFA rule, or what to do */
enum { B_SAME, B_AT_CFA, B_AT_RBP };                          /* where the caller's rbp is */

#define GEN_BITS 11
#define GEN_MASK ((1u << GEN_BITS) - 1)
#define SETS_LOG2 14
#define WAYS 4

typedef struct lg_unw_slot {
    uint64_t keyx, rule;
} lg_unw_slot;

static lg_unw_slot lg_unw_cache[1u << SETS_LOG2][WAYS] __attribute__((aligned(64)));
static uint32_t lg_unw_gen = 1;   /* 1..GEN_MASK */
static uint64_t lg_unw_subs_seen; /* dlpi_subs + 1 at the last miss; 0: none yet */
static uint64_t lg_unw_misses, lg_unw_invalidations;

static inline uint64_t lg_unw_pack(unsigned kind, unsigned bkind, uint32_t gen, int64_t boff, int64_t cfa_off)
{
    return kind | bkind << 3 | (uint64_t)(gen & GEN_MASK) << 5 | (uint64_t)(uint16_t)boff << 16 |
           (uint64_t)(uint32_t)cfa_off << 32;
}

static inline lg_unw_slot *lg_unw_set(uintptr_t pc)
{
    return lg_unw_cache[(pc * 0x9e3779b97f4a7c15ull) >> (64 - SETS_LOG2)];
}

static inline uint64_t lg_unw_get(uintptr_t pc, uint32_t gen)
{
    lg_unw_slot *s = lg_unw_set(pc);
    for (int i = 0; i < WAYS; i++) {
        uint64_t rule = __atomic_load_n(&s[i].rule, __ATOMIC_RELAXED);
        uint64_t keyx = __atomic_load_n(&s[i].keyx, __ATOMIC_RELAXED);
        if ((keyx ^ rule) == pc && ((rule >> 5) & GEN_MASK) == gen) return rule;
    }
    return 0;
}

static void lg_unw_put(lg_unw_thread *t, uintptr_t pc, uint64_t rule, uint32_t gen)
{
    lg_unw_slot *s = lg_unw_set(pc);
    int victim = -1;
    for (int i = 0; i < WAYS; i++) {
        uint64_t r = __atomic_load_n(&s[i].rule, __ATOMIC_RELAXED);
        uint64_t k = __atomic_load_n(&s[i].keyx, __ATOMIC_RELAXED) ^ r;
        if (k == pc) {
            victim = i;
            break;
        }
        if (victim < 0 && ((r >> 5) & GEN_MASK) != gen) victim = i;
    }
    if (victim < 0) victim = (int)(t->evict++ % WAYS);
    __atomic_store_n(&s[victim].rule, rule, __ATOMIC_RELAXED);
    __atomic_store_n(&s[victim].keyx, pc ^ rule, __ATOMIC_RELAXED);
}

void lg_unwind_invalidate(void)
{
    uint32_t gen = __atomic_load_n(&lg_unw_gen, __ATOMIC_RELAXED);
    uint32_t next = gen % GEN_MASK + 1;
    if (next == 1) { /* the generations wrap: old rules could look current */
        for (uint32_t i = 0; i < (1u << SETS_LOG2); i++)
            for (int w = 0; w < WAYS; w++) __atomic_store_n(&lg_unw_cache[i][w].rule, 0, __ATOMIC_RELAXED);
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
static __attribute__((noinline)) uint64_t lg_unw_fill(lg_unw_thread *t, uintptr_t pc, uint32_t *gen)
{
    lg_cfi_frame f;
    lg_cfi_modcount count;
    int rc = lg_cfi_lookup(pc - 1, &f, &count);
    __atomic_fetch_add(&lg_unw_misses, 1, __ATOMIC_RELAXED);
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
    lg_unw_put(t, pc, rule, *gen);
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

static inline void lg_unw_record(lg_unw_memo *m, uint32_t *count, uintptr_t pc, uintptr_t sp, uint64_t rule)
{
    if (!m || *count >= LG_MEMO_FRAMES) return;
    m->pc[*count] = pc;
    m->sp[*count] = sp;
    m->rule[*count] = rule;
    m->rsp_from = m->rsp_from_all;
    if ((rule & 7) != K_RSP) m->rsp_from_all = *count + 1;
    ++*count;
}

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

/* The walk from a caller's frame: pc its return address, sp its CFA... of
 * the callee, i.e. the caller's rsp, bp the caller's rbp.
 *
 * Consecutive walks in a thread mostly climb the same outer frames.  A frame
 * whose return address the last walk met at the same stack address takes
 * its rule from that walk's memo: no hash and no table line, and as the
 * comparison is predicted, the next frame's loads need not wait for this
 * one's.  A rule depends on the return address alone, so the memo can only
 * be fast, never wrong; the stack address merely lines the walks up.
 * Where the last walk climbed on by rsp alone, the frames above are
 * replayed from it: the same as long as each return address is. */
static inline uint32_t lg_unw_fast_walk(uintptr_t pc, uintptr_t sp, uintptr_t bp, uintptr_t *pcs, uint32_t max)
{
    lg_unw_thread *t = &lg_unw_me;
    uintptr_t lo = t->lo, hi = t->hi;
    if (LG_UNLIKELY(sp - lo >= hi - lo)) {
        lg_stack_mem m;
        if (!lg_unw_mem_for(t, sp, &m)) {
            pcs[0] = pc;
            return 1;
        }
        lo = m.lo[0];
        hi = m.hi[0];
    }
    uint32_t gen = __atomic_load_n(&lg_unw_gen, __ATOMIC_RELAXED), first_gen = gen;
    /* A nested walk (a signal handler's) neither reads the memos nor
     * writes them: it may have interrupted a walk writing one. */
    bool use_memo = !t->walking;
    t->walking = true;
    const lg_unw_memo *last = &t->memo[t->memo_last];
    lg_unw_memo *next = use_memo ? &t->memo[t->memo_last ^ 1] : 0;
    if (next) next->rsp_from = next->rsp_from_all = 0;
    uint32_t last_n = use_memo && last->gen == gen ? last->n : 0, k = 0, recorded = 0;
    uint32_t n = 0;
    uint64_t hits = 0;
    bool bp_ok = true; /* as in lg_cfi_walk, an unreadable rbp slot makes rbp unknown */
    for (;;) {
        pcs[n++] = pc;
        if (n == max) break;
        uint64_t rule;
        while (k < last_n && last->sp[k] < sp) k++;
        if (k < last_n && last->sp[k] == sp && last->pc[k] == pc) {
            rule = last->rule[k];
            hits++;
            lg_unw_record(next, &recorded, pc, sp, rule);
            /* Replay: from frame k to k+1 the last walk added its rule's
             * offset to rsp, which took it to last->sp[k + 1]. */
            if (k >= last->rsp_from) {
                uint32_t from = k;
                bool full = false;
                while (k + 1 < last_n) {
                    uintptr_t cfa = last->sp[k + 1];
                    if (cfa - lo - 8 > hi - lo - 8) break;
                    uintptr_t up = ((const lg_word *)cfa)[-1];
                    if (up != last->pc[k + 1]) break;
                    lg_unw_step_bp(rule, cfa, lo, hi, &bp, &bp_ok);
                    pc = up;
                    sp = cfa;
                    rule = last->rule[++k];
                    pcs[n++] = pc;
                    if (n == max) {
                        full = true;
                        break;
                    }
                }
                /* The replayed frames go to the new memo as they were; a
                 * frame that ended the walk at max had no rule looked up. */
                uint32_t upto = full ? k - 1 : k;
                for (uint32_t j = from + 1; j <= upto; j++) lg_unw_record(next, &recorded, last->pc[j], last->sp[j], last->rule[j]);
                hits += upto - from;
                if (full) goto done;
            }
        } else {
            /* A nested walk (a signal handler's) leaves the near cache
             * alone too: it could land between a pc and its rule. */
            uint32_t near = (uint32_t)((pc * 0x9e3779b97f4a7c15ull) >> (64 - LG_NEAR_BITS));
            if (next && t->near_pc[near] == pc && ((t->near_rule[near] >> 5) & GEN_MASK) == gen) {
                rule = t->near_rule[near];
                hits++;
            } else {
                rule = lg_unw_get(pc, gen);
                if (LG_LIKELY(rule)) hits++;
                else rule = lg_unw_fill(t, pc, &gen);
                if (next) {
                    t->near_pc[near] = pc;
                    t->near_rule[near] = rule;
                }
            }
            lg_unw_record(next, &recorded, pc, sp, rule);
        }

        int64_t off = (int32_t)(rule >> 32);
        uintptr_t cfa;
        switch (rule & 7) {
        case K_RSP: cfa = sp + off; break;
        case K_RBP:
            if (!bp_ok) goto done;
            cfa = bp + off;
            break;
        case K_RBP_DEREF:
            if (!bp_ok || bp + off - lo > hi - lo - 8) goto done;
            cfa = *(const lg_word *)(bp + off);
            break;
        case K_SLOW:
            n--;
            n += lg_unw_handoff(t, pc, sp, bp_ok ? bp : 0, bp_ok, lo, hi, pcs + n, max - n);
            goto done;
        default:
            goto done;
        }
        /* The caller's frame is above this one, on this stack. */
        if (cfa <= sp || cfa - lo - 8 > hi - lo - 8) break;
        lg_unw_step_bp(rule, cfa, lo, hi, &bp, &bp_ok);
        pc = ((const lg_word *)cfa)[-1];
        sp = cfa;
        if (!pc) break;
    }
done:
    t->hits += hits;
    if (use_memo) {
        /* Rules of two generations must not mix: an invalidation drops it. */
        next->n = gen == first_gen && gen == __atomic_load_n(&lg_unw_gen, __ATOMIC_RELAXED) ? recorded : 0;
        next->gen = gen;
        t->memo_last ^= 1;
        t->walking = false;
    }
    return n;
}

__attribute__((noinline)) uint32_t lg_unwind_fast(uintptr_t *pcs, uint32_t max)
{
    if (!max) return 0;
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
    lg_unw_thread *t = &lg_unw_me;
    lg_stack_mem m;
    if (!lg_unw_mem_for(t, r.r[LG_X_RSP], &m)) return 0;
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
    lg_unw_thread *t = &lg_unw_me;
    lg_stack_mem m;
    if (!lg_unw_mem_for(t, r.r[LG_X_RSP], &m)) m = (lg_stack_mem){{0, 0}, {0, 0}};
    return lg_cfi_walk(&r, true, 0, &m, pcs, max, &t->slow_frames);
}

void lg_unwind_init(void)
{
    lg_unw_thread *t = &lg_unw_me;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (!t->hi) lg_unw_find_thread_stack(t, sp);
}

void lg_unwind_get_stats(lg_unwind_stats *out)
{
    out->hits = lg_unw_me.hits;
    out->slow_frames = lg_unw_me.slow_frames;
    out->misses = __atomic_load_n(&lg_unw_misses, __ATOMIC_RELAXED);
    out->invalidations = __atomic_load_n(&lg_unw_invalidations, __ATOMIC_RELAXED);
}
