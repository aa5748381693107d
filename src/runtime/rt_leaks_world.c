/* rt_leaks_world.c — stopping every other thread while the leak scan runs.
 *
 * As LeakSanitizer does, the calling thread clones a tracer: a process that
 * shares our memory (CLONE_VM) but is not one of our threads, so it can
 * ptrace them.  It seizes every thread listed in /proc/PID/task (again until
 * no new one appears), interrupts each, waits for it to stop, copies its
 * registers into the shared rt_world, and tells the caller.  The caller
 * scans; then the tracer detaches them all (re-delivering any signal that
 * arrived meanwhile) and exits.  A ptrace stop is invisible to the program:
 * a thread blocked in a system call has the call restarted, no handler runs,
 * signal masks do not matter.  Every wait is bounded; a thread that cannot
 * be stopped (already traced, ptrace refused, no answer in time) is counted
 * in not_stopped and the scan treats its whole stack as a root.
 *
 * The tracer runs on a stack of its own with the caller's thread pointer:
 * it uses raw system calls only (no errno, no TLS, no locks, no libc). */
#include "rt_leaks.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

enum { PHASE_START = 0, PHASE_STOPPED = 1, PHASE_RELEASE = 2, PHASE_DONE = 3 };

#define MAX_THREADS 8192
#define TRACER_STACK (256u << 10)
#define STOP_WAIT_NS (3ull * 1000000000ull)     /* all threads to stop */
#define HOLD_MAX_NS (600ull * 1000000000ull)    /* the longest a scan may hold them */
#define CALLER_WAIT_NS (10ull * 1000000000ull)  /* the caller, for the tracer */
#define SP_INDEX 19                             /* rsp in struct user_regs_struct */

static long raw6(long n, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define raw(n, a, b, c, d) raw6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static uint64_t raw_now(void)
{
    struct timespec ts;
    raw(SYS_clock_gettime, CLOCK_MONOTONIC, &ts, 0, 0);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void raw_nap(long ns)
{
    struct timespec ts = {0, ns};
    raw(SYS_nanosleep, &ts, 0, 0, 0);
}

/* Waits while *word == value, at most ns (raw futex). */
static void raw_wait_while(int *word, int value, uint64_t ns)
{
    uint64_t deadline = raw_now() + ns;
    while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == value) {
        uint64_t now = raw_now();
        if (now >= deadline) return;
        uint64_t left = deadline - now;
        if (left > 100000000ull) left = 100000000ull;
        struct timespec ts = {0, (long)left};
        raw6(SYS_futex, (long)word, FUTEX_WAIT, value, (long)&ts, 0, 0);
    }
}

static void raw_wake(int *word)
{
    raw6(SYS_futex, (long)word, FUTEX_WAKE, 1 << 30, 0, 0, 0);
}

static bool known(const rt_world *w, int tid)
{
    for (uint32_t i = 0; i < w->count; i++)
        if (w->threads[i].tid == tid) return true;
    return false;
}

static void note_failure(rt_world *w, long err, const char *why)
{
    w->not_stopped++;
    if (!w->error) {
        w->error = (int)-err;
        w->why = why;
    }
}

/* One pass over /proc/PID/task: seizes and interrupts the threads not yet
 * known.  Returns how many it seized. */
static uint32_t seize_new(rt_world *w)
{
    char path[64] = "/proc/";
    size_t n = 6;
    char digits[16];
    int d = 0;
    for (unsigned v = (unsigned)w->parent_pid; v || !d; v /= 10) digits[d++] = (char)('0' + v % 10);
    while (d) path[n++] = digits[--d];
    const char *tail = "/task";
    while (*tail) path[n++] = *tail++;
    path[n] = 0;
    long fd = raw6(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0) {
        note_failure(w, fd, "cannot list /proc/PID/task");
        return 0;
    }
    uint32_t seized = 0;
    char buf[4096] __attribute__((aligned(8)));
    for (;;) {
        long got = raw(SYS_getdents64, fd, buf, sizeof(buf), 0);
        if (got <= 0) break;
        for (long off = 0; off < got;) {
            const char *rec = buf + off;
            unsigned short reclen = *(const unsigned short *)(rec + 16);
            const char *name = rec + 19;
            off += reclen;
            if (name[0] < '0' || name[0] > '9') continue;
            int tid = 0;
            for (const char *c = name; *c >= '0' && *c <= '9'; c++) tid = tid * 10 + (*c - '0');
            if (tid == w->caller_tid || known(w, tid)) continue;
            if (w->count >= w->cap) {
                note_failure(w, -ENOMEM, "too many threads");
                continue;
            }
            long r = raw(SYS_ptrace, PTRACE_SEIZE, tid, 0, 0);
            if (r < 0) {
                if (r != -ESRCH) note_failure(w, r, "ptrace(PTRACE_SEIZE) failed");
                continue; /* ESRCH: it has exited */
            }
            rt_world_thread *t = &w->threads[w->count++];
            t->tid = tid;
            t->stopped = false;
            t->pending_signal = 0;
            raw(SYS_ptrace, PTRACE_INTERRUPT, tid, 0, 0);
            seized++;
        }
    }
    raw(SYS_close, fd, 0, 0, 0);
    return seized;
}

/* Waits (bounded) for each seized thread to stop and takes its registers. */
static void wait_stops(rt_world *w, uint64_t deadline)
{
    for (uint32_t i = 0; i < w->count; i++) {
        rt_world_thread *t = &w->threads[i];
        if (t->stopped) continue;
        for (;;) {
            int status = 0;
            long r = raw(SYS_wait4, t->tid, &status, __WALL | WNOHANG, 0);
            if (r == t->tid && WIFSTOPPED(status)) {
                if ((status >> 16) != PTRACE_EVENT_STOP) t->pending_signal = WSTOPSIG(status);
                if (raw(SYS_ptrace, PTRACE_GETREGS, t->tid, 0, t->regs) == 0) {
                    t->sp = t->regs[SP_INDEX];
                    /* A pointer can live only in a vector register (a
                     * vectorized copy, a compiler's spill): roots too. */
                    struct iovec iov = {t->vregs, sizeof(t->vregs)};
                    if (raw(SYS_ptrace, PTRACE_GETREGSET, t->tid, NT_X86_XSTATE, &iov) != 0)
                        raw(SYS_ptrace, PTRACE_GETFPREGS, t->tid, 0, t->vregs); /* else: zeros, freshly mapped */
                    t->stopped = true;
                }
                break;
            }
            if (r < 0 || (r == t->tid && (WIFEXITED(status) || WIFSIGNALED(status)))) break; /* gone */
            if (raw_now() >= deadline) {
                note_failure(w, -ETIMEDOUT, "a thread did not stop in time");
                break;
            }
            raw_nap(200000);
        }
    }
}

static int tracer_main(void *arg)
{
    rt_world *w = arg;
    raw(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
    raw_wait_while(&w->go, 0, CALLER_WAIT_NS);
    if (__atomic_load_n(&w->go, __ATOMIC_ACQUIRE) == 1) {
        uint64_t deadline = raw_now() + STOP_WAIT_NS;
        /* Until a listing made after every known thread stopped finds no
         * new one: a stopped thread creates no thread. */
        for (int pass = 0; pass < 64 && raw_now() < deadline; pass++) {
            if (!seize_new(w)) break;
            wait_stops(w, deadline);
        }
        int expected = PHASE_START;
        if (__atomic_compare_exchange_n(&w->phase, &expected, PHASE_STOPPED, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            raw_wake(&w->phase);
            raw_wait_while(&w->phase, PHASE_STOPPED, HOLD_MAX_NS);
        }
    }
    for (uint32_t i = 0; i < w->count; i++)
        raw(SYS_ptrace, PTRACE_DETACH, w->threads[i].tid, 0, w->threads[i].pending_signal);
    __atomic_store_n(&w->phase, PHASE_DONE, __ATOMIC_RELEASE);
    raw_wake(&w->phase);
    return 0;
}

/* ---- the caller's side -------------------------------------------------------- */

static char *tracer_stack;
static rt_world_thread *threads_mem; /* w->threads, kept here when the scan must not read it */
static int tracer_pid;
static int restore_dumpable = -1;

static void wait_while(int *word, int value, uint64_t ns)
{
    raw_wait_while(word, value, ns);
}

static uint32_t count_other_threads(void)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return 0;
    uint32_t n = 0;
    char buf[4096] __attribute__((aligned(8)));
    long got;
    while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
        for (long off = 0; off < got; off += *(unsigned short *)(buf + off + 16))
            if (buf[off + 19] >= '0' && buf[off + 19] <= '9') n++;
    syscall(SYS_close, fd);
    return n ? n - 1 : 0;
}

void rt_world_stop(rt_world *w)
{
    lg_mem_set(w, 0, sizeof(*w));
    w->parent_pid = (int)lg_pal_pid();
    w->caller_tid = (int)syscall(SYS_gettid);
    if (count_other_threads() == 0) return; /* alone: nothing to stop */
    w->cap = MAX_THREADS;
    w->threads = threads_mem = lg_pal_map(MAX_THREADS * sizeof(rt_world_thread));
    tracer_stack = lg_pal_map(TRACER_STACK);
    if (!w->threads || !tracer_stack) {
        w->not_stopped = count_other_threads();
        w->why = "out of memory";
        return;
    }
    int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (dumpable == 0 && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0) restore_dumpable = 0;
    tracer_pid = clone(tracer_main, tracer_stack + TRACER_STACK, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED, w);
    if (tracer_pid <= 0) {
        tracer_pid = 0;
        w->not_stopped = count_other_threads();
        w->error = errno;
        w->why = "clone of the tracer failed";
        return;
    }
    prctl(PR_SET_PTRACER, (unsigned long)tracer_pid, 0, 0, 0); /* Yama; fails harmlessly without it */
    __atomic_store_n(&w->go, 1, __ATOMIC_RELEASE);
    raw_wake(&w->go);
    wait_while(&w->phase, PHASE_START, CALLER_WAIT_NS);
    int expected = PHASE_START;
    if (__atomic_compare_exchange_n(&w->phase, &expected, PHASE_RELEASE, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        /* The tracer never answered: scan with the world running. */
        w->not_stopped = count_other_threads();
        w->why = "the tracer did not answer in time";
        w->threads = NULL; /* still the tracer's: the scan must not read it */
    }
}

void rt_world_resume(rt_world *w)
{
    if (tracer_pid) {
        if (__atomic_load_n(&w->phase, __ATOMIC_ACQUIRE) == PHASE_STOPPED)
            __atomic_store_n(&w->phase, PHASE_RELEASE, __ATOMIC_RELEASE);
        raw_wake(&w->phase);
        wait_while(&w->phase, PHASE_RELEASE, CALLER_WAIT_NS);
        bool reaped = false;
        uint64_t deadline = lg_pal_now_ns() + CALLER_WAIT_NS;
        while (!reaped && lg_pal_now_ns() < deadline) {
            int status;
            long r = raw(SYS_wait4, tracer_pid, &status, __WALL | WNOHANG, 0);
            if (r == tracer_pid || r == -ECHILD) reaped = true;
            else raw_nap(100000);
        }
        prctl(PR_SET_PTRACER, 0, 0, 0, 0);
        tracer_pid = 0;
        if (!reaped) { /* the tracer may still use them: leave them mapped */
            tracer_stack = NULL;
            threads_mem = NULL;
        }
    }
    if (restore_dumpable == 0) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    restore_dumpable = -1;
    w->stopped = 0;
    for (uint32_t i = 0; w->threads && i < w->count; i++) w->stopped += w->threads[i].stopped;
    if (tracer_stack) lg_pal_unmap(tracer_stack, TRACER_STACK);
    if (threads_mem) lg_pal_unmap(threads_mem, MAX_THREADS * sizeof(rt_world_thread));
    tracer_stack = NULL;
    threads_mem = NULL;
    w->threads = NULL;
}
