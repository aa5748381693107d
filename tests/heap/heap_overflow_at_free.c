// A direct one-byte overflow (no libc call) damages the redzone; the free
// finds it and reports it with the allocation stack.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: make_label
// EXPECT-MESSAGE: past the end of the 10-byte block
#include <stdlib.h>

__attribute__((noinline)) static char *make_label(void)
{
    char *label = malloc(10);
    for (int i = 0; i <= 10; i++) ((volatile char *)label)[i] = 'a'; /* writes 11 bytes */
    return label;
}

int main(void)
{
    free(make_label());
    return 0;
}
