// guard=all: slots reused from a thread's run get their pages in one call
// (populated, not faulted in); a block freed before such a run is taken
// stays inaccessible: the read after free faults at the instruction.
// OPTIONS: guard=all:quarantine_mb=1
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 20
// EXPECT-JQ: .access.type == "read" and (.stacks.access | any(.function == "main"))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>
#include <string.h>

#define N 64

static volatile int result;

__attribute__((noinline)) static void peek(int *volatile p)
{
    result = p[1];
}

int main(void)
{
    int *blocks[N], *later[N];
    for (int round = 0; round < 40; round++) { /* past the quarantine: slots come back reusable */
        for (int i = 0; i < N; i++) blocks[i] = malloc(200);
        for (int i = 0; i < N; i++) free(blocks[i]);
    }
    for (int i = 0; i < N; i++) {
        blocks[i] = malloc(200);
        memset(blocks[i], 1, 200);
    }
    for (int i = 0; i < N; i++) free(blocks[i]);
    for (int i = 0; i < N; i++) later[i] = malloc(200); /* runs of reused slots, populated */
    peek(blocks[3]);
    for (int i = 0; i < N; i++) free(later[i]);
    return 0;
}
