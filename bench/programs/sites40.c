/* sites40.c — a short program with 40 allocation sites, each used once
 * (40 call sites of malloc: 40 stacks), all freed, then a direct read of
 * the freed block of site K (argv[1], 1-40): found at the read only if
 * guard=sites guarded that site's first use, which a short-lived
 * program's budget of first uses decides (bench/guard_burst.sh). */
#include <stdlib.h>

#define SITES 40
static char *block[SITES + 1];
static volatile int sink;

#define A(i) block[i] = malloc(48 + (i));
#define A10(t) A(t##0) A(t##1) A(t##2) A(t##3) A(t##4) A(t##5) A(t##6) A(t##7) A(t##8) A(t##9)

__attribute__((noinline)) static int read_freed(const volatile char *p)
{
    return p[8]; /* a use after free: reported here if the block was guarded */
}

int main(int argc, char **argv)
{
    int k = argc > 1 ? atoi(argv[1]) : 30;
    if (k < 1 || k > SITES) return 2;
    A(1) A(2) A(3) A(4) A(5) A(6) A(7) A(8) A(9) A10(1) A10(2) A10(3) A(40)
    for (int i = 1; i <= SITES; i++) free(block[i]);
    sink = read_freed(block[k]);
    return 0;
}
