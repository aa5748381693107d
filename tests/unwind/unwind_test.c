/* unwind_test.c — lg_unwind_fast must give exactly the stacks that
 * lg_unwind_slow and libunwind (the reference, linked into this test only)
 * give: through a call chain that crosses between the executable and a
 * shared library, from signal handlers (lg_unwind_from_context, on the
 * thread's stack and on a signal stack, synchronous and asynchronous), in
 * several threads at once, across dlopen/dlclose of modules that land at
 * the same address, from handlers that interrupt a walk, and at a return
 * address whose rule differs from its function's others.  Built twice:
 * with the rule table of the runtime and with one of 4 slots (every
 * lookup a collision).  Ends with "N passed, N failed". */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../src/runtime/lg_unwind.h"
#include "../../src/platform/lg_linux_modules.h"

#define UT_PREFIX ut_exe_
#define UT_OTHER lib
#include "ut_chain.h"

void ut_lib_dispatch(int depth, ut_ctx *c);

#define MAXF 256

static int passed, failed, reported;

static void describe(const char *label, const uintptr_t *pcs, uint32_t n)
{
    fprintf(stderr, "  %s (%u frames):\n", label, n);
    for (uint32_t i = 0; i < n; i++) {
        Dl_info di;
        const char *fn = dladdr((void *)(pcs[i] - 1), &di) && di.dli_sname ? di.dli_sname : "?";
        const char *mod = di.dli_fname ? strrchr(di.dli_fname, '/') : NULL;
        fprintf(stderr, "    #%-2u %#lx %s (%s)\n", i, (unsigned long)pcs[i], fn, mod ? mod + 1 : "?");
    }
}

/* Records one comparison; prints the first few mismatches in full. */
static bool same(const char *what, const char *la, const uintptr_t *a, uint32_t na, const char *lb,
                 const uintptr_t *b, uint32_t nb)
{
    bool ok = na == nb && na > 0 && memcmp(a, b, na * sizeof *a) == 0;
    __atomic_fetch_add(ok ? &passed : &failed, 1, __ATOMIC_RELAXED);
    if (!ok && __atomic_fetch_add(&reported, 1, __ATOMIC_RELAXED) < 4) {
        fprintf(stderr, "FAIL %s: %s differs from %s\n", what, la, lb);
        describe(la, a, na);
        describe(lb, b, nb);
    }
    return ok;
}

static void check(bool ok, const char *what)
{
    __atomic_fetch_add(ok ? &passed : &failed, 1, __ATOMIC_RELAXED);
    if (!ok) fprintf(stderr, "FAIL %s\n", what);
}

/* ---- the three unwinders behind one call site ------------------------------- */

static __attribute__((noinline)) uint32_t ref_unwind(uintptr_t *pcs, uint32_t max)
{
    unw_context_t uc;
    unw_cursor_t cur;
    unw_getcontext(&uc);
    if (unw_init_local(&cur, &uc) < 0) return 0;
    uint32_t n = 0;
    while (n < max && unw_step(&cur) > 0) {
        unw_word_t ip;
        unw_get_reg(&cur, UNW_REG_IP, &ip);
        pcs[n++] = ip;
    }
    return n;
}

static uint32_t ref_from_context(void *ucontext, uintptr_t *pcs, uint32_t max)
{
    unw_cursor_t cur;
    if (unw_init_local2(&cur, (unw_context_t *)ucontext, UNW_INIT_SIGNAL_FRAME) < 0) return 0;
    uint32_t n = 0;
    do {
        unw_word_t ip;
        unw_get_reg(&cur, UNW_REG_IP, &ip);
        pcs[n++] = ip;
    } while (n < max && unw_step(&cur) > 0);
    return n;
}

enum { FAST, SLOW, REF };
typedef uint32_t (*capture_fn)(uintptr_t *, uint32_t);
static capture_fn volatile capture_fns[3] = {lg_unwind_fast, lg_unwind_slow, ref_unwind};

/* One call site for all three, so their pcs[0] is the same. */
static __attribute__((noinline)) uint32_t capture(int which, uintptr_t *pcs, uint32_t max)
{
    uint32_t n = capture_fns[which](pcs, max);
    __asm__ volatile("" : : : "memory");
    return n;
}

static volatile int ut_methods = 3;

/* The three captures come from one call site in a loop (its count is
 * volatile, so it is not unrolled): pcs[1] is the same for all of them. */
static __attribute__((noinline)) void capture_all(uintptr_t (*pcs)[MAXF], uint32_t *n, uint32_t max)
{
    for (int w = 0; w < ut_methods; w++) n[w] = capture(w, pcs[w], max);
}

static int ut_hash_wrong;
static volatile bool ut_hash_unchecked; /* a handler's walk may come between the walk and the check */

/* lg_unwind_hash must be the hash of what the fast walk returned, whichever
 * way it walked (rule table, replay, the slow walk's frames, cut at max). */
static void check_hash(const uintptr_t *pcs, uint32_t n)
{
    if (!ut_hash_unchecked && lg_unwind_hash() != lg_unwind_hash_of(pcs, n) && ut_hash_wrong++ < 4)
        fprintf(stderr, "FAIL the walk's hash is not the hash of its %u frames\n", n);
}

static void compare_here(const char *what, bool with_ref)
{
    uintptr_t pcs[3][MAXF];
    uint32_t n[3] = {0, 0, 0};
    capture_all(pcs, n, MAXF);
    check_hash(pcs[FAST], n[FAST]);
    same(what, "fast", pcs[FAST], n[FAST], "slow", pcs[SLOW], n[SLOW]);
    if (with_ref) same(what, "fast", pcs[FAST], n[FAST], "libunwind", pcs[REF], n[REF]);
}

/* ---- 1. the call chain ------------------------------------------------------ */

static volatile int ut_two = 2; /* not unrolled */

/* A full walk, then one cut at max from the same call site: the cut walk
 * joins the memo the full one left and ends inside it, so its hash comes
 * from the middle of the memo's running hashes. */
static __attribute__((noinline)) uint32_t capture_after_full(uintptr_t *pcs, uint32_t k)
{
    uint32_t got = 0;
    for (int pass = 0; pass < ut_two; pass++) got = capture(FAST, pcs, pass ? k : MAXF);
    return got;
}

static void leaf_compare(ut_ctx *c)
{
    compare_here("chain", true);
    /* Cut short at every length, the fast stack is the full one's prefix. */
    uintptr_t pcs[3][MAXF];
    uint32_t n[3];
    capture_all(pcs, n, MAXF);
    bool ok = true;
    for (uint32_t k = 1; k < n[SLOW] && k < 48; k += 1 + (uint32_t)c->salt) {
        uint32_t got = capture(FAST, pcs[FAST], k);
        check_hash(pcs[FAST], got);
        /* pcs[FAST] lacks capture_all's frame: its [2] is the full stack's [3]. */
        ok &= got == k && memcmp(pcs[FAST] + 2, pcs[SLOW] + 3, (k > 2 ? k - 2 : 0) * sizeof(uintptr_t)) == 0;
    }
    check(ok, "fast stacks cut at max are prefixes of the full stack");
    check_hash(pcs[FAST], capture_after_full(pcs[FAST], 3 + (uint32_t)c->salt));
}

static void test_chain(void)
{
    for (int salt = 0; salt < 5; salt++)
        for (int depth = 0; depth <= 40; depth += 1 + salt) {
            ut_ctx c = {.leaf = leaf_compare, .exe = ut_exe_dispatch, .lib = ut_lib_dispatch, .salt = salt};
            ut_exe_dispatch(depth, &c);
        }
}

/* ---- 1b. the walk memo: same frames below, different callers above -------------
 * via_a and via_b have the same frame, so the frames of middle() and below
 * sit at the same addresses with the same return addresses under either:
 * a walk that replays the previous one must notice where they part. */

static volatile int ut_via_a, ut_via_b;

static __attribute__((noinline)) void middle(void)
{
    compare_here("memo", true);
    __asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void via_a(void)
{
    middle();
    ut_via_a++;
}

static __attribute__((noinline)) void via_b(void)
{
    middle();
    ut_via_b += 2;
}

static void test_memo(void)
{
    for (int i = 0; i < 8; i++) (i % 3 ? via_a : via_b)();
    /* A walk of no frames leaves nothing of the one before it. */
    uintptr_t pcs[MAXF];
    bool ok = true;
    for (int i = 0; i < ut_two + 1; i++) ok &= lg_unwind_fast(pcs, 3) == 3; /* one call site */
    ok &= lg_unwind_repeated();
    ok &= lg_unwind_fast(pcs, 0) == 0 && !lg_unwind_repeated() && lg_unwind_hash() == lg_unwind_hash_of(pcs, 0);
    check(ok, "a walk of max 0 is not a repeat, and its hash is of no frames");
}

/* ---- 1b'. deeper than the memo ---------------------------------------------------
 * The memo keeps 96 frames: walks of 100-200 frames, at depths that go up
 * and down, make it drop its outermost frames and join them again, and
 * walks on the way down join a memo left by a deeper one. */

static volatile int ut_deep_sink;

static __attribute__((noinline)) void deep(int left, int every)
{
    if (left % every == 0) compare_here("deep", true);
    if (left > 0) deep(left - 1, every);
    ut_deep_sink += left; /* no tail call */
}

static void test_deep(void)
{
    static const int depths[] = {100, 140, 120, 200, 110, 150, 97, 180};
    for (int r = 0; r < 2; r++)
        for (unsigned i = 0; i < sizeof depths / sizeof depths[0]; i++) deep(depths[i], r ? 7 : 1000);
}

/* ---- 1c. a rule that changes within a function ------------------------------------
 * midrule calls ut_mid_leaf as the compiler laid its frame out, then with
 * 64 more bytes pushed (as a call with stack arguments would): the two
 * return addresses need two rules. */

void ut_mid_leaf(void);
__attribute__((noinline, used)) void ut_mid_leaf(void)
{
    compare_here("rule changes mid-function", true);
    __asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void midrule(int i)
{
    /* A call on every path: the frame is set up (and rsp 16-byte aligned)
     * from the entry on, so the asm's call below is aligned too. */
    ut_mid_leaf();
    if (!(i & 1)) {
        __asm__ volatile("sub $64, %%rsp\n\t"
                         ".cfi_adjust_cfa_offset 64\n\t"
                         "call ut_mid_leaf\n\t"
                         "add $64, %%rsp\n\t"
                         ".cfi_adjust_cfa_offset -64"
                         :
                         :
                         : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm0", "xmm1", "xmm2",
                           "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
                           "xmm13", "xmm14", "xmm15", "memory", "cc");
    }
    ut_via_a++;
}

static void test_midrule(void)
{
    for (int i = 0; i < 12; i++) midrule(i % 3 == 0 ? i : i + 1);
}

/* ---- 1d. the walk's first frames at a new depth every time ------------------------
 * As malloc's and free's captures do, captures come through two entry
 * points in turn, at a depth that changes at every capture, so the first
 * frames are never where the memo has them and take the per-thread cache
 * of their rules (lg_unwind.c's head).  One entry keeps rbp saved in its
 * frame and overwrites it; the frames above take their CFA from rbp
 * (alloca), so the cache's step must restore rbp as the rule says, and
 * the third frame's is rbp's, which the cache must not take. */

static __attribute__((noinline)) void capture_all_rbp(uintptr_t (*pcs)[MAXF], uint32_t *n, uint32_t max)
{
    __asm__ volatile("xor %%ebp, %%ebp" : : : "rbp", "memory"); /* rbp is saved, then not the caller's */
    for (int w = 0; w < ut_methods; w++) n[w] = capture(w, pcs[w], max);
}

/* Its CFA is rbp's (alloca): its rule is never the head's. */
static __attribute__((noinline)) void compare_entry(int which)
{
    uintptr_t pcs[3][MAXF];
    uint32_t n[3] = {0, 0, 0};
    char *pad = alloca((size_t)(which * 32 + 16));
    __asm__ volatile("" : : "r"(pad) : "memory");
    (which ? capture_all_rbp : capture_all)(pcs, n, MAXF);
    check_hash(pcs[FAST], n[FAST]);
    same("head", "fast", pcs[FAST], n[FAST], "slow", pcs[SLOW], n[SLOW]);
    same("head", "fast", pcs[FAST], n[FAST], "libunwind", pcs[REF], n[REF]);
}

static __attribute__((noinline)) void head_frames(int left, int which)
{
    char *p = alloca((size_t)(left * 24 + 8));
    memset(p, left, (size_t)(left * 24 + 8));
    __asm__ volatile("" : : "r"(p) : "memory");
    if (left > 0) head_frames(left - 1, which);
    else compare_entry(which);
    ut_deep_sink += p[left];
}

static void test_head(void)
{
    lg_unwind_stats before, after;
    lg_unwind_get_stats(&before);
    for (int i = 0; i < 40; i++) head_frames(i % 2 ? 9 - i % 7 : 2 + i % 5, i & 1);
    lg_unwind_get_stats(&after);
    /* Two of every capture's first three frames can take it; 2-way sets
     * of 3 return addresses that collide still give one in two. */
    check(after.head_frames - before.head_frames >= 20, "the first frames took the head's step");
}

/* ---- 1e. from a frame of the caller's -----------------------------------------
 * lg_unwind_fast_from, given the frame of a function that keeps a frame
 * pointer (as the runtime's annotation entries do), must give what
 * lg_unwind_fast gives from the same call site: the chain, the deep walks
 * and the head's entry points again, with it as the fast walk. */

static __attribute__((noinline)) uint32_t fast_from(uintptr_t *pcs, uint32_t max)
{
    const uintptr_t *fp = __builtin_frame_address(0);
    return lg_unwind_fast_from(fp[1], (uintptr_t)(fp + 2), fp[0], pcs, max);
}

static void test_from(void)
{
    capture_fns[FAST] = fast_from;
    test_chain();
    test_deep();
    test_head();
    capture_fns[FAST] = lg_unwind_fast;
}

/* ---- 2. signals ----------------------------------------------------------------- */

static sigjmp_buf ut_jump;
static volatile int ut_signals;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    uintptr_t a[MAXF], r[MAXF];
    uint32_t na = lg_unwind_from_context(uc, a, MAXF);
    uint32_t nr = ref_from_context(uc, r, MAXF);
    same(sig == SIGSEGV ? "fault context" : "signal context", "from_context", a, na, "libunwind", r, nr);
    compare_here(sig == SIGUSR2 ? "in handler on sigaltstack" : "in handler", true);
    ut_signals++;
    if (sig == SIGSEGV) siglongjmp(ut_jump, 1);
}

static void leaf_raise(ut_ctx *c)
{
    raise((int)(intptr_t)c->arg);
}

static int *volatile ut_null;
static void (*volatile ut_null_fn)(void);

static void leaf_fault(ut_ctx *c)
{
    if (sigsetjmp(ut_jump, 1) == 0) {
        if (c->arg) ut_null_fn(); /* the pc itself is bad: no unwind info */
        else *ut_null = 1;
    }
}

static void test_signals(void)
{
    struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_NODEFER};
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sa.sa_flags |= SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    size_t alt_size = 256 * 1024;
    stack_t ss = {.ss_sp = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  .ss_size = alt_size};
    sigaltstack(&ss, NULL);

    int before = ut_signals;
    for (int depth = 1; depth <= 25; depth += 4) {
        ut_ctx c = {.leaf = leaf_raise, .exe = ut_exe_dispatch, .lib = ut_lib_dispatch, .salt = depth};
        c.arg = (void *)(intptr_t)SIGUSR1;
        ut_exe_dispatch(depth, &c);
        c.arg = (void *)(intptr_t)SIGUSR2;
        ut_exe_dispatch(depth, &c);
        c.leaf = leaf_fault;
        c.arg = NULL;
        ut_exe_dispatch(depth, &c);
    }
    check(ut_signals - before == 3 * 7, "every signal handled");

    /* A call through a null pointer: pc 0, the return address on top. */
    ut_ctx c = {.leaf = leaf_fault, .exe = ut_exe_dispatch, .lib = ut_lib_dispatch, .arg = &c};
    struct sigaction nsa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_NODEFER};
    sigaction(SIGSEGV, &nsa, NULL);
    ut_exe_dispatch(7, &c);
}

/* ---- 3. asynchronous signals: any pc, prologues and epilogues included ------- */

static volatile int ut_prof_hits, ut_ref_astray;

/* Whether pc can be a return address: in a module, and not a function's
 * first byte (which follows a call only when the function before ends in a
 * call that does not return: none in these call chains). */
static bool in_module(uintptr_t pc)
{
    Dl_info di;
    return dladdr((void *)pc, &di) != 0 && (uintptr_t)di.dli_saddr != pc;
}

static void on_prof(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    uintptr_t a[MAXF], r[MAXF];
    uint32_t na = lg_unwind_from_context(uc, a, MAXF);
    uint32_t nr = ref_from_context(uc, r, MAXF);
    /* In an epilogue, gcc's CFI for realigned (DRAP) frames still says rbp
     * is saved at [rbp] after the pop.  Where that leads to nonsense we
     * stop and libunwind walks on into garbage: accept that, and count it
     * (garbage: an address outside every module, or a function's entry). */
    if (na < nr && memcmp(a, r, na * sizeof *a) == 0 && !in_module(r[na])) {
        ut_ref_astray++;
        check(true, "asynchronous signal context");
    } else {
        same("asynchronous signal context", "from_context", a, na, "libunwind", r, nr);
    }
    ut_prof_hits++;
}

static void leaf_spin(ut_ctx *c)
{
    for (volatile int i = 0; i < 200 + c->salt; i++) {
    }
}

static volatile int ut_stop_kicker;

/* Signals the main thread every few microseconds, at whatever pc it is. */
static void *kicker(void *arg)
{
    pthread_t target = *(pthread_t *)arg;
    while (!ut_stop_kicker) {
        pthread_kill(target, SIGPROF);
        usleep(20);
    }
    return NULL;
}

static void test_async(void)
{
    struct sigaction sa = {.sa_sigaction = on_prof, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigaction(SIGPROF, &sa, NULL);
    pthread_t self = pthread_self(), th;
    pthread_create(&th, NULL, kicker, &self);
    for (int i = 0; ut_prof_hits < 3000 && i < 2000000; i++) {
        ut_ctx c = {.leaf = leaf_spin, .exe = ut_exe_dispatch, .lib = ut_lib_dispatch, .salt = i % 7};
        ut_exe_dispatch(i % 13, &c);
    }
    ut_stop_kicker = 1;
    pthread_join(th, NULL);
    check(ut_prof_hits >= 500, "the asynchronous signals came");
    printf("asynchronous signals: %d, where libunwind walked into garbage: %d\n", ut_prof_hits, ut_ref_astray);
}

/* ---- 4. threads ------------------------------------------------------------- */

static void leaf_thread(ut_ctx *c)
{
    compare_here("thread chain", c->salt % 8 == 0);
}

static void *thread_main(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 300; i++) {
        ut_ctx c = {.leaf = leaf_thread, .exe = ut_exe_dispatch, .lib = ut_lib_dispatch, .salt = i + id};
        ut_exe_dispatch((i * 7 + id) % 30, &c);
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, (size_t)(i + 1) * 1024 * 1024);
        pthread_create(&th[i], &attr, thread_main, (void *)(intptr_t)i);
        pthread_attr_destroy(&attr);
    }
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
}

/* ---- 5. dlopen / dlclose ------------------------------------------------------ */

/* As the runtime's dlclose does it: the modules' snapshot answers nothing
 * while the module goes, and is made again after. */
static int ut_dlclose(void *h)
{
    lg_modules_closing();
    int rc = dlclose(h);
    lg_modules_closed();
    return rc;
}

static void test_dlopen(const char *dir)
{
    char path[2][4200];
    snprintf(path[0], sizeof path[0], "%s/libut_dl_a.so", dir);
    snprintf(path[1], sizeof path[1], "%s/libut_dl_b.so", dir);
    lg_unwind_stats before, after;
    lg_unwind_get_stats(&before);
    for (int i = 0; i < 40; i++) {
        void *h = dlopen(path[i % 2], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            check(false, dlerror());
            return;
        }
        ut_ctx c = {.leaf = leaf_compare, .exe = ut_exe_dispatch, .salt = i % 5};
        c.lib = (ut_dispatch_fn)dlsym(h, "ut_dl_dispatch");
        ut_exe_dispatch(12 + i % 9, &c);
        ut_dlclose(h);
    }
    lg_unwind_get_stats(&after);
    check(after.invalidations > before.invalidations, "dlclose invalidated the cache");
}

/* ---- 5b. a module unloaded, another loaded at its address -------------------------
 * libut_dl_a and libut_dl_c are the same code but for one frame's size: at
 * the same address, the same return addresses need other rules.  After
 * dlclose, lg_unwind_invalidate (the runtime calls it from its dlclose)
 * must keep the rules of the first from answering for the second; without
 * it, no miss would notice (every return address is a hit). */

/* libunwind keeps what it learnt of the first module's code: fast and
 * slow only. */
static void leaf_compare_own(ut_ctx *c)
{
    (void)c;
    compare_here("module at a reused address", false);
}

static void *ut_dispatch_at(const char *path, void **handle)
{
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    return *handle ? dlsym(*handle, "ut_dl_dispatch") : NULL;
}

static void test_dlopen_reuse(const char *dir)
{
    char a[4200], c[4200];
    snprintf(a, sizeof a, "%s/libut_dl_a.so", dir);
    snprintf(c, sizeof c, "%s/libut_dl_c.so", dir);
    int reused = 0, stale_wrong = 0;
    for (int i = 0; i < 10; i++) {
        void *ha, *hc;
        void *fa = ut_dispatch_at(a, &ha);
        if (!fa) {
            check(false, dlerror());
            return;
        }
        /* Every frame kind, the padded one among them. */
        for (int salt = 0; salt < 6; salt++) {
            ut_ctx ctx = {.leaf = leaf_compare_own, .salt = salt};
            ((ut_dispatch_fn)fa)(3, &ctx);
        }
        ut_dlclose(ha);
        if (i % 2) lg_unwind_invalidate();
        void *fc = ut_dispatch_at(c, &hc);
        if (!fc) {
            check(false, dlerror());
            return;
        }
        reused += fc == fa;
        if (!(i % 2)) {
            /* Without the invalidation: count the wrong walks, check nothing. */
            int before = failed, reports = reported;
            reported = 1 << 20; /* quiet */
            for (int salt = 0; salt < 6; salt++) {
                ut_ctx ctx = {.leaf = leaf_compare_own, .salt = salt};
                ((ut_dispatch_fn)fc)(3, &ctx);
            }
            stale_wrong += failed - before;
            passed += failed - before; /* not this test's failures */
            failed = before;
            reported = reports;
            lg_unwind_invalidate();
        }
        for (int salt = 0; salt < 6; salt++) {
            ut_ctx ctx = {.leaf = leaf_compare_own, .salt = salt};
            ((ut_dispatch_fn)fc)(3, &ctx);
        }
        ut_dlclose(hc);
        lg_unwind_invalidate(); /* as the runtime's dlclose does */
    }
    printf("dlopen at a reused address: %d of 10; walks wrong without lg_unwind_invalidate: %d\n", reused,
           stale_wrong);
}

/* ---- 6. walks from signal handlers that interrupt walks ----------------------------
 * The main thread compares fast and slow walks while signals come every few
 * microseconds; their handler walks too (two frames: itself and the signal
 * trampoline, so that it never needs dl_iterate_phdr, whose lock the
 * interrupted code may hold) and must find what it found the first time.
 * The interrupted walks, which a handler's walk must leave alone, must
 * still match the slow walk. */

static volatile int ut_nested_hits, ut_nested_wrong, ut_nested_hash_wrong;
static uintptr_t ut_nested_want[2];

static void on_nested(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    (void)uc;
    uintptr_t pcs[2];
    uint32_t n = lg_unwind_fast(pcs, 2);
    /* Nested or not, what the walk says of itself is of its own stack. */
    if (lg_unwind_hash() != lg_unwind_hash_of(pcs, n)) ut_nested_hash_wrong++;
    if (!ut_nested_want[0]) {
        ut_nested_want[0] = pcs[0];
        ut_nested_want[1] = pcs[1];
    } else {
        ut_nested_wrong += n != 2 || pcs[0] != ut_nested_want[0] || pcs[1] != ut_nested_want[1];
        ut_nested_hits++;
    }
}

static void leaf_walks(ut_ctx *c)
{
    (void)c;
    for (int i = 0; i < 20; i++) compare_here("walk interrupted by a handler's walk", false);
}

static __attribute__((unused)) void test_nested(void)
{
    struct sigaction sa = {.sa_sigaction = on_nested, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigaction(SIGPROF, &sa, NULL);
    raise(SIGPROF); /* the handler's rules are looked up here, not under a signal */
    ut_stop_kicker = 0;
    pthread_t self = pthread_self(), th;
    pthread_create(&th, NULL, kicker, &self);
    ut_methods = 2; /* fast and slow */
    ut_hash_unchecked = true;
    for (int i = 0; ut_nested_hits < 2000 && i < 4000; i++) {
        ut_ctx c = {.leaf = leaf_walks, .exe = ut_exe_dispatch, .lib = ut_lib_dispatch, .salt = i % 7};
        ut_exe_dispatch(i % 11, &c);
    }
    ut_methods = 3;
    ut_hash_unchecked = false;
    ut_stop_kicker = 1;
    pthread_join(th, NULL);
    check(ut_nested_hits >= 100, "the interrupting signals came");
    check(ut_nested_wrong == 0, "walks in handlers found their two frames");
    check(ut_nested_hash_wrong == 0, "a handler's walk's hash is of its own frames, nested or not");
    printf("walks in handlers that interrupted the main thread: %d\n", ut_nested_hits);
}

/* ---- 7. signal contexts never take the loader's lock ------------------------------
 * lg_unwind_from_context reads the modules' snapshot, so it returns while
 * another thread holds the loader's lock (here, waiting inside a
 * dl_iterate_phdr callback for a mutex this thread holds): the same stack
 * as from the same place without the lock held.  A walk that waited for
 * the lock would hang: SIGALRM ends the test then. */

static pthread_mutex_t ut_loader_mutex = PTHREAD_MUTEX_INITIALIZER;
static volatile int ut_loader_held;
static uintptr_t ut_held_pcs[2][MAXF];
static uint32_t ut_held_n[2];
static volatile int ut_held_phase;

static int ut_wait_in_callback(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info, (void)size, (void)data;
    ut_loader_held = 1;
    pthread_mutex_lock(&ut_loader_mutex);
    pthread_mutex_unlock(&ut_loader_mutex);
    return 1;
}

static void *ut_hold_loader(void *arg)
{
    (void)arg;
    dl_iterate_phdr(ut_wait_in_callback, NULL);
    return NULL;
}

static void on_held(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si;
    int p = ut_held_phase;
    ut_held_n[p] = lg_unwind_from_context(uc, ut_held_pcs[p], MAXF);
}

static void leaf_raise_held(ut_ctx *c)
{
    (void)c;
    raise(SIGUSR1);
}

static pthread_t ut_holder;

static void ut_nothing(void)
{
}

static void ut_start_holder(void)
{
    pthread_mutex_lock(&ut_loader_mutex);
    pthread_create(&ut_holder, NULL, ut_hold_loader, NULL);
    while (!ut_loader_held) usleep(100);
    alarm(60);
}

static void (*volatile ut_phase_setup[2])(void) = {ut_nothing, ut_start_holder};
static volatile int ut_phases = 2; /* not unrolled */

static void test_loader_lock_held(void)
{
    struct sigaction sa = {.sa_sigaction = on_held, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    /* One loop body without a branch on the phase: one call site, the
     * same stack in both phases. */
    for (int phase = 0; phase < ut_phases; phase++) {
        ut_phase_setup[phase]();
        ut_held_phase = phase;
        ut_ctx c = {.leaf = leaf_raise_held, .exe = ut_exe_dispatch, .lib = ut_lib_dispatch, .salt = 3};
        ut_exe_dispatch(10, &c);
    }
    alarm(0);
    pthread_mutex_unlock(&ut_loader_mutex);
    pthread_join(ut_holder, NULL);
    check(ut_held_n[0] > 12, "a signal context's stack through the executable and a library");
    same("signal context while another thread holds the loader's lock", "lock held", ut_held_pcs[1], ut_held_n[1],
         "lock free", ut_held_pcs[0], ut_held_n[0]);
}

/* A module loaded after the snapshot was made (no walk has missed since,
 * so nothing made it again) is found through /proc/self/maps and its ELF
 * headers: the signal context's stack through it is libunwind's. */
static void on_fresh(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)si;
    uintptr_t a[MAXF], r[MAXF];
    uint32_t na = lg_unwind_from_context(uc, a, MAXF);
    uint32_t nr = ref_from_context(uc, r, MAXF);
    same("signal context in a module loaded after the snapshot", "from_context", a, na, "libunwind", r, nr);
    ut_signals++;
}

static void test_fresh_module(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/libut_dl_b.so", dir);
    struct sigaction sa = {.sa_sigaction = on_fresh, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &sa, NULL);
    uint64_t refreshes, from_maps0, from_maps1;
    lg_modules_get_stats(&refreshes, &from_maps0);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        check(false, dlerror());
        return;
    }
    int before = ut_signals;
    for (int i = 0; i < 4; i++) {
        ut_ctx c = {.leaf = leaf_raise, .exe = ut_exe_dispatch, .arg = (void *)(intptr_t)SIGUSR1, .salt = i};
        c.lib = (ut_dispatch_fn)dlsym(h, "ut_dl_dispatch");
        ut_exe_dispatch(7 + i, &c);
    }
    lg_modules_get_stats(&refreshes, &from_maps1);
    check(ut_signals - before == 4, "every signal in the fresh module handled");
    check(from_maps1 > from_maps0, "the fresh module was found through /proc/self/maps");
    ut_dlclose(h);
}

int main(int argc, char **argv)
{
    (void)argc;
    lg_unwind_init();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", argv[0]);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");

    test_chain();
    test_memo();
    test_deep();
    test_midrule();
    test_head();
    test_from();
    test_signals();
    test_async();
    test_threads();
    test_dlopen(dir);
    test_dlopen_reuse(dir);
#ifndef UT_TINY_TABLE /* there, a handler's walk misses, and a miss takes the loader's lock */
    test_nested();
#endif
    test_loader_lock_held();
    test_fresh_module(dir);

    check(ut_hash_wrong == 0, "every fast walk's hash is its frames' hash");

    lg_unwind_stats st;
    lg_unwind_get_stats(&st);
    printf("cache: %llu hits (main thread), %llu misses, %llu invalidations\n", (unsigned long long)st.hits,
           (unsigned long long)st.misses, (unsigned long long)st.invalidations);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
