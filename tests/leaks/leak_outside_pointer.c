// The twin of clean_roots' interior pointers: a pointer just before a
// block's first byte, or two past its last, keeps nothing.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_before
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_after
// EXPECT-KIND: leak
// EXPECT-COUNT: 2
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

char *volatile before, *volatile after;

__attribute__((noinline)) static char *make_before(void)
{
    return malloc(64);
}

__attribute__((noinline)) static char *make_after(void)
{
    return malloc(64);
}

__attribute__((noinline)) static void setup(void)
{
    before = make_before() - 1;
    after = make_after() + 65;
}

int main(void)
{
    setup();
    scrub();
    printf("%p %p\n", (void *)before, (void *)after);
    return 0;
}
