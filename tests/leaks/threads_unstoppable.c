// A thread the scan cannot stop (another process already traces it, as a
// debugger would): lg_leak_check() does not hang, scans that thread's whole
// stack (its block is kept), still finds main's leak, and says in the
// finding that a thread could not be stopped.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_dropped
// EXPECT-COUNT: 1
// EXPECT-JQ: (.notes // []) | any(contains("could not be stopped"))
// EXPECT-STDOUT: check 1
// EXPECT-EXIT: 1
// (main's leak counts in the run's status although the program _exit(0)s)
// NO-SUMMARY: the program ends with _exit(), which runs no exit hook
#define _GNU_SOURCE
#include <lifeguard.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t worker_tid;

static void *worker(void *arg)
{
    (void)arg;
    char *volatile mine = malloc(48);
    mine[0] = 1;
    worker_tid = (pid_t)syscall(SYS_gettid);
    for (;;) usleep(1000);
    return NULL;
}

__attribute__((noinline)) static void make_dropped(void)
{
    char *volatile p = malloc(200);
    p[0] = 0;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!worker_tid) usleep(1000);
    int ready[2];
    if (pipe(ready)) return 2;
    pid_t child = fork();
    if (child == 0) { /* the "debugger": seizes the worker and keeps it */
        char ok = ptrace(PTRACE_SEIZE, worker_tid, 0, 0) == 0 ? 'y' : 'n';
        (void)write(ready[1], &ok, 1);
        for (;;) pause();
    }
    char ok = 'n';
    (void)read(ready[0], &ok, 1);
    if (ok != 'y') {
        puts("cannot trace here: check 1 (skipped)");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return 0;
    }
    make_dropped();
    printf("check %zu\n", lg_leak_check());
    fflush(stdout);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    _exit(0); /* the exit scan is the other tests' business */
}
