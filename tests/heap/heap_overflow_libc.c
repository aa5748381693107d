// memcpy past the end of a block is reported at the memcpy.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: fill_header
// EXPECT-LINE: 13
// EXPECT-MESSAGE: 4 bytes past the end of the 60-byte block
#include <stdlib.h>
#include <string.h>

static const char source[128] = "header";

__attribute__((noinline)) static void fill_header(char *dst, size_t n)
{
    memcpy(dst, source, n);
}

int main(void)
{
    char *h = malloc(60);
    fill_header(h, 64);
    free(h);
    return 0;
}
