// Every pointer the allocator family returns may be freed, whatever its
// alignment or origin; free(NULL) is a no-op.  Nothing is reported.
// EXPECT-CLEAN
// EXPECT-STDOUT: frees ok
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    void *ptrs[8];
    ptrs[0] = malloc(1);
    ptrs[1] = calloc(3, 7);
    ptrs[2] = aligned_alloc(256, 512);
    ptrs[3] = memalign(4096, 10);
    if (posix_memalign(&ptrs[4], 64, 1000)) return 1;
    ptrs[5] = realloc(malloc(10), 100000);
    ptrs[6] = strdup("a string");
    ptrs[7] = realloc(NULL, 0);
    for (int i = 0; i < 8; i++) free(ptrs[i]);
    free(NULL);
    puts("frees ok");
    return 0;
}
