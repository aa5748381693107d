// A block freed twice: the second free is reported with both free stacks.
// EXPECT-KIND: double-free
// EXPECT-FUNCTION: drop_buffer
// EXPECT-LINE: 12
// EXPECT-MESSAGE: already freed
#include <stdlib.h>

struct buffer { char bytes[48]; };

__attribute__((noinline)) static void drop_buffer(struct buffer *b)
{
    free(b);
}

int main(void)
{
    struct buffer *b = malloc(sizeof *b);
    drop_buffer(b);
    drop_buffer(b);
    return 0;
}
