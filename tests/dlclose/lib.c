/* The library the dlclose suite loads and unloads (tests/dlclose/run.sh). */
#include <stdlib.h>

__attribute__((noinline)) void *lib_make_small(void)
{
    char *p = malloc(100);
    p[0] = 1;
    return p;
}

__attribute__((noinline)) void *lib_make_large(void)
{
    char *p = malloc(300);
    p[0] = 1;
    return p;
}

/* leak != 0: both blocks are dropped; 0: freed. */
void lib_work(int leak)
{
    void *volatile a = lib_make_small();
    void *volatile b = lib_make_large();
    if (!leak) {
        free(a);
        free(b);
    }
    a = b = NULL;
}
