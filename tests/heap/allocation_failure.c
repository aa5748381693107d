// Impossible and absurd sizes: each call is an allocation-failure warning,
// and the program gets NULL and ENOMEM as under glibc (it checks, and the
// run without the runtime checks glibc does the same here).
// EXPECT-KIND: allocation-failure
// EXPECT-FUNCTION: ask_malloc
// EXPECT-LINE: 39
// EXPECT-MESSAGE: more than PTRDIFF_MAX bytes
// EXPECT-KIND: allocation-failure
// EXPECT-FUNCTION: ask_calloc
// EXPECT-LINE: 45
// EXPECT-MESSAGE: the total size overflows
// EXPECT-KIND: allocation-failure
// EXPECT-FUNCTION: ask_realloc
// EXPECT-LINE: 51
// EXPECT-KIND: allocation-failure
// EXPECT-FUNCTION: ask_reallocarray
// EXPECT-LINE: 57
// EXPECT-KIND: allocation-failure
// EXPECT-FUNCTION: ask_terabyte
// EXPECT-LINE: 63
// EXPECT-MESSAGE: more than the system would commit
// EXPECT-JQ: .stacks.access | length > 0
// EXPECT-SUMMARY: .errors == 0
// EXPECT-EXIT: 0
// EXPECT-STDOUT: sizes ok
// NO-RUNTIME-RUN
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void *volatile got;
static volatile size_t huge = SIZE_MAX, half = SIZE_MAX / 2 + 2, terabyte_plus = ((size_t)1 << 40) + 1;

__attribute__((noinline)) static void *ask_malloc(void)
{
    got = malloc(huge); /* not a tail call: this frame stays */
    return got;
}

__attribute__((noinline)) static void *ask_calloc(void)
{
    got = calloc(half, 4); /* not a tail call: this frame stays */
    return got;
}

__attribute__((noinline)) static void *ask_realloc(void *p)
{
    got = realloc(p, huge); /* not a tail call: this frame stays */
    return got;
}

__attribute__((noinline)) static void *ask_reallocarray(void *p)
{
    got = reallocarray(p, half, 8); /* not a tail call: this frame stays */
    return got;
}

__attribute__((noinline)) static void *ask_terabyte(void)
{
    got = malloc(terabyte_plus); /* not a tail call: this frame stays */
    return got;
}

#define CHECK(c) do { if (!(c)) { printf("failed: %s (line %d)\n", #c, __LINE__); return 1; } } while (0)
/* Through volatile: at -O2 gcc assumes the builtin malloc leaves errno alone. */
#define ERRNO (*(volatile int *)&errno)

int main(void)
{
    ERRNO = 0;
    CHECK(ask_malloc() == NULL && ERRNO == ENOMEM);
    ERRNO = 0;
    CHECK(ask_calloc() == NULL && ERRNO == ENOMEM);
    char *p = malloc(16);
    CHECK(p);
    p[0] = 'k';
    ERRNO = 0;
    CHECK(ask_realloc(p) == NULL && ERRNO == ENOMEM);
    ERRNO = 0;
    CHECK(ask_reallocarray(p) == NULL && ERRNO == ENOMEM);
    CHECK(p[0] == 'k'); /* the old block stays valid */
    free(p);
    ERRNO = 0;
    CHECK(ask_terabyte() == NULL && ERRNO == ENOMEM);
    printf("sizes ok\n");
    return 0;
}
