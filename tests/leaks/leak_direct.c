// A block whose only pointer is dropped is a leak, reported with the
// function and line that allocated it; the block still held is not.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_record
// EXPECT-LINE: 16
// EXPECT-MESSAGE: 48 bytes in 1 block leaked
// EXPECT-COUNT: 1
// EXPECT-JQ: .blocks == 1 and .bytes == 48 and (.stacks.alloc | length) > 0
#include <stdio.h>
#include <stdlib.h>

void *volatile kept;

__attribute__((noinline)) static char *make_record(size_t n)
{
    char *p = malloc(n);
    p[0] = 1;
    return p;
}

__attribute__((noinline)) static void lose(void)
{
    char *p = make_record(48);
    printf("made %d\n", p[0]);
}

int main(void)
{
    kept = make_record(16);
    lose();
    return 0;
}
