/* prog.c — a symbolization fixture: middle() has leaf() inlined into it. */
#include <stdio.h>
#include <stdlib.h>

static inline __attribute__((always_inline)) int leaf(int x)
{
    return x * 3 + (int)(long)malloc(1);
}

__attribute__((noinline)) int middle(int x)
{
    int r = leaf(x);
    printf("%d\n", r);
    return r + 1;
}

int main(int argc, char **argv)
{
    (void)argv;
    return middle(argc) & 1;
}
