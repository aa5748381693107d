// guard=all: a free that follows another (a loop of frees) waits for its
// batch to be made inaccessible, poisoned; a write into it meanwhile is
// found when the batch closes (its 32nd free here), as a write-after-free
// with the block's free stack, not missed.
// OPTIONS: guard=all
// EXPECT-KIND: write-after-free
// EXPECT-FUNCTION: main
// EXPECT-MESSAGE: byte 3 of the 48-byte block
// EXPECT-TEXT: made inaccessible with the frees that followed it
// EXPECT-NO-KIND: use-after-free
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

#define N 40

__attribute__((noinline)) static void release(char *p)
{
    free(p);
}

/* Inverts the byte: a constant could be the poison's own byte there (its
 * upper bytes come from an address ASLR picks), and 1 run in ~256 found
 * nothing to report. */
__attribute__((noinline)) static void poke(char *volatile p)
{
    p[3] = (char)~p[3];
}

int main(void)
{
    char *blocks[N];
    for (int i = 0; i < N; i++) blocks[i] = calloc(1, 48);
    for (int i = 0; i < N; i++) {
        release(blocks[i]);
        if (i == 5) poke(blocks[3]); /* freed second to fourth: waiting */
    }
    return 0;
}
