// A block whose only pointer is in the upper half of a 256-bit register
// (ymm15 bits 128-191: not in xmm15, so not in the legacy FXSAVE area) of
// another thread, blocked in a system call, is not a leak: the scan reads
// the AVX part of the stopped thread's XSAVE area.  Once the thread clears
// the register, the block is reported.  Needs AVX (it says so otherwise).
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_held
// EXPECT-COUNT: 1
// EXPECT-STDOUT: kept in ymm15: 0 leaked
// EXPECT-STDOUT: after ymm15 cleared: 1 leaked
// OPTIONS: guard=off
// (guard=off: as register_vector)
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <lifeguard.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static volatile int ready, phase;
void *volatile handoff; /* the pointer, taken (and cleared) by hold_in_ymm */

/* hold_in_ymm(): takes the pointer out of handoff, scrubs the stack below,
 * keeps it in the upper half of ymm15 only (no general register, no stack
 * slot), sleeps in nanosleep system calls (a 1 ms timespec on the stack)
 * until phase becomes 1; clears ymm15, sleeps again until phase becomes 2. */
void hold_in_ymm(void);
void scrub_stack(void);
__asm__(".text\n"
        ".globl hold_in_ymm\n"
        "hold_in_ymm:\n"
        "  push %rbx\n"
        "  sub $32, %rsp\n"
        "  mov handoff(%rip), %rbx\n"
        "  movq $0, handoff(%rip)\n"
        "  call scrub_stack\n"
        "  vpxor %ymm15, %ymm15, %ymm15\n"
        "  vmovq %rbx, %xmm0\n"
        "  vinsertf128 $1, %xmm0, %ymm15, %ymm15\n"
        "  vpxor %xmm0, %xmm0, %xmm0\n"   /* VEX: clears ymm0 whole */
        "  xor %ebx, %ebx\n"
        "  xor %edi, %edi\n"
        "  lea -1024(%rsp), %rax\n"     /* wipe what scrub_stack saved below us */
        "0:\n"
        "  movq $0, (%rax)\n"
        "  add $8, %rax\n"
        "  cmp %rsp, %rax\n"
        "  jb 0b\n"
        "  movq $0, 16(%rsp)\n"          /* our own frame: make_held's dead slots */
        "  movq $0, 24(%rsp)\n"
        "  movq $0, 0(%rsp)\n"
        "  movq $1000000, 8(%rsp)\n"
        "  movl $1, ready(%rip)\n"
        "1:\n"
        "  mov $35, %eax\n"             /* nanosleep */
        "  mov %rsp, %rdi\n"
        "  xor %esi, %esi\n"
        "  syscall\n"
        "  mov phase(%rip), %eax\n"
        "  test %eax, %eax\n"
        "  jz 1b\n"
        "  vpxor %ymm15, %ymm15, %ymm15\n"
        "  movl $2, ready(%rip)\n"
        "2:\n"
        "  mov $35, %eax\n"
        "  mov %rsp, %rdi\n"
        "  xor %esi, %esi\n"
        "  syscall\n"
        "  mov phase(%rip), %eax\n"
        "  cmp $2, %eax\n"
        "  jne 2b\n"
        "  add $32, %rsp\n"
        "  pop %rbx\n"
        "  ret\n");

__attribute__((noinline)) void scrub_stack(void)
{
    volatile char junk[8192];
    for (size_t i = 0; i < sizeof(junk); i++) junk[i] = 0;
}

__attribute__((noinline)) static void *make_held(void)
{
    char *p = malloc(96);
    p[0] = 1;
    return p;
}

static void *worker(void *arg)
{
    (void)arg;
    handoff = make_held(); /* not in a slot of this frame, even at -O0 */
    hold_in_ymm();
    return NULL;
}

int main(void)
{
    if (!__builtin_cpu_supports("avx")) {
        printf("this machine has no AVX: nothing to test\n");
        return 0;
    }
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (ready != 1) sched_yield();
    printf("kept in ymm15: %zu leaked\n", lg_leak_check());
    phase = 1;
    while (ready != 2) sched_yield();
    printf("after ymm15 cleared: %zu leaked\n", lg_leak_check());
    phase = 2;
    pthread_join(t, NULL);
    return 0;
}
