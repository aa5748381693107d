// realloc in place, the clean twin of realloc_shrink_overflow*: blocks grown
// and shrunk where they are, small and large, keep their contents; bytes
// between the old and the new end are the program's to read and write
// (directly and through libc), and nothing is reported.
// OPTIONS: guard=off
// EXPECT-CLEAN
// EXPECT-STDOUT: small in place, large in place, contents ok
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { if (!(c)) { printf("failed: %s (line %d)\n", #c, __LINE__); return 1; } } while (0)

int main(void)
{
    /* small: 1100 bytes in a 1280-byte slot grow to 1200 where they are */
    char *p = malloc(1100);
    CHECK(p);
    memset(p, 'a', 1100);
    char *volatile old = p;
    char *q = realloc(old, 1200);
    CHECK(q == old);
    memset(q + 1100, 'b', 100); /* the grown bytes, through libc */
    for (int i = 1100; i < 1200; i++) CHECK(((volatile char *)q)[i] == 'b');
    CHECK(memchr(q, 'b', 1200) == q + 1100);
    q = realloc(q, 1150); /* and back, still in its class */
    CHECK(q == old && q[0] == 'a' && q[1149] == 'b');
    free(q);
    printf("small in place, ");

    /* large: a string of six-byte appends past the size classes */
    char *s = NULL;
    size_t len = 0, kept = 0;
    for (unsigned i = 0; i < 100000; i++) {
        char *prev = s;
        s = realloc(s, len + 6);
        CHECK(s);
        kept += s == prev;
        memcpy(s + len, "item, ", 6);
        s[len + 4] = (char)('0' + i % 10);
        len += 6;
    }
    for (unsigned i = 0; i < 100000; i += 997) CHECK(memcmp(s + 6 * i, "item", 4) == 0 && s[6 * i + 4] == '0' + i % 10);
    CHECK(kept > 99000);
    char *before = s;
    s = realloc(s, 300000); /* a large block shrinks where it is */
    CHECK(s == before && s[299999] == s[299999 - 6]);
    s = realloc(s, 1000); /* and a small one moves to a class */
    CHECK(s && memcmp(s, "item, ", 4) == 0 && s[6 * 100 + 4] == '0');
    free(s);
    printf("large in place, ");
    puts("contents ok");
    return 0;
}
