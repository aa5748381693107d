// A leaked 10-node list and a leaked 3-block cycle are one finding each,
// grouped under the block that roots them, with every block counted.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_list
// EXPECT-MESSAGE: 320 bytes in 10 blocks leaked
// EXPECT-JQ: .blocks == 10 and .bytes == 320
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_cycle
// EXPECT-MESSAGE: 3 blocks leaked
// EXPECT-JQ: .blocks == 3
// EXPECT-KIND: leak
// EXPECT-COUNT: 2
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

struct node {
    struct node *next;
    char pad[24];
};

__attribute__((noinline)) static struct node *make_list(struct node *next)
{
    struct node *n = malloc(sizeof *n);
    n->next = next;
    return n;
}

__attribute__((noinline)) static struct node *make_cycle(struct node *next)
{
    struct node *n = malloc(sizeof *n + 8);
    n->next = next;
    return n;
}

__attribute__((noinline)) static void build(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 10; i++) head = make_list(head); /* head allocated last */
    struct node *a = make_cycle(NULL), *b = make_cycle(a), *c = make_cycle(b);
    a->next = c; /* a -> c -> b -> a */
    printf("built %p %p\n", (void *)head, (void *)a);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
