// A thread stuck inside the allocator, holding a heap lock, does not hang
// the exit: the scan waits for the heap's locks at most 5 s, then says it
// skipped, and the program exits with its own status.  The thread is stuck
// in the program's own mprotect (exported with -rdynamic, so the runtime's
// commit of a fresh size class calls it with that class's lock held) — as a
// thread stopped by a debugger inside malloc would be.
// CFLAGS: -O1 -g -fno-builtin -rdynamic
// VARIANT: -O0 -g -fno-builtin -rdynamic
// VARIANT: -O2 -g -fno-builtin -rdynamic
// EXPECT-NO-KIND: leak
// EXPECT-EXIT: 0
// EXPECT-STDOUT: stuck in the allocator
// EXPECT-TEXT: leak scan skipped: a heap lock stayed taken
// EXPECT-SUMMARY: .leak_scan_skipped == 1
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int stuck_tid, stuck;

int mprotect(void *addr, size_t len, int prot)
{
    if (stuck_tid && syscall(SYS_gettid) == stuck_tid) {
        stuck = 1;
        for (;;) pause();
    }
    return (int)syscall(SYS_mprotect, addr, len, prot);
}

static void *worker(void *arg)
{
    (void)arg;
    stuck_tid = (int)syscall(SYS_gettid);
    void *p = malloc(70000); /* a size class nothing used yet: its first commit */
    (void)p;
    return NULL;
}

int main(void)
{
    void *volatile lost = malloc(40);
    lost = NULL;
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    for (int i = 0; i < 2000 && !stuck; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    printf("%s\n", stuck ? "stuck in the allocator" : "never stuck");
    fflush(stdout);
    return 0;
}
