// A suppression naming the allocating function hides its leak (the twin
// of leak_direct, whose leak is reported); the summary counts it.
// SUPPRESSIONS: leak:make_cache
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static char *make_cache(void)
{
    char *p = malloc(300);
    p[0] = 1;
    return p;
}

__attribute__((noinline)) static void lose(void)
{
    printf("cache %d\n", make_cache()[0]);
}

int main(void)
{
    lose();
    return 0;
}
