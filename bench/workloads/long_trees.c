/* long_trees.c — binary trees built and torn down while a large tree and
 * an array stay alive throughout, after the classic GC benchmark. */
#include "wl_common.h"

#define LONG_LIVED_DEPTH 20
#define STRETCH_DEPTH 18
#define MIN_DEPTH 4
#define MAX_DEPTH 16
#define ARRAY_LEN 500000

struct node {
    struct node *left, *right;
    int64_t i, j;
};

static struct node *new_node(struct node *l, struct node *r)
{
    struct node *n = wl_xmalloc(sizeof *n);
    n->left = l;
    n->right = r;
    n->i = n->j = 0;
    return n;
}

static struct node *bottom_up(int depth)
{
    if (depth <= 0)
        return new_node(NULL, NULL);
    struct node *l = bottom_up(depth - 1);
    return new_node(l, bottom_up(depth - 1));
}

static void top_down(struct node *n, int depth)
{
    if (depth <= 0)
        return;
    n->left = new_node(NULL, NULL);
    n->right = new_node(NULL, NULL);
    top_down(n->left, depth - 1);
    top_down(n->right, depth - 1);
}

/* Numbers the nodes in preorder; returns the next number. */
static int64_t label(struct node *n, int64_t next)
{
    n->i = next;
    n->j = next * 7 + 3;
    next++;
    if (n->left) {
        next = label(n->left, next);
        next = label(n->right, next);
    }
    return next;
}

static uint64_t sum_tree(const struct node *n)
{
    uint64_t s = 0;
    for (; n; n = n->right) /* recurse left, loop right */
        s += (uint64_t)(n->i ^ n->j) + (n->left ? sum_tree(n->left) : 0);
    return s;
}

static void free_tree(struct node *n)
{
    while (n) {
        struct node *r = n->right;
        if (n->left)
            free_tree(n->left);
        free(n);
        n = r;
    }
}

static uint64_t tree_size(int depth)
{
    return (1ULL << (depth + 1)) - 1;
}

int main(int argc, char **argv)
{
    uint64_t sum = 0;
    /* the iterations at each depth build about this many nodes */
    uint64_t budget = wl_scaled(argc, argv, 10 * tree_size(STRETCH_DEPTH));

    struct node *stretch = bottom_up(STRETCH_DEPTH);
    sum = wl_mix(sum, (uint64_t)label(stretch, 0));
    free_tree(stretch);

    struct node *long_lived = new_node(NULL, NULL);
    top_down(long_lived, LONG_LIVED_DEPTH);
    double *array = wl_xmalloc(ARRAY_LEN * sizeof *array);
    for (int k = 0; k < ARRAY_LEN / 2; k++)
        array[k] = 1.0 / (k + 1);

    for (int depth = MIN_DEPTH; depth <= MAX_DEPTH; depth += 2) {
        uint64_t iters = budget / tree_size(depth) / 2;
        if (!iters)
            iters = 1;
        for (uint64_t it = 0; it < iters; it++) {
            struct node *t = new_node(NULL, NULL);
            top_down(t, depth);
            sum = wl_mix(sum, (uint64_t)label(t, (int64_t)it));
            free_tree(t);
            t = bottom_up(depth);
            sum = wl_mix(sum, (uint64_t)label(t, depth));
            sum = wl_mix(sum, sum_tree(t));
            free_tree(t);
        }
    }

    label(long_lived, 1);
    sum = wl_mix(sum, sum_tree(long_lived));
    sum = wl_mix(sum, (uint64_t)(array[1000] * 1e9));
    free_tree(long_lived);
    free(array);
    printf("long_trees checksum=%016llx\n", (unsigned long long)sum);
    return 0;
}
