/* rt_leaks_exit.c — where the exit began on the exiting thread's stack.
 *
 * At exit the scan reads the calling thread's stack as a root.  Below the
 * frame that called exit() — or below _start's, when main returned — lie
 * only the exit path's frames, laid over the dead frames of the program's
 * earlier calls: a pointer left there by a returned helper would keep a
 * leaked block "reachable".  So, as LeakSanitizer does, the exit scan reads
 * that stack only from the stack pointer recorded when the exit began.
 * exit() and __libc_start_main are interposed by a few instructions that
 * record it and jump on: no frame of the runtime stays on the program's
 * stack (reports show none), the program's arguments stay untouched. */
#include "rt_leaks.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#define HIDDEN __attribute__((visibility("hidden"), used))

HIDDEN uintptr_t rt_exit_began;                /* exit()'s caller's stack pointer */
HIDDEN uintptr_t rt_exit_regs[RT_SAVED_REGS];  /* the callee-saved registers exit() got */
HIDDEN uintptr_t rt_start_began;               /* _start's stack pointer (main's thread) */
HIDDEN void *rt_exit_next, *rt_start_next;     /* glibc's own */

_Static_assert(RT_SAVED_REGS == 6, "the assembly below saves rbx, rbp, r12-r15");

/* Called instead when the loader has not run our constructor yet (an exit
 * from another library's constructor). */
HIDDEN __attribute__((noreturn)) void rt_exit_unresolved(int status)
{
    void (*next)(int) = (void (*)(int))dlsym(RTLD_NEXT, "exit");
    if (next) next(status);
    _exit(status);
}

__asm__(".text\n"
        ".globl exit\n"
        ".type exit, @function\n"
        "exit:\n"
        "  cmpq $0, rt_exit_began(%rip)\n" /* the first exit wins (an atexit handler calling exit) */
        "  jne 1f\n"
        "  mov %rbx, rt_exit_regs(%rip)\n"
        "  mov %rbp, rt_exit_regs+8(%rip)\n"
        "  mov %r12, rt_exit_regs+16(%rip)\n"
        "  mov %r13, rt_exit_regs+24(%rip)\n"
        "  mov %r14, rt_exit_regs+32(%rip)\n"
        "  mov %r15, rt_exit_regs+40(%rip)\n"
        "  lea 8(%rsp), %rax\n"          /* above the return address: the caller's sp */
        "  mov %rax, rt_exit_began(%rip)\n"
        "1:\n"
        "  mov rt_exit_next(%rip), %rax\n"
        "  test %rax, %rax\n"
        "  jz rt_exit_unresolved\n"
        "  jmp *%rax\n"
        ".size exit, .-exit\n"
        "\n"
        ".globl __libc_start_main\n"
        ".type __libc_start_main, @function\n"
        "__libc_start_main:\n"
        "  lea 8(%rsp), %rax\n"
        "  mov %rax, rt_start_began(%rip)\n"
        "  mov rt_start_next(%rip), %rax\n"
        "  jmp *%rax\n"
        ".size __libc_start_main, .-__libc_start_main\n");

/* Before _start: preloaded libraries are initialised before the program runs. */
__attribute__((constructor)) static void resolve_next(void)
{
    rt_exit_next = dlsym(RTLD_NEXT, "exit");
    rt_start_next = dlsym(RTLD_NEXT, "__libc_start_main");
}

uintptr_t rt_exit_sp(uintptr_t regs[RT_SAVED_REGS])
{
    uintptr_t sp = __atomic_load_n(&rt_exit_began, __ATOMIC_ACQUIRE);
    if (sp) {
        for (int i = 0; i < RT_SAVED_REGS; i++) regs[i] = rt_exit_regs[i];
        return sp;
    }
    for (int i = 0; i < RT_SAVED_REGS; i++) regs[i] = 0;
    /* main returned: libc called exit itself, on main's thread */
    return lg_pal_tid() == lg_pal_pid() ? rt_start_began : 0;
}
