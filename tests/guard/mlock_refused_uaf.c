// A program that mlocks a heap block (a buffer for a secret, as libsodium's
// sodium_mlock does) while it is guarded: the kernel refuses guard markers
// on a locked mapping, so the block's free finds its install refused and
// the guarded tier falls back to page protections (markers off from then
// on).  The freed block must still be inaccessible: its read after free is
// reported at the read, as with markers.  mlockall_uaf.c: the same after an
// mlockall of the whole process.  Any user can lock a page (RLIMIT_MEMLOCK
// is 8 MiB by default).
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: get
// EXPECT-LINE: 23
// EXPECT-MESSAGE: inside the freed 40-byte block
// EXPECT-JQ: .access.type == "read" and (.stacks.free | any(.function == "main" and .line == 33))
// EXPECT-STDOUT: locked
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

__attribute__((noinline)) static int get(const volatile char *p)
{
    return p[3];
}

int main(void)
{
    char *secret = malloc(40); /* guarded: the first of its allocation stack */
    secret[3] = 7;
    if (mlock(secret, 40) != 0) return perror("mlock"), 3;
    printf("locked\n");
    fflush(stdout);
    free(secret);
    return get(secret) == 7;
}
