// A huge block the program never touched is not read word by word: the
// scan skips pages never faulted in (/proc/self/pagemap), so its cost
// follows the memory touched.  A leaked 1 GiB block is reported; a kept
// 1 GiB block holds, on one touched page in its middle, the only pointer to
// a small block, which stays reachable.  Before, the scan read 2 GiB
// (leak_scan_bytes, in the summary, counts what it read).
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_huge
// EXPECT-LINE: 21
// EXPECT-COUNT: 1
// EXPECT-JQ: .bytes == 1073741824
// EXPECT-SUMMARY: .leak_scan_bytes < 268435456
// EXPECT-STDOUT: set up
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static char *make_huge(void)
{
    char *p = malloc(1ul << 30);
    if (p) p[0] = 1;
    return p;
}

void **volatile kept;

__attribute__((noinline)) static void lose(void)
{
    char *volatile p = make_huge();
    p = NULL;
}

int main(void)
{
    kept = (void **)make_huge();
    if (!kept) return 3;
    kept[(1ul << 26) + 3] = malloc(32); /* the middle of 2^27 words */
    lose();
    printf("set up\n");
    return 0;
}
