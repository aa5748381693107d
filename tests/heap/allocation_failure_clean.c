// Large but possible sizes are served, and nothing is said about them.
// EXPECT-CLEAN
// EXPECT-NO-KIND: allocation-failure
// EXPECT-STDOUT: large ok
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile size_t big = (size_t)200 << 20;

#define CHECK(c) do { if (!(c)) { printf("failed: %s (line %d)\n", #c, __LINE__); return 1; } } while (0)

int main(void)
{
    char *a = malloc(big);
    CHECK(a);
    a[0] = 1;
    a[big - 1] = 2;
    char *b = calloc(1000, 1000);
    CHECK(b && b[999999] == 0);
    char *c = realloc(a, big + (1 << 20));
    CHECK(c && c[0] == 1 && c[big - 1] == 2);
    void *d = reallocarray(NULL, 1 << 10, 1 << 16);
    CHECK(d);
    free(b);
    free(c);
    free(d);
    printf("large ok\n");
    return 0;
}
