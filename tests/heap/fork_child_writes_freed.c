// A forked child writes into a block its parent freed before the fork (the
// write copies the page) and past the end of a block the parent still
// holds (guard=off: no guard page catches either at once), then leaves by
// exit(): its exit checks, which skip what it
// inherited unchanged, still verify those pages and report both.
// OPTIONS: guard=off
// EXPECT-TEXT: write-after-free
// EXPECT-TEXT: heap-overflow: at exit: a write past the end of the 40-byte block
// EXPECT-TEXT: in parent_frees
// EXPECT-STDOUT: child exited 1
// EXPECT-EXIT: 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char *volatile kept;

__attribute__((noinline)) static char *parent_frees(void)
{
    char *p = malloc(64);
    free(p);
    return p;
}

int main(void)
{
    for (int i = 0; i < 1000; i++) free(malloc(64)); /* a quarantine to skip */
    kept = malloc(40);
    char *volatile freed = parent_frees();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freed[8] = 'x';   /* the child's write after free */
        kept[40] = 'y';   /* and its overflow of the parent's block */
        exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    free(kept);
    return 0;
}
