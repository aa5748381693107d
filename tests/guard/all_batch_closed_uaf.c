// guard=all: once a batch of waiting frees closes (here full, at the 33rd
// free of a loop), a read of one of its blocks faults at the instruction
// as for a block made inaccessible at its free.
// OPTIONS: guard=all
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 19
// EXPECT-JQ: .access.type == "read" and (.stacks.access | any(.function == "main"))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

#define N 40

static volatile int result;

__attribute__((noinline)) static void peek(int *volatile p)
{
    result = p[1];
}

int main(void)
{
    int *blocks[N];
    for (int i = 0; i < N; i++) blocks[i] = calloc(4, sizeof(int));
    for (int i = 0; i < N; i++) free(blocks[i]);
    peek(blocks[3]);
    return 0;
}
