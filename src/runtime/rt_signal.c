/* rt_signal.c — SIGSEGV and SIGBUS: lifeguard's faults reported, the
 * program's own passed on.
 *
 * The handler is a thin caller of the core's fault reporter (lg_fault.c):
 * it fills an lg_fault from the siginfo and the saved context and acts on
 * the verdict.  Faults lifeguard caused (its poison, guard pages, freed
 * blocks' pages, the heap's reserved space) are heap errors: reported,
 * then the program stops with `exitcode`.  Anything else is the program's:
 *   - a signal that is not a fault (raise, kill, sigqueue: si_code <= 0)
 *     and a fault the program has its own handler for go to that handler,
 *     or take their default action, exactly as without lifeguard;
 *   - an unhandled crash is reported as `segv`, then the program dies by
 *     the same signal (its exit status and core dump are its own).
 * sigaction and signal are interposed for SIGSEGV and SIGBUS: the program's
 * handler is recorded and called from here, so installing one (or SIG_DFL)
 * cannot switch lifeguard's detection off, and the program sees the
 * handler it installed when it asks. */
#include "rt_internal.h"

#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "../core/lg_fault.h"

#define ALT_STACK_BYTES (128u << 10)

int __sigaction(int sig, const struct sigaction *act, struct sigaction *old); /* glibc's own */

static __thread int in_fault RT_TLS;
static bool installed;
static lg_lock_t program_lock = LG_LOCK_INIT;
/* What the program installed (or found at start) for SIGSEGV [0] and SIGBUS [1]. */
static struct sigaction program_action[2];

static int slot_of(int sig)
{
    return sig == SIGSEGV ? 0 : sig == SIGBUS ? 1 : -1;
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
    lg_lock(&program_lock);
    struct sigaction act = program_action[s];
    if (act.sa_handler != SIG_DFL && act.sa_handler != SIG_IGN && (act.sa_flags & SA_RESETHAND)) {
        program_action[s].sa_handler = SIG_DFL;
        program_action[s].sa_flags &= ~SA_SIGINFO;
    }
    lg_unlock(&program_lock);
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
    lg_lock(&program_lock);
    void (*h)(int) = program_action[slot_of(sig)].sa_handler;
    lg_unlock(&program_lock);
    return h != SIG_DFL && h != SIG_IGN;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    if (si->si_code <= 0) { /* sent, not a fault */
        to_program(sig, si, uc);
        return;
    }
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
    f.stack = rt_capture_context(uc);
    bool heap_error = lg_fault_report(&f);
    lg_report_flush();
    lg_report_summary_line();
    if (heap_error) lg_pal_die((int)lg_opt.exitcode);
    rt_busy--;
    in_fault = 0;
    die_by(sig, si);
}

void rt_signals_install(void)
{
    stack_t ss;
    memset(&ss, 0, sizeof(ss));
    ss.ss_sp = lg_pal_map(ALT_STACK_BYTES);
    ss.ss_size = ALT_STACK_BYTES;
    if (ss.ss_sp) sigaltstack(&ss, NULL);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    lg_lock(&program_lock);
    __sigaction(SIGSEGV, &sa, &program_action[0]);
    __sigaction(SIGBUS, &sa, &program_action[1]);
    __atomic_store_n(&installed, true, __ATOMIC_RELEASE);
    lg_unlock(&program_lock);
}

/* ---- the program's side: sigaction and signal, interposed ------------------ */

RT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    int s = slot_of(sig);
    if (s < 0 || !__atomic_load_n(&installed, __ATOMIC_ACQUIRE)) return __sigaction(sig, act, old);
    lg_lock(&program_lock);
    if (old) *old = program_action[s];
    if (act) program_action[s] = *act;
    lg_unlock(&program_lock);
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
