// Allocation from a constructor, before main, and from a destructor, after.
// EXPECT-CLEAN
// EXPECT-STDOUT: constructed
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *early;

__attribute__((constructor(101))) static void before_main(void)
{
    early = strdup("constructed");
}

__attribute__((destructor)) static void after_main(void)
{
    free(early);
    free(malloc(32));
}

int main(void)
{
    puts(early);
    return 0;
}
