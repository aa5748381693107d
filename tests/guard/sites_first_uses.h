/* sites_first_uses.h — what sites_burst.h and sites_bound.h share: one
 * freed block per call site, block[1..SITES], each malloc'd by a call
 * of its own (A, A10 and A100 expand to one call a site), and
 * freed_block_of_site(n), which runs the includer's first_uses in a new
 * thread (a budget of first uses of its own, none spent) and hands back
 * site n's freed block.  The includer defines SITES before and first_uses
 * after including it. */
#include <pthread.h>
#include <stdlib.h>

static char *block[SITES + 1];

#define A(i) block[i] = malloc(48);
#define A10(t) A(t##0) A(t##1) A(t##2) A(t##3) A(t##4) A(t##5) A(t##6) A(t##7) A(t##8) A(t##9)
#define A100(h) A10(h##0) A10(h##1) A10(h##2) A10(h##3) A10(h##4) A10(h##5) A10(h##6) A10(h##7) A10(h##8) A10(h##9)

static void *first_uses(void *arg);

static char *freed_block_of_site(int n)
{
    pthread_t t;
    if (pthread_create(&t, NULL, first_uses, NULL) != 0) exit(3);
    pthread_join(t, NULL);
    return block[n];
}
