// leaks=0: no scan, no leak finding, even for a block plainly lost.
// OPTIONS: leaks=0
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: check says 0
#include <lifeguard.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void lose(void)
{
    char *p = malloc(40);
    p[0] = 3;
}

int main(void)
{
    lose();
    printf("check says %zu\n", lg_leak_check());
    return 0;
}
