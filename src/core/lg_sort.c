/* lg_sort.c — one in-place sort for the core and the runtime.
 *
 * Heapsort: O(n log n) whatever the input, no allocation and no recursion,
 * so it may run inside malloc, under the report lock, or while the leak scan
 * has every other thread stopped.  Not stable: callers that want a fixed
 * order break ties themselves. */
#include "lg_core.h"

/* Elements are whole words in every caller; bytes otherwise. */
static void swap(unsigned char *a, unsigned char *b, size_t size)
{
    if (size % sizeof(uint64_t) == 0 && ((uintptr_t)a | (uintptr_t)b) % sizeof(uint64_t) == 0) {
        uint64_t *x = (uint64_t *)(void *)a, *y = (uint64_t *)(void *)b;
        for (size_t i = 0; i < size / sizeof(uint64_t); i++) {
            uint64_t t = x[i];
            x[i] = y[i];
            y[i] = t;
        }
        return;
    }
    for (size_t i = 0; i < size; i++) {
        unsigned char t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

static void sift_down(unsigned char *base, size_t root, size_t n, size_t size, lg_before_fn before, void *ctx)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && before(base + child * size, base + (child + 1) * size, ctx)) child++;
        if (!before(base + root * size, base + child * size, ctx)) return;
        swap(base + root * size, base + child * size, size);
        root = child;
    }
}

void lg_sort(void *base, size_t n, size_t size, lg_before_fn before, void *ctx)
{
    unsigned char *b = base;
    for (size_t i = n / 2; i-- > 0;) sift_down(b, i, n, size, before, ctx);
    for (size_t i = n; i-- > 1;) {
        swap(b, b + i * size, size);
        sift_down(b, 0, i, size, before, ctx);
    }
}
