// The twin of own_malloc_said: a program on the C library's malloc reaches
// lifeguard's, and nothing is said about it — also when it takes malloc's
// address in a non-PIE executable, whose PLT entry is then the function's
// address (Debian's python3.11: an undefined symbol with a value).
// EXPECT-CLEAN
// EXPECT-NO-TEXT: malloc is the program's own
// EXPECT-STDOUT: libc malloc 3
// VARIANT: -O1 -g -no-pie -fno-pie
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*volatile allocate)(size_t);

int main(void)
{
    allocate = malloc; /* in non-PIC code: an absolute address, the PLT entry made canonical */
    int n = 0;
    for (int i = 0; i < 3; i++) {
        char *volatile p = allocate(32);
        strcpy(p, "x");
        n += p[0] == 'x';
        free(p);
    }
    printf("libc malloc %d\n", n);
    return 0;
}
