// exitcode= sets the status used when errors were found.
// OPTIONS: exitcode=42
// EXPECT-KIND: double-free
// EXPECT-EXIT: 42
#include <stdlib.h>

int main(void)
{
    void *p = malloc(8);
    free(p);
    free(p);
    return 0;
}
