// realloc and the aligned allocators at their edges.
// EXPECT-CLEAN
// EXPECT-STDOUT: edges ok
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { printf("failed: %s (line %d)\n", #c, __LINE__); return 1; } } while (0)

int main(void)
{
    /* realloc grows and shrinks keeping the contents */
    char *p = realloc(NULL, 10);
    CHECK(p);
    memcpy(p, "012345678", 10);
    for (size_t n = 11; n < 300000; n = n * 3 / 2) {
        p = realloc(p, n);
        CHECK(p && memcmp(p, "012345678", 10) == 0);
    }
    p = realloc(p, 5);
    CHECK(p && memcmp(p, "01234", 5) == 0);
    CHECK(realloc(p, 0) == NULL); /* frees, like glibc */
    CHECK(reallocarray(NULL, SIZE_MAX / 2, 4) == NULL && errno == ENOMEM);

    /* alignment: every power of two up to 64 KiB */
    for (size_t a = 8; a <= 65536; a *= 2) {
        void *q = NULL;
        CHECK(posix_memalign(&q, a, 100) == 0 && ((uintptr_t)q % a) == 0);
        free(q);
        q = aligned_alloc(a, a * 2);
        CHECK(q && ((uintptr_t)q % a) == 0);
        free(q);
        q = memalign(a, 1);
        CHECK(q && ((uintptr_t)q % a) == 0);
        free(q);
    }
    void *q = NULL;
    CHECK(posix_memalign(&q, 3, 16) == EINVAL);
    CHECK(posix_memalign(&q, 4, 16) == EINVAL); /* not a multiple of sizeof(void *) */
    long page = sysconf(_SC_PAGESIZE);
    q = valloc(10);
    CHECK(q && (uintptr_t)q % (uintptr_t)page == 0);
    free(q);
    q = pvalloc(10);
    CHECK(q && (uintptr_t)q % (uintptr_t)page == 0 && malloc_usable_size(q) >= (size_t)page);
    free(q);

    /* malloc(0), huge sizes, calloc overflow */
    void *z = malloc(0);
    CHECK(z != NULL);
    free(z);
    errno = 0;
    CHECK(malloc(SIZE_MAX) == NULL && errno == ENOMEM);
    CHECK(malloc((size_t)1 << 62) == NULL);
    errno = 0;
    CHECK(calloc(SIZE_MAX / 8, 16) == NULL && errno == ENOMEM);
    int *c = calloc(1000, sizeof *c);
    for (int i = 0; i < 1000; i++) CHECK(c[i] == 0);
    free(c);
    char *u = malloc(100);
    CHECK(malloc_usable_size(u) >= 100);
    free(u);
    puts("edges ok");
    return 0;
}
