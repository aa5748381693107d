/* rt_signal.c — turning a crash into a report.
 *
 * A fault is explained from what the runtime knows about the address: a
 * poison value (a pointer read out of freed memory: which block, freed
 * where), a guard page or freed pages of a large block, or nothing known.
 * Then the process ends with `exitcode`, as after any fatal finding. */
#include "rt_internal.h"

#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define ALT_STACK_BYTES (128u << 10)

static volatile int in_fault;

static const char *access_word(const void *uc)
{
    const ucontext_t *ctx = uc;
    /* x86-64 page-fault error code: bit 1 is set for writes. */
    return (ctx->uc_mcontext.gregs[REG_ERR] & 2) ? "write" : "read";
}

static void report_fault(int sig, const siginfo_t *si, const void *uc)
{
    uintptr_t addr = (uintptr_t)si->si_addr;
    lg_stack_id access = rt_capture_context(uc);
    const char *what = access_word(uc);
    uint32_t qtag;
    lg_block b;
    lg_report *r;

    if (lg_poison_decode(addr, &qtag)) {
        r = lg_report_begin(LG_STALE_POINTER, access,
                            "a %s at 0x%lx through a pointer read out of freed memory (lifeguard's poison)", what,
                            (unsigned long)addr);
        lg_report_address(r, addr);
        lg_report_stack_of_thread(r, "access", access, "the faulting access", lg_pal_tid());
        lg_heap_report_stale_source(r, qtag);
    } else if (lg_heap_find(addr, &b)) {
        bool freed = b.meta->state != LG_BLOCK_LIVE;
        long long past = (long long)addr - (long long)(b.user + b.size);
        if (freed) {
            r = lg_report_begin(LG_USE_AFTER_FREE, access, "a %s at 0x%lx, inside the freed %zu-byte block at 0x%lx",
                                what, (unsigned long)addr, b.size, (unsigned long)b.user);
        } else if (addr >= b.user + b.size) {
            r = lg_report_begin(LG_HEAP_OVERFLOW, access, "a %s at 0x%lx, %lld bytes past the end of the %zu-byte block at 0x%lx",
                                what, (unsigned long)addr, past, b.size, (unsigned long)b.user);
        } else {
            r = lg_report_begin(LG_HEAP_OVERFLOW, access, "a %s at 0x%lx, %lld bytes before the %zu-byte block at 0x%lx",
                                what, (unsigned long)addr, (long long)(b.user - addr), b.size, (unsigned long)b.user);
        }
        lg_report_address(r, addr);
        lg_report_block(r, b.user, b.size);
        lg_report_stack_of_thread(r, "access", access, "the faulting access", lg_pal_tid());
        lg_heap_report_stacks(r, &b, freed ? "the block was freed here" : NULL, "the block was allocated here");
    } else {
        const char *desc = addr ? lg_pal_describe_address(addr) : "the null page";
        r = lg_report_begin(LG_SEGV, access, "%s on a %s at 0x%lx (%s)", sig == SIGBUS ? "bus error" : "segmentation fault",
                            what, (unsigned long)addr, desc);
        lg_report_address(r, addr);
        if (addr == 0 && si->si_code == SI_KERNEL)
            lg_report_note(r, "the address was not canonical: the pointer may hold a redzone pattern (0xfbfb...) or garbage");
        lg_report_stack_of_thread(r, "access", access, "the faulting access", lg_pal_tid());
        /* What heap block lies nearest below, if any within a page. */
        for (uintptr_t back = 16; back <= 4096; back += 16) {
            if (lg_heap_find_live(addr - back, &b)) {
                lg_report_note(r, "0x%lx is %zu bytes past the %zu-byte block at 0x%lx", (unsigned long)addr,
                               (size_t)(addr - b.user - b.size), b.size, (unsigned long)b.user);
                lg_heap_report_stacks(r, &b, NULL, "that block was allocated here");
                break;
            }
        }
    }
    lg_report_end(r);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    if (in_fault) { /* a fault while reporting one: give up quietly */
        signal(sig, SIG_DFL);
        return;
    }
    in_fault = 1;
    rt_busy++;
    report_fault(sig, si, uc);
    lg_report_flush();
    lg_pal_die((int)lg_opt.exitcode);
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
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}
