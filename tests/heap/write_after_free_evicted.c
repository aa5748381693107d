// With a tiny quarantine the damaged block leaves it while the program runs:
// the write is reported then, not only at exit.
// OPTIONS: quarantine_mb=1:guard=off
// EXPECT-KIND: write-after-free
// EXPECT-FUNCTION: release_node
// EXPECT-STDOUT: after eviction
#include <stdio.h>
#include <stdlib.h>

struct node { long key; long count; };

__attribute__((noinline)) static void release_node(struct node *n)
{
    free(n);
}

int main(void)
{
    struct node *n = malloc(sizeof *n);
    struct node *volatile alias = n;
    alias->key = 1;
    free(malloc(8)); /* keeps the heap busy */
    release_node(n);
    alias->count = 7;
    for (int i = 0; i < 64; i++) free(malloc(32768)); /* 2 MiB through a 1 MiB quarantine */
    puts("after eviction");
    return 0;
}
