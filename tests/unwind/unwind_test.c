/* unwind_test.c — lg_unwind_fast must give exactly the stacks that
 * lg_unwind_slow and libunwind (the reference, linked into this test only)
 * give: through a call chain that crosses between the executable and a
 * shared library, from signal handlers (lg_unwind_from_context, on the
 * thread's stack and on a signal stack, synchronous and asynchronous), in
 * several threads at once, and across dlopen/dlclose of modules that land
 * at the same address.  Ends with "N passed, N failed". */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
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

static void compare_here(const char *what, bool with_ref)
{
    uintptr_t pcs[3][MAXF];
    uint32_t n[3] = {0, 0, 0};
    capture_all(pcs, n, MAXF);
    same(what, "fast", pcs[FAST], n[FAST], "slow", pcs[SLOW], n[SLOW]);
    if (with_ref) same(what, "fast", pcs[FAST], n[FAST], "libunwind", pcs[REF], n[REF]);
}

/* ---- 1. the call chain ------------------------------------------------------ */

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
        /* pcs[FAST] lacks capture_all's frame: its [2] is the full stack's [3]. */
        ok &= got == k && memcmp(pcs[FAST] + 2, pcs[SLOW] + 3, (k > 2 ? k - 2 : 0) * sizeof(uintptr_t)) == 0;
    }
    check(ok, "fast stacks cut at max are prefixes of the full stack");
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

static bool in_module(uintptr_t pc)
{
    Dl_info di;
    return dladdr((void *)pc, &di) != 0;
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
     * stop and libunwind walks on into garbage: accept that, and count it. */
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
        dlclose(h);
    }
    lg_unwind_get_stats(&after);
    check(after.invalidations > before.invalidations, "dlclose invalidated the cache");
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
    test_signals();
    test_async();
    test_threads();
    test_dlopen(dir);

    lg_unwind_stats st;
    lg_unwind_get_stats(&st);
    printf("cache: %llu hits (main thread), %llu misses, %llu invalidations\n", (unsigned long long)st.hits,
           (unsigned long long)st.misses, (unsigned long long)st.invalidations);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
