/* compute.c — mostly computation: a graph of individually allocated nodes is
 * built once, then ranked by many passes of pointer chasing over it. */
#include "wl_common.h"

#define NODES 200000
#define EDGES 4

struct node {
    struct node *next; /* a random tour of all nodes */
    struct node *edge[EDGES];
    double rank, next_rank;
    uint32_t id;
};

int main(int argc, char **argv)
{
    uint64_t passes = wl_scaled(argc, argv, 120);
    uint64_t rng = 0x5EED0005;
    struct node **all = wl_xmalloc(NODES * sizeof *all);

    for (uint32_t k = 0; k < NODES; k++) {
        all[k] = wl_xmalloc(sizeof(struct node));
        all[k]->id = k;
        all[k]->rank = 1.0 / NODES;
    }
    for (uint32_t k = 0; k < NODES; k++)
        for (int e = 0; e < EDGES; e++)
            all[k]->edge[e] = all[wl_rand(&rng) % NODES];
    /* the tour follows a shuffled order, so walking it misses the cache */
    for (uint32_t k = NODES - 1; k > 0; k--) {
        uint32_t j = (uint32_t)(wl_rand(&rng) % (k + 1));
        struct node *t = all[k];
        all[k] = all[j];
        all[j] = t;
    }
    for (uint32_t k = 0; k + 1 < NODES; k++)
        all[k]->next = all[k + 1];
    all[NODES - 1]->next = NULL;
    struct node *first = all[0];

    uint64_t sum = 0;
    for (uint64_t p = 0; p < passes; p++) {
        for (struct node *n = first; n; n = n->next) {
            double in = 0;
            for (int e = 0; e < EDGES; e++)
                in += n->edge[e]->rank;
            n->next_rank = 0.15 / NODES + 0.85 * in / EDGES;
        }
        double total = 0;
        for (struct node *n = first; n; n = n->next) {
            n->rank = n->next_rank;
            total += n->rank;
        }
        sum = wl_mix(sum, (uint64_t)(total * 1e12));
    }
    for (uint32_t k = 0; k < NODES; k++) {
        sum = wl_mix(sum, (uint64_t)(all[k]->rank * 1e15) ^ all[k]->id);
        free(all[k]);
    }
    free(all);
    printf("compute passes=%llu checksum=%016llx\n", (unsigned long long)passes, (unsigned long long)sum);
    return 0;
}
