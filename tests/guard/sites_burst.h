/* sites_burst.h — shared by the sites_burst_* cases: a new thread (a
 * budget of first uses of its own, none spent) allocates once from each of
 * 80 call sites (80 allocation stacks, 80 first uses), frees every block,
 * and site N's freed block (1-80) is handed back to be read.  guard=sites
 * guards a thread's first guard_first_burst first uses, then, past its
 * first 8192 allocations, one more per 32 of them: which sites' blocks
 * fault pins the burst. */
#include <pthread.h>
#include <stdlib.h>

#define SITES 80
static char *block[SITES + 1];

#define A(i) block[i] = malloc(48);
#define A10(t) A(t##0) A(t##1) A(t##2) A(t##3) A(t##4) A(t##5) A(t##6) A(t##7) A(t##8) A(t##9)

static void *first_uses(void *arg)
{
    (void)arg;
    A(1) A(2) A(3) A(4) A(5) A(6) A(7) A(8) A(9) A10(1) A10(2) A10(3) A10(4) A10(5) A10(6) A10(7) A(80)
    for (int i = 1; i <= SITES; i++) free(block[i]);
    return NULL;
}

static char *freed_block_of_site(int n)
{
    pthread_t t;
    if (pthread_create(&t, NULL, first_uses, NULL) != 0) exit(3);
    pthread_join(t, NULL);
    return block[n];
}
