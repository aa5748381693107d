// A pointer held only in a callee-saved register (r15) of the function that
// calls exit() keeps its block: the exit path saves that register below
// where the exit began, so exit() records the registers it was called with.
// EXPECT-CLEAN
// EXPECT-STDOUT: holding
#include <stdio.h>
#include <stdlib.h>

/* exit_holding(p): p in r15 only, then exit(0). */
void exit_holding(void *p);
__asm__(".text\n"
        ".globl exit_holding\n"
        "exit_holding:\n"
        "  push %r15\n"
        "  mov %rdi, %r15\n"
        "  xor %edi, %edi\n"
        "  call exit@PLT\n");

__attribute__((noinline)) static void *make_held(void)
{
    char *p = malloc(80);
    p[0] = 1;
    return p;
}

int main(void)
{
    printf("holding\n");
    fflush(stdout);
    exit_holding(make_held());
}
