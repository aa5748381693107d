// max_allocation_size_mb refuses what is above it, and only that.
// OPTIONS: max_allocation_size_mb=4
// EXPECT-KIND: allocation-failure
// EXPECT-FUNCTION: main
// EXPECT-LINE: 21
// EXPECT-MESSAGE: more than max_allocation_size_mb allows
// EXPECT-COUNT: 1
// EXPECT-EXIT: 0
// EXPECT-STDOUT: limit ok
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static volatile size_t four_mb = 4u << 20;

#define CHECK(c) do { if (!(c)) { printf("failed: %s (line %d)\n", #c, __LINE__); return 1; } } while (0)

int main(void)
{
    void *fits = malloc(four_mb);
    void *over = malloc(four_mb + 1);
    CHECK(fits && !over && *(volatile int *)&errno == ENOMEM);
    free(fits);
    printf("limit ok\n");
    return 0;
}
