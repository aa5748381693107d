// memcpy reading a freed guarded block: the check before the call reports
// the use after free; the real memcpy then faults on the block's
// inaccessible pages, which ends the program as that same error (one
// finding, status `exitcode`, the summary's guarded_allocations written).
// OPTIONS: exitcode=9
// EXPECT-EXIT: 9
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: copy_out
// EXPECT-LINE: 23
// EXPECT-MESSAGE: memcpy() reads 32 bytes
// EXPECT-COUNT: 1
// EXPECT-NO-KIND: segv
// EXPECT-NO-TEXT: after the copy
// EXPECT-SUMMARY: .guarded_allocations >= 1
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void copy_out(char *dst, const char *src, size_t n)
{
    memcpy(dst, src, n); __asm__ volatile("" ::: "memory"); /* no tail call: this frame stays */
}

int main(void)
{
    char out[64];
    char *msg = malloc(32);
    strcpy(msg, "hello");
    free(msg);
    volatile size_t n = 32;
    copy_out(out, msg, n);
    fprintf(stderr, "after the copy %c\n", out[0]);
    return 0;
}
