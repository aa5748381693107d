// The twin of double_free.c: each block freed once.
// EXPECT-CLEAN
// NO-RUNTIME-RUN
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
    b = malloc(sizeof *b);
    drop_buffer(b);
    free(NULL);
    return 0;
}
