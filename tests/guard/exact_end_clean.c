// Reading exactly to the end of every block, of every size, guarded with
// the default end alignment and with exact ends (guard_align=1), and
// realloc chains growing and shrinking across tiers: clean.
// OPTIONS: guard=all:guard_align=1
// EXPECT-CLEAN
// EXPECT-STDOUT: ok
// EXPECT-SUMMARY: .guarded_allocations > 100
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    long total = 0;
    for (size_t n = 1; n <= 300; n++) {
        volatile unsigned char *p = malloc(n);
        for (size_t i = 0; i < n; i++) p[i] = (unsigned char)i;
        for (size_t i = 0; i < n; i++) total += p[i];
        if (malloc_usable_size((void *)p) < n) return 3;
        free((void *)p);
    }
    char *r = NULL;
    size_t sizes[] = {1, 17, 4000, 4097, 64, 70000, 200000, 3, 0};
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; sizes[i]; i++) {
            r = realloc(r, sizes[i]);
            memset(r, 'x', sizes[i]);
        }
    free(r);
    void *a = NULL;
    if (posix_memalign(&a, 256, 1000) || (size_t)a % 256) return 4;
    free(a);
    char *c = calloc(10, 10);
    for (int i = 0; i < 100; i++) if (c[i]) return 5;
    free(c);
    printf("ok %ld\n", total);
    return 0;
}
