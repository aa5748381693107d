// memcpy reading a freed guarded block, the use after free suppressed:
// the program goes on as after a suppressed fault (the freed block's
// pages accessible again, holding its poison) instead of stopping on the
// real call's fault.  (libc_uaf_once.c: the same read, not suppressed,
// stops the program as one finding.)
// SUPPRESSIONS: use-after-free:copy_out
// EXPECT-CLEAN
// EXPECT-EXIT: 3
// EXPECT-STDOUT: went on after the copy
// EXPECT-SUMMARY: .suppressed >= 1 and .guarded_allocations >= 1
// NO-GEN-SUPPRESSIONS: the suppression is the test
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
    printf("went on after the copy: %s\n", memcmp(out, "hello", 5) == 0 ? "the old bytes" : "not the old bytes");
    return 3;
}
