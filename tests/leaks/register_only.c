// A block whose only pointer is in a callee-saved register (r15) of another
// thread, blocked in a system call, is not a leak: the scan reads the
// stopped thread's registers.  Once the thread clears the register, the
// block is reported.
// guard=off: hold()'s frame has an 8-byte pad it never writes, which the
// deeper guarded allocation path leaves holding the pointer (a dead value
// in a live frame, which no scan can tell from a real one).
// OPTIONS: guard=off
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_held
// EXPECT-COUNT: 1
// EXPECT-STDOUT: kept in r15: 0 leaked
// EXPECT-STDOUT: after r15 cleared: 1 leaked
// EXPECT-STDOUT: nanosleep completed
#include <lifeguard.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int ready, phase;

/* hold(p): keeps p in r15 only, scrubs the stack below, then sleeps in
 * nanosleep system calls (a 1 ms timespec on the stack) until phase becomes
 * 1; clears r15 and sleeps again until phase becomes 2.  Returns nothing. */
void hold(void *p);
void scrub_and_signal(void);
__asm__(".text\n"
        ".globl hold\n"
        "hold:\n"
        "  push %r15\n"
        "  push %rbx\n"
        "  sub $24, %rsp\n"            /* timespec at 0(%rsp), aligned */
        "  mov %rdi, %r15\n"
        "  xor %edi, %edi\n"
        "  call scrub_and_signal\n"
        "  movq $0, 0(%rsp)\n"
        "  movq $1000000, 8(%rsp)\n"
        "1:\n"
        "  mov $35, %eax\n"             /* nanosleep */
        "  mov %rsp, %rdi\n"
        "  xor %esi, %esi\n"
        "  syscall\n"
        "  mov phase(%rip), %eax\n"
        "  test %eax, %eax\n"
        "  jz 1b\n"
        "  xor %r15d, %r15d\n"
        "  movl $2, ready(%rip)\n"
        "2:\n"
        "  mov $35, %eax\n"
        "  mov %rsp, %rdi\n"
        "  xor %esi, %esi\n"
        "  syscall\n"
        "  mov phase(%rip), %eax\n"
        "  cmp $2, %eax\n"
        "  jne 2b\n"
        "  add $24, %rsp\n"
        "  pop %rbx\n"
        "  pop %r15\n"
        "  ret\n");

__attribute__((noinline)) void scrub_and_signal(void)
{
    volatile char junk[8192];
    for (size_t i = 0; i < sizeof(junk); i++) junk[i] = 0;
    ready = 1;
}

__attribute__((noinline)) static void *make_held(void)
{
    return malloc(96);
}

__attribute__((noinline)) static void start_holding(void)
{
    hold(make_held());
}

static void *worker(void *arg)
{
    (void)arg;
    start_holding();
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 300000000}, left = {0, 0};
    int r = nanosleep(&ts, &left); /* the scan must not cut it short */
    printf("nanosleep %s\n", r == 0 ? "completed" : "interrupted");
    return NULL;
}

int main(void)
{
    pthread_t t, s;
    pthread_create(&t, NULL, worker, NULL);
    pthread_create(&s, NULL, sleeper, NULL);
    while (ready != 1) sched_yield();
    printf("kept in r15: %zu leaked\n", lg_leak_check());
    phase = 1;
    while (ready != 2) sched_yield();
    printf("after r15 cleared: %zu leaked\n", lg_leak_check());
    phase = 2;
    pthread_join(t, NULL);
    pthread_join(s, NULL);
    return 0;
}
