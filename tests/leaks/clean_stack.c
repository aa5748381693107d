// lg_leak_check() while a block is held only by a local variable: not a
// leak.  The same block, dropped, is one at the next check.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_local
// EXPECT-COUNT: 1
// EXPECT-STDOUT: while held: 0
// EXPECT-STDOUT: after drop: 1
#include <lifeguard.h>
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

__attribute__((noinline)) static char *make_local(void)
{
    return malloc(100);
}

__attribute__((noinline)) static void hold_and_check(void)
{
    char *volatile local = make_local();
    local[0] = 'x';
    printf("while held: %zu\n", lg_leak_check());
    local = NULL;
}

int main(void)
{
    hold_and_check();
    scrub();
    printf("after drop: %zu\n", lg_leak_check());
    return 0;
}
