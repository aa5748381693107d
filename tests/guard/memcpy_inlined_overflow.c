// A constant-size memcpy into a block, 8 bytes too long, inlined into
// moves: the store past the end touches the guard page.
// CFLAGS: -O1 -g
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: copy_in
// EXPECT-LINE: 16
// EXPECT-MESSAGE: past the end of the 48-byte block
// EXPECT-JQ: .access.type == "write"
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void copy_in(char *dst, const char *src)
{
    memcpy(dst + 40, src, 16);
}

char *volatile keep; /* the compiler may not drop the block */

int main(void)
{
    static const char src[16] = "0123456789abcde";
    char *p = keep = malloc(48);
    copy_in(p, src);
    int r = ((volatile char *)p)[41]; /* the copy is used: not removed */
    free(p);
    return r;
}
