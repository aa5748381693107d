// strcat and strncat that fill their block exactly, and strncat with a
// source longer than n: nothing to report.
// EXPECT-CLEAN
// EXPECT-STDOUT: 0123456abcdefgh|0123456789abcd
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *a = malloc(16);
    strcpy(a, "0123456");
    strcat(a, "abcdefgh");
    char *b = malloc(15);
    strcpy(b, "0123456789");
    strncat(b, "abcdefghijklmnop", 4);
    printf("%s|%s\n", a, b);
    free(a);
    free(b);
    return 0;
}
