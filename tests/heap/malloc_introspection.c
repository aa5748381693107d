// glibc's malloc introspection answers from lifeguard's heap: a program that
// checks mallinfo2 sees its own live bytes (glibc's arena would say 0, as
// lifeguard serves every allocation); malloc_usable_size of a pointer that is
// no block's start is 0; the others are sane (docs/REPORT.md).
// EXPECT-CLEAN
// EXPECT-STDOUT: introspection ok
// EXPECT-TEXT: in use bytes
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { if (!(c)) { printf("failed: %s (line %d)\n", #c, __LINE__); return 1; } } while (0)

static char *volatile sink; /* keeps -O2 from eliding the allocations */

int main(void)
{
    char *big = sink = malloc(1 << 20);
    CHECK(big);
    memset(big, 1, 1 << 20);
    struct mallinfo2 before = mallinfo2();
    CHECK(before.uordblks >= (1 << 20) && before.arena >= before.uordblks);
    char *more = sink = malloc(300000);
    struct mallinfo2 after = mallinfo2();
    CHECK(after.uordblks >= before.uordblks + 300000);
    free(more);
    CHECK(mallinfo2().uordblks < after.uordblks);
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    struct mallinfo old = mallinfo();
    CHECK(old.uordblks >= (1 << 20));

    CHECK(malloc_usable_size(big) >= (1 << 20));
    CHECK(malloc_usable_size(big + 16) == 0);
    int on_stack = 0;
    CHECK(malloc_usable_size(&on_stack) == 0);
    CHECK(malloc_usable_size(NULL) == 0);

    CHECK(mallopt(M_MMAP_THRESHOLD, 1 << 20) == 1);
    CHECK(malloc_trim(0) == 0 || malloc_trim(0) == 1);
    char buf[4096];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    CHECK(f && malloc_info(0, f) == 0);
    fclose(f);
    CHECK(strstr(buf, "<malloc version=\"1\">") != NULL);
    CHECK(malloc_info(1, stdout) == -1);
    malloc_stats();
    free(big);
    printf("introspection ok\n");
    return 0;
}
