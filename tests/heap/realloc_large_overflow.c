// A large block grown in place by realloc (a string of appends past the size
// classes) has up to a page of slack after its new end, all of it redzone:
// a write 300 bytes past the end is reported at the free.
// OPTIONS: guard=off
// EXPECT-KIND: heap-overflow
// EXPECT-MESSAGE: past the end of the 600000-byte block
// EXPECT-FUNCTION: append
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile int appends;

__attribute__((noinline)) static char *append(char *s, size_t len)
{
    s = realloc(s, len + 6);
    appends++; /* not a tail call */
    return s;
}

int main(void)
{
    char *s = NULL;
    size_t len = 0;
    while (len < 600000) {
        s = append(s, len);
        if (!s) return 2;
        memcpy(s + len, "item, ", 6);
        len += 6;
    }
    size_t slack = (size_t)(-(uintptr_t)(s + len) & 4095); /* to the end of its page */
    ((volatile char *)s)[len + (slack > 300 ? 300 : 0)] = 'y';
    free(s);
    return 0;
}
