/* sites_burst.h — shared by the sites_burst_* cases: a new thread (a
 * budget of first uses of its own, none spent) allocates once from each of
 * 80 call sites (80 allocation stacks, 80 first uses), frees every block,
 * and site N's freed block (1-80) is handed back to be read.  guard=sites
 * guards a thread's first guard_first_burst first uses, then, past its
 * first 8192 allocations, one more per 32 of them: which sites' blocks
 * fault pins the burst. */
#define SITES 80
#include "sites_first_uses.h"

static void *first_uses(void *arg)
{
    (void)arg;
    A(1) A(2) A(3) A(4) A(5) A(6) A(7) A(8) A(9) A10(1) A10(2) A10(3) A10(4) A10(5) A10(6) A10(7) A(80)
    for (int i = 1; i <= SITES; i++) free(block[i]);
    return NULL;
}
