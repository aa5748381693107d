// A forked child's exit scan reads only the memory changed since the fork
// and does not mark the parent's blocks, yet a block of the child's held
// only by one of the parent's (a heap block, a global), or by a block so
// held, is reachable: writing the pointer there changed that page.  What
// the child drops is still its leak, with its whole stack (rules the child
// learned on its own paths).
// EXPECT-TEXT: leak: 24 bytes in 1 block leaked
// EXPECT-TEXT: in child_drops
// EXPECT-TEXT: in main
// (no other leak: of the child's held blocks, 40, 56 and 72 bytes, nor of
// the parent's, 100-163 and 5016 bytes)
// EXPECT-NO-TEXT: leak: 1
// EXPECT-NO-TEXT: leak: 3
// EXPECT-NO-TEXT: leak: 4
// EXPECT-NO-TEXT: leak: 5
// EXPECT-NO-TEXT: leak: 6
// EXPECT-NO-TEXT: leak: 7
// EXPECT-NO-TEXT: leak: 8
// EXPECT-NO-TEXT: leak: 9
// EXPECT-STDOUT: child exited 1
// EXPECT-EXIT: 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scrub.h"

struct holder {
    char pad[5000]; /* the pointers on the block's second page */
    void *held;
    void **chain;
};

static struct holder *volatile parents;
static void *volatile global_held;
static void *volatile parent_blocks[64];

__attribute__((noinline)) static void child_drops(void)
{
    char *volatile lost = malloc(24);
    lost[0] = 2;
    lost = NULL;
}

__attribute__((noinline)) static void child_stores(void)
{
    parents->held = malloc(40);          /* held by the parent's heap block */
    void **first = malloc(56);           /* held by the parent's block, holds the next */
    first[0] = malloc(72);
    parents->chain = first;
    global_held = malloc(40);            /* held by the parent's global */
}

int main(void)
{
    parents = calloc(1, sizeof(struct holder));
    for (int i = 0; i < 64; i++) parent_blocks[i] = malloc(100 + i); /* the parent's, untouched by the child */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        child_stores();
        child_drops();
        scrub();
        exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    for (int i = 0; i < 64; i++) free(parent_blocks[i]);
    free(parents->held); /* the parent's copy of it is NULL */
    free(parents);
    return 0;
}
