/* sample_cost.h — the program of the guard_sample_cost cases: 20 000
 * allocations of 64 bytes, each written and freed at once, every one a
 * sample under their guard_sample=1.  Whether each is guarded is up to the
 * includer's options. */
#include <stdlib.h>

static char *volatile last;

int main(void)
{
    for (int i = 0; i < 20000; i++) {
        char *p = malloc(64);
        p[0] = (char)i;
        last = p;
        free(p);
    }
    return 0;
}
