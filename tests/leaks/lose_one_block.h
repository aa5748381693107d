/* lose_one_block.h — the program of the suppression-by-module cases: one
 * 40-byte block lost in lose(), called from main.  The includer's comments
 * say which rules apply and what must be reported. */
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
