// The twin of leak_dead_frames_exit: frames above the one that called
// exit() are live and keep what they point to — a local of main, and a
// local of the function that calls exit().
// EXPECT-CLEAN
// EXPECT-STDOUT: kept 2
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void finish(void *kept)
{
    void *volatile mine = malloc(32);
    printf("kept %d\n", (kept != NULL) + (mine != NULL));
    fflush(stdout);
    exit(0);
}

int main(void)
{
    void *volatile local = malloc(48);
    finish(local);
    return local != NULL; /* keeps local live in main's frame across the call */
}
