// strcat onto a destination whose string already runs past its block: the
// append starts outside the block, and the whole range is reported against
// it (at -O2 gcc makes the strcat a strlen and a store: the strlen reports
// it).  strncat appending past the end of its block.
// OPTIONS: guard=off
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: append_name
// EXPECT-LINE: 24
// EXPECT-MESSAGE: past the end of the 8-byte block
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: append_some
// EXPECT-LINE: 30
// EXPECT-MESSAGE: strncat() writes 17 bytes
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <stdlib.h>
#include <string.h>

static char *volatile sink;

__attribute__((noinline)) static void append_name(char *dst, const char *name)
{
    /* dst holds 8 characters and no terminator */
    strcat(dst, name);
    sink = dst; /* not a tail call: this frame stays */
}

__attribute__((noinline)) static void append_some(char *dst, const char *more, size_t n)
{
    strncat(dst, more, n);
    sink = dst;
}


int main(void)
{
    char *full = malloc(8);
    memcpy(full, "01234567", 8);
    append_name(full, "x");
    char *part = malloc(16);
    strcpy(part, "0123456789");
    append_some(part, "abcdefghij", 6);
    sink = full;
    free(part);
    return 0;
}
