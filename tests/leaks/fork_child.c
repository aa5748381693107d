// A child forked while another thread holds a block where the scan cannot
// see it (here a disguised pointer; in real programs a register of a thread
// that did not come along) does not report it: the block is the parent's.
// What the child itself allocates and drops is its leak.
// EXPECT-CLEAN
// EXPECT-EXIT: 1
// (the program's own report is clean; the child's leak counts in the run's
// exit status, as every process's errors do: docs/CLI.md)
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: child leaked 1
// EXPECT-STDOUT: parent: worker done
#include <lifeguard.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scrub.h"

static int fds[2];
static volatile int holding;

#define DISGUISE ((uintptr_t)0x5a5a5a5a5a5a5a5aull)

static void *worker(void *arg)
{
    (void)arg;
    volatile uintptr_t hidden = (uintptr_t)malloc(48) ^ DISGUISE;
    holding = 1;
    char c;
    if (read(fds[0], &c, 1) != 1) return NULL;
    free((void *)(hidden ^ DISGUISE));
    return NULL;
}

__attribute__((noinline)) static void child_drops(void)
{
    char *volatile lost = malloc(24);
    lost[0] = 2;
    lost = NULL;
}

int main(void)
{
    if (pipe(fds) != 0) return 1;
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!holding) usleep(1000);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        child_drops();
        scrub();
        printf("child leaked %zu\n", lg_leak_check());
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    if (write(fds[1], "x", 1) != 1) return 1;
    pthread_join(t, NULL);
    printf("parent: worker done\n");
    return 0;
}
