// A forked child reads a block freed before the fork: the child's fault is
// reported (in its own report) and the child stops with exitcode; the run's
// exit status counts the child's error too (lifeguard run --count-errors all).
// EXPECT-TEXT: use-after-free: a read at
// EXPECT-TEXT: in child_work
// EXPECT-STDOUT: child exited 1
// EXPECT-EXIT: 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) static int child_work(const volatile int *p)
{
    return p[2];
}

int main(void)
{
    int *p = malloc(24);
    p[2] = 3;
    free(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(child_work(p));
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}
