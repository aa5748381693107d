/* sites_bound.h — shared by the sites_bound_* cases: a long-running
 * thread's budget of first uses at its bound.  A new thread makes 50 000
 * allocations from one call site (its budget grows to its bound of 1024
 * first uses, plus one per 4096 allocations: 1036), then allocates once
 * from each of 1100 call sites (1100 first uses), frees every block, and
 * site N's freed block (1-1100) is handed back to be read.  Which sites'
 * blocks fault pins a long-running program's coverage of first uses,
 * however the budget grows on the way. */
#include <pthread.h>
#include <stdlib.h>

#define SITES 1100
static char *block[SITES + 1];
static void *volatile sink_ptr;

#define A(i) block[i] = malloc(48);
#define A10(t) A(t##0) A(t##1) A(t##2) A(t##3) A(t##4) A(t##5) A(t##6) A(t##7) A(t##8) A(t##9)
#define A100(h) A10(h##0) A10(h##1) A10(h##2) A10(h##3) A10(h##4) A10(h##5) A10(h##6) A10(h##7) A10(h##8) A10(h##9)

static void *first_uses(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50000; i++) {
        sink_ptr = malloc(24);
        free(sink_ptr);
    }
    A(1) A(2) A(3) A(4) A(5) A(6) A(7) A(8) A(9) A10(1) A10(2) A10(3) A10(4) A10(5) A10(6) A10(7) A10(8) A10(9)
    A100(1) A100(2) A100(3) A100(4) A100(5) A100(6) A100(7) A100(8) A100(9) A100(10) A(1100)
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
