// A leaked cycle with a tail born before it: a <-> b, a -> c -> d, where c
// and d are older than a.  One finding, rooted at the cycle, four blocks:
// the tail is not a leak of its own.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_cycle
// EXPECT-MESSAGE: 4 blocks leaked
// EXPECT-JQ: .blocks == 4
// EXPECT-KIND: leak
// EXPECT-COUNT: 1
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

struct node {
    struct node *next, *other;
};

__attribute__((noinline)) static struct node *make_tail(struct node *next)
{
    struct node *n = calloc(1, sizeof *n);
    n->next = next;
    return n;
}

__attribute__((noinline)) static struct node *make_cycle(void)
{
    return calloc(1, sizeof(struct node));
}

__attribute__((noinline)) static void build(void)
{
    struct node *d = make_tail(NULL), *c = make_tail(d);
    struct node *a = make_cycle(), *b = make_cycle();
    a->next = b;
    b->next = a;
    a->other = c;
    printf("built %p\n", (void *)a);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
