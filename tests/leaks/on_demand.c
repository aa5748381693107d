// lg_leak_check() reports the leaks found so far and returns how many
// blocks are newly leaked; a leak is reported once, not again at the next
// check or at exit; a new leak from another stack is reported by the next.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: first_loss
// EXPECT-KIND: leak
// EXPECT-FUNCTION: second_loss
// EXPECT-KIND: leak
// EXPECT-COUNT: 2
// EXPECT-STDOUT: checks: 2 0 1
#include <lifeguard.h>
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

__attribute__((noinline)) static void first_loss(void)
{
    for (volatile int i = 0; i < 2; i++) {
        char *volatile p = malloc(24);
        p[0] = 1;
    }
}

__attribute__((noinline)) static void second_loss(void)
{
    char *volatile p = malloc(24);
    p[0] = 1;
}

int main(void)
{
    first_loss();
    scrub();
    size_t a = lg_leak_check();
    size_t b = lg_leak_check();
    second_loss();
    scrub();
    size_t c = lg_leak_check();
    printf("checks: %zu %zu %zu\n", a, b, c);
    return 0;
}
