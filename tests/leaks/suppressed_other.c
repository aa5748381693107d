// A suppression that matches nothing of the leak's stack hides nothing.
// SUPPRESSIONS: leak:some_other_function
// SUPPRESSIONS: heap-overflow:lose
// EXPECT-KIND: leak
// EXPECT-FUNCTION: lose
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void lose(void)
{
    char *p = malloc(40);
    p[0] = 3;
    printf("lost %d\n", p[0]);
}

int main(void)
{
    lose();
    return 0;
}
