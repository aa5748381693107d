// memset writing into a freed guarded block, the use after free
// suppressed: the program goes on (the pages accessible again) instead of
// stopping on the real call's fault.  suppressed_libc_uaf.c: a read.
// SUPPRESSIONS: use-after-free:clear
// EXPECT-CLEAN
// EXPECT-EXIT: 3
// EXPECT-STDOUT: went on after the memset
// EXPECT-SUMMARY: .suppressed >= 1 and .guarded_allocations >= 1
// NO-GEN-SUPPRESSIONS: the suppression is the test
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void clear(char *p, size_t n)
{
    memset(p, 0, n); __asm__ volatile("" ::: "memory"); /* no tail call: this frame stays */
}

int main(void)
{
    char *buf = malloc(48);
    strcpy(buf, "hello");
    free(buf);
    volatile size_t n = 48;
    clear(buf, n);
    printf("went on after the memset\n");
    return 3;
}
