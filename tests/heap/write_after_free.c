// A write into a freed block is found when the block leaves the quarantine
// (here: at exit), with the block's allocation and free stacks.
// OPTIONS: guard=off
// EXPECT-KIND: write-after-free
// EXPECT-FUNCTION: release_node
// EXPECT-MESSAGE: byte 8 of the 24-byte block
#include <stdlib.h>

struct node { long key; long count; long pad; };

__attribute__((noinline)) static void release_node(struct node *n)
{
    free(n);
}

__attribute__((noinline)) static void bump(struct node *volatile n)
{
    n->count++;
}

int main(void)
{
    struct node *n = malloc(sizeof *n);
    release_node(n);
    bump(n);
    return 0;
}
