/* double_free.c — frees a block twice; the real runtime must report it. */
#include <stdlib.h>

int main(void)
{
    char *volatile p = malloc(64);
    free(p);
    free(p);
    return 0;
}
