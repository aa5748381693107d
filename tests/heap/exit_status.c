// With no error finding, the program's own exit status comes through.
// EXPECT-CLEAN
// EXPECT-EXIT: 7
#include <stdlib.h>

int main(void)
{
    free(malloc(1));
    return 7;
}
