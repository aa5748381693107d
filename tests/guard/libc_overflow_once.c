// memcpy told to write 4096 bytes into a guarded 64-byte block: the check
// before the call reports the overflow, then the real memcpy faults on the
// guard page.  That fault is the same error: one finding, not two, and the
// program stops there with status `exitcode`.
// OPTIONS: exitcode=7
// EXPECT-EXIT: 7
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: fill
// EXPECT-LINE: 24
// EXPECT-MESSAGE: memcpy() writes 4096 bytes
// EXPECT-COUNT: 1
// EXPECT-NO-KIND: segv
// EXPECT-NO-TEXT: after the copy
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char src[4096];

__attribute__((noinline)) static void fill(char *dst, size_t n)
{
    memcpy(dst, src, n); __asm__ volatile("" ::: "memory"); /* no tail call: this frame stays */
}

int main(void)
{
    volatile size_t n = sizeof(src);
    char *p = malloc(64);
    fill(p, n);
    fprintf(stderr, "after the copy\n");
    free(p);
    return 0;
}
