// Twin of write_after_free.c: writes only before the free; lots of churn.
// EXPECT-CLEAN
// OPTIONS: quarantine_mb=1
#include <stdlib.h>
#include <string.h>

int main(void)
{
    for (int i = 0; i < 100000; i++) {
        size_t size = (size_t)(i % 700) + 1;
        char *p = malloc(size);
        memset(p, i, size);
        free(p);
    }
    return 0;
}
