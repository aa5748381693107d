// guard=all on a program with 100 000 live blocks: the budget of guarded
// blocks (guard_blocks) is spent, later blocks are ordinary, the program
// runs clean and every block keeps its contents.
// OPTIONS: guard=all
// EXPECT-CLEAN
// EXPECT-STDOUT: sum 4999950000
// EXPECT-SUMMARY: .guarded_allocations >= 8000
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

#define N 100000

int main(void)
{
    long **blocks = malloc(N * sizeof(*blocks));
    for (long i = 0; i < N; i++) {
        blocks[i] = malloc(8 + (size_t)(i % 7) * 8);
        blocks[i][0] = i;
    }
    long sum = 0;
    for (long i = 0; i < N; i++) sum += blocks[i][0];
    for (long i = 0; i < N; i++) free(blocks[i]);
    free(blocks);
    printf("sum %ld\n", sum);
    return 0;
}
