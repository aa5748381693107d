// The twin of own_malloc_said: a program on the C library's malloc reaches
// lifeguard's, and nothing is said about it.
// EXPECT-CLEAN
// EXPECT-NO-TEXT: malloc is the program's own
// EXPECT-STDOUT: libc malloc 3
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    int n = 0;
    for (int i = 0; i < 3; i++) {
        char *volatile p = malloc(32);
        strcpy(p, "x");
        n += p[0] == 'x';
        free(p);
    }
    printf("libc malloc %d\n", n);
    return 0;
}
