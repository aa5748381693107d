// The clean twin of large_reuse_overflow: a string grown past the size
// classes by allocating a longer copy and freeing the old one at each step
// (jq's join), and blocks shrunk, grown by realloc and calloc'd in reused
// mappings, all keep what the program wrote and are never reported.
// OPTIONS: quarantine_mb=16
// EXPECT-CLEAN
// EXPECT-STDOUT: contents ok
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { if (!(c)) { printf("failed: %s (line %d)\n", #c, __LINE__); return 1; } } while (0)

int main(void)
{
    size_t len = 140 << 10;
    char *s = malloc(len);
    CHECK(s);
    for (size_t i = 0; i < len; i++) s[i] = (char)('a' + i % 26);
    for (int step = 0; step < 3000; step++) { /* 140 KB to 320 KB, 60 bytes a step */
        char *t = malloc(len + 60);
        CHECK(t);
        memcpy(t, s, len);
        for (size_t i = len; i < len + 60; i++) t[i] = (char)('a' + i % 26);
        free(s);
        s = t;
        len += 60;
    }
    for (size_t i = 0; i < len; i++) CHECK(s[i] == (char)('a' + i % 26));
    /* realloc grows it where it is, into its mapping's capacity, then shrinks it */
    s = realloc(s, len + 4096);
    CHECK(s);
    memset(s + len, 'z', 4096);
    s = realloc(s, 150 << 10);
    CHECK(s);
    for (size_t i = 0; i < (150 << 10); i++) CHECK(s[i] == (char)('a' + i % 26));
    free(s);
    /* calloc in a reused mapping is zero, whatever its last block held */
    for (int k = 0; k < 200; k++) {
        char *c = calloc(1, 200 << 10);
        CHECK(c);
        for (size_t i = 0; i < (200 << 10); i += 61) CHECK(c[i] == 0);
        memset(c, 0x55, 200 << 10);
        free(c);
    }
    printf("contents ok\n");
    return 0;
}
