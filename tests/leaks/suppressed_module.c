// A suppression by module (a substring of the path of a frame's module)
// hides a leak made anywhere in that module: here the program itself.
// SUPPRESSIONS: leak:suppressed_module
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void lose(void)
{
    char *p = malloc(40);
    p[0] = 2;
    printf("lost %d\n", p[0]);
}

int main(void)
{
    lose();
    return 0;
}
