// Twin of the overflow cases: writes up to the last byte, never past.
// EXPECT-CLEAN
// NO-RUNTIME-RUN
#include <stdlib.h>
#include <string.h>

int main(void)
{
    for (size_t size = 1; size < 5000; size += 7) {
        char *p = malloc(size);
        memset(p, 1, size);
        p[size - 1] = 2;
        free(p);
    }
    char *big = malloc(1 << 20);
    memset(big, 3, 1 << 20);
    free(big);
    return 0;
}
