/* rt_signal.c — SIGSEGV and SIGBUS: lifeguard's faults reported, the
 * program's own passed on.
 *
 * The handler is a thin caller of the core's fault reporter (lg_fault.c):
 * it fills an lg_fault from the siginfo and the saved context and acts on
 * the verdict.  Faults lifeguard caused (its poison, guard pages, freed
 * blocks' pages, the heap's reserved space) are heap errors: reported,
 * then the program stops with `exitcode`; one the suppressions hide on a
 * guarded block resumes, its page made accessible (lg_fault_handle).
 * Anything else is the program's:
 *   - a signal that is not a fault (raise, kill, sigqueue: si_code <= 0)
 *     and a fault the program has its own handler for go to that handler,
 *     or take their default action, exactly as without lifeguard;
 *   - an unhandled crash is reported as `segv`, then the program dies by
 *     the same signal (its exit status and core dump are its own).
 * sigaction and signal are interposed for SIGSEGV and SIGBUS: the program's
 * handler is recorded and called from here, so installing one (or SIG_DFL)
 * cannot switch lifeguard's detection off, and the program sees the
 * handler it installed when it asks.  The handler reads that record
 * without a lock (a two-slot table published by a generation number), so
 * a fault or a kill() arriving while some thread is inside sigaction
 * cannot deadlock.
 *
 * Every thread gets an alternate signal stack, so that a fault on a stack
 * that is nearly exhausted is still reported: the main thread at start-up,
 * every other one when pthread_create (interposed) starts it; a stack the
 * program gives a thread itself (sigaltstack) is left in place. */
#include "rt_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "../core/lg_fault.h"
#include "../platform/lg_linux_modules.h"

#define ALT_STACK_BYTES (128u << 10)

int __sigaction(int sig, const struct sigaction *act, struct sigaction *old); /* glibc's own */

static __thread int in_fault RT_TLS;
static bool installed;

/* What the program installed (or found at start) for SIGSEGV [0] and
 * SIGBUS [1].  Writers (sigaction, under writer_lock, which the signal
 * handler never takes) fill the slot the handler is not reading, then
 * publish it by bumping gen: act[gen & 1] is current.  A reader copies
 * the current slot and checks gen did not move meanwhile.  A one-shot
 * handler (SA_RESETHAND) that has been delivered is marked by reset_at =
 * gen + 1, with no write to the slots. */
typedef struct program_handler {
    struct sigaction act[2];
    uint32_t gen;
    uint32_t reset_at;
} program_handler;
static program_handler program[2];
static lg_lock_t writer_lock = LG_LOCK_INIT;

static int slot_of(int sig)
{
    return sig == SIGSEGV ? 0 : sig == SIGBUS ? 1 : -1;
}

static void default_action(struct sigaction *act)
{
    memset(act, 0, sizeof(*act));
    act->sa_handler = SIG_DFL;
}

/* The program's current action for slot s, as of generation *gen_out. */
static void program_read(int s, struct sigaction *out, uint32_t *gen_out)
{
    program_handler *h = &program[s];
    uint32_t gen;
    for (int tries = 0;; tries++) {
        gen = __atomic_load_n(&h->gen, __ATOMIC_ACQUIRE);
        memcpy(out, &h->act[gen & 1], sizeof(*out));
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        /* Moved: two sigaction calls raced the copy; after many, a thread
         * calling sigaction in a loop would keep the copy torn anyway. */
        if (__atomic_load_n(&h->gen, __ATOMIC_RELAXED) == gen || tries == 64) break;
    }
    if (__atomic_load_n(&h->reset_at, __ATOMIC_ACQUIRE) == gen + 1) default_action(out);
    if (gen_out) *gen_out = gen;
}

static void program_write(int s, const struct sigaction *act)
{
    program_handler *h = &program[s];
    uint32_t next = h->gen + 1;
    memcpy(&h->act[next & 1], act, sizeof(*act));
    __atomic_store_n(&h->gen, next, __ATOMIC_RELEASE);
}

static lg_access access_of(const siginfo_t *si, const void *uc)
{
#if defined(__x86_64__)
    const ucontext_t *ctx = uc;
    if (si->si_code == SI_KERNEL) return LG_ACCESS_UNKNOWN; /* general protection: no page-fault error code */
    /* x86-64 page-fault error code: bit 1 is set for writes. */
    return (ctx->uc_mcontext.gregs[REG_ERR] & 2) ? LG_ACCESS_WRITE : LG_ACCESS_READ;
#else
    (void)si;
    (void)uc;
    return LG_ACCESS_UNKNOWN;
#endif
}

/* Ends the process as the signal would without lifeguard. */
static void die_by(int sig, const siginfo_t *si)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    __sigaction(sig, &dfl, NULL);
    if (si->si_code > 0) return; /* a real fault: the instruction runs again and faults, now fatally */
    raise(sig);                   /* pending until unblocked: it is blocked in its handler */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* Runs what the program asked for this signal, as the kernel would have. */
static void to_program(int sig, siginfo_t *si, void *uc)
{
    int s = slot_of(sig);
    struct sigaction act;
    uint32_t gen;
    program_read(s, &act, &gen);
    if (act.sa_handler != SIG_DFL && act.sa_handler != SIG_IGN && (act.sa_flags & SA_RESETHAND) &&
        __atomic_exchange_n(&program[s].reset_at, gen + 1, __ATOMIC_ACQ_REL) == gen + 1)
        default_action(&act); /* another thread's delivery took the one shot */
    if (act.sa_handler == SIG_DFL) {
        die_by(sig, si);
        return;
    }
    if (act.sa_handler == SIG_IGN) {
        if (si->si_code > 0) die_by(sig, si); /* an ignored fault cannot be ignored: the kernel kills */
        return;
    }
    sigset_t mask = ((ucontext_t *)uc)->uc_sigmask;
    for (int i = 1; i < NSIG; i++)
        if (sigismember(&act.sa_mask, i) == 1) sigaddset(&mask, i);
    if (!(act.sa_flags & SA_NODEFER)) sigaddset(&mask, sig);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    if (act.sa_flags & SA_SIGINFO) act.sa_sigaction(sig, si, uc);
    else act.sa_handler(sig);
}

static bool program_handles(int sig)
{
    struct sigaction act;
    program_read(slot_of(sig), &act, NULL);
    return act.sa_handler != SIG_DFL && act.sa_handler != SIG_IGN;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    if (si->si_code <= 0) { /* sent, not a fault */
        to_program(sig, si, uc);
        return;
    }
    if (sig == SIGBUS && rt_guard_sites_lost((uintptr_t)si->si_addr)) return;
    lg_fault f = {
        .addr = (uintptr_t)si->si_addr,
        .access = access_of(si, uc),
        .tid = lg_pal_tid(),
        .bus = sig == SIGBUS,
        .addr_unknown = si->si_code == SI_KERNEL,
    };
    if (in_fault) { /* a fault while reporting one: give up quietly */
        die_by(sig, si);
        return;
    }
    if (!lg_fault_is_heap(&f) && program_handles(sig)) {
        to_program(sig, si, uc);
        return;
    }
    in_fault = 1;
    rt_busy++;
    /* The stack and the report's module names come from the modules'
     * snapshot: the loader's lock may be held by a thread waiting for this
     * one (or by the faulting code itself). */
    lg_modules_signal_enter();
    f.stack = rt_capture_context(uc);
    lg_fault_verdict verdict = lg_fault_handle(&f);
    if (verdict != LG_FAULT_RESUME) {
        lg_guard_summary(); /* the exit checks will not run: the last flush has it */
        lg_report_flush();
        lg_report_summary_line();
        if (verdict == LG_FAULT_STOP) lg_pal_die((int)lg_opt.exitcode);
    }
    lg_modules_signal_leave();
    rt_busy--;
    in_fault = 0;
    if (verdict == LG_FAULT_CRASH) die_by(sig, si);
    /* LG_FAULT_RESUME: returning runs the instruction again, on memory now accessible. */
}

/* ---- alternate signal stacks, one a thread ----------------------------------- */

/* Each thread's value: the alternate stack lifeguard gave it, unmapped at
 * its exit. */
static pthread_key_t alt_stack_key;
static bool alt_stack_key_made;

/* Gives the calling thread an alternate signal stack unless it has one. */
static void alt_stack_attach(void)
{
    stack_t old;
    if (sigaltstack(NULL, &old) != 0 || !(old.ss_flags & SS_DISABLE)) return; /* the program's own */
    stack_t ss;
    memset(&ss, 0, sizeof(ss));
    ss.ss_sp = lg_pal_map(ALT_STACK_BYTES);
    ss.ss_size = ALT_STACK_BYTES;
    if (!ss.ss_sp) return;
    if (sigaltstack(&ss, NULL) != 0) {
        lg_pal_unmap(ss.ss_sp, ALT_STACK_BYTES);
        return;
    }
    if (alt_stack_key_made) pthread_setspecific(alt_stack_key, ss.ss_sp);
}

/* At thread exit: switched off first if it is still the one in use (a
 * signal arriving later runs on the thread's stack), then unmapped. */
static void alt_stack_detach(void *sp)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) != 0) return;
    if (cur.ss_sp == sp && !(cur.ss_flags & SS_DISABLE)) {
        if (cur.ss_flags & SS_ONSTACK) return; /* running on it (a handler ending the thread): leave it */
        stack_t off;
        memset(&off, 0, sizeof(off));
        off.ss_flags = SS_DISABLE;
        if (sigaltstack(&off, NULL) != 0) return;
    }
    lg_pal_unmap(sp, ALT_STACK_BYTES);
}

typedef struct thread_start {
    void *(*routine)(void *);
    void *arg;
} thread_start;

static void *start_with_alt_stack(void *p)
{
    thread_start start = *(thread_start *)p;
    lg_pal_unmap(p, sizeof(thread_start));
    alt_stack_attach();
    return start.routine(start.arg);
}

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static pthread_create_fn real_pthread_create;

RT_EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*routine)(void *), void *arg)
{
    pthread_create_fn real = __atomic_load_n(&real_pthread_create, __ATOMIC_ACQUIRE);
    if (!real) {
        rt_busy++;
        real = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
        rt_busy--;
        if (!real) return EAGAIN;
        __atomic_store_n(&real_pthread_create, real, __ATOMIC_RELEASE);
    }
    if (!__atomic_load_n(&installed, __ATOMIC_ACQUIRE)) return real(thread, attr, routine, arg);
    /* Not from the heap: the program's leak report and its counts stay its own. */
    thread_start *start = lg_pal_map(sizeof(thread_start));
    if (!start) return real(thread, attr, routine, arg);
    start->routine = routine;
    start->arg = arg;
    int r = real(thread, attr, start_with_alt_stack, start);
    if (r != 0) lg_pal_unmap(start, sizeof(thread_start));
    return r;
}

void rt_signals_install(void)
{
    rt_busy++;
    alt_stack_key_made = pthread_key_create(&alt_stack_key, alt_stack_detach) == 0;
    rt_busy--;
    alt_stack_attach();

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    lg_lock(&writer_lock);
    struct sigaction found[2];
    __sigaction(SIGSEGV, &sa, &found[0]);
    __sigaction(SIGBUS, &sa, &found[1]);
    program_write(0, &found[0]);
    program_write(1, &found[1]);
    __atomic_store_n(&installed, true, __ATOMIC_RELEASE);
    lg_unlock(&writer_lock);
}

/* ---- the program's side: sigaction and signal, interposed ------------------ */

RT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    int s = slot_of(sig);
    if (s < 0 || !__atomic_load_n(&installed, __ATOMIC_ACQUIRE)) return __sigaction(sig, act, old);
    struct sigaction want, had;
    if (act) want = *act; /* a bad pointer faults here, outside the lock */
    lg_lock(&writer_lock);
    program_read(s, &had, NULL);
    if (act) program_write(s, &want);
    lg_unlock(&writer_lock);
    if (old) *old = had;
    return 0;
}

/* signal() with glibc's BSD semantics (sysv: one-shot, not masked). */
static void (*set_handler(int sig, void (*handler)(int), int flags))(int)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof(act));
    act.sa_handler = handler;
    act.sa_flags = flags;
    sigemptyset(&act.sa_mask);
    if (!(flags & SA_NODEFER) && sig > 0 && sig < NSIG) sigaddset(&act.sa_mask, sig);
    if (sigaction(sig, &act, &old) < 0) return SIG_ERR;
    return old.sa_handler;
}

RT_EXPORT void (*signal(int sig, void (*handler)(int)))(int)
{
    return set_handler(sig, handler, SA_RESTART);
}

RT_EXPORT void (*bsd_signal(int sig, void (*handler)(int)))(int)
{
    return set_handler(sig, handler, SA_RESTART);
}

RT_EXPORT void (*sysv_signal(int sig, void (*handler)(int)))(int)
{
    return set_handler(sig, handler, SA_RESETHAND | SA_NODEFER);
}

RT_EXPORT void (*__sysv_signal(int sig, void (*handler)(int)))(int)
{
    return set_handler(sig, handler, SA_RESETHAND | SA_NODEFER);
}
