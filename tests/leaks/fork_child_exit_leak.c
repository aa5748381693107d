// A forked child that drops a block of its own and leaves by exit() has it
// reported by its exit scan (a child with none of its own alive skips the
// scan: what it inherited is the parent's).
// EXPECT-TEXT: leak: 24 bytes in 1 block leaked
// EXPECT-TEXT: in child_drops
// EXPECT-STDOUT: child exited 1
// EXPECT-EXIT: 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char *volatile kept;

__attribute__((noinline)) static void child_drops(void)
{
    char *volatile lost = malloc(24);
    lost[0] = 2;
    lost = NULL;
}

int main(void)
{
    kept = malloc(100);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        child_drops();
        exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    free(kept);
    return 0;
}
