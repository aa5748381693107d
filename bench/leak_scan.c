/* leak_scan.c — the exit leak scan's cost (docs/PERFORMANCE-HISTORY.md, "Leak scan at exit").
 * leak_scan BLOCKS [HUGE_MIB]: keeps BLOCKS 48-byte blocks in a binary tree
 * reached from a global, leaks BLOCKS/10 more in 100-node lists, and (with
 * HUGE_MIB) keeps a HUGE_MIB MiB block with one page written, then exits:
 * the scan at exit marks the tree, groups the lists, reads the huge block.
 * Run under `lifeguard run --json R.json` and read .summary.leak_scan_us. */
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *left, *right;
    long pad[4];
};

static struct node *build(long n)
{
    if (n <= 0) return NULL;
    struct node *t = malloc(sizeof *t);
    t->left = build((n - 1) / 2);
    t->right = build(n - 1 - (n - 1) / 2);
    return t;
}

struct node *volatile kept_tree;
char *volatile kept_huge;

int main(int argc, char **argv)
{
    long blocks = argc > 1 ? atol(argv[1]) : 1000000;
    long huge_mib = argc > 2 ? atol(argv[2]) : 0;
    kept_tree = build(blocks);
    for (long i = 0; i < blocks / 10 / 100; i++) {
        struct node *head = NULL;
        for (int k = 0; k < 100; k++) {
            struct node *n = malloc(sizeof *n);
            n->left = head;
            head = n;
        }
        head = NULL;
    }
    if (huge_mib) {
        kept_huge = malloc((size_t)huge_mib << 20);
        kept_huge[((size_t)huge_mib << 19)] = 1;
    }
    printf("built %ld\n", blocks);
    return 0;
}
