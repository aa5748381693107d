/* sites_bound.h — shared by the sites_bound_* cases: a long-running
 * thread's budget of first uses at its bound.  A new thread makes 50 000
 * allocations from one call site (its budget grows to its bound of 1024
 * first uses, plus one per 4096 allocations: 1036), then allocates once
 * from each of 1100 call sites (1100 first uses), frees every block, and
 * site N's freed block (1-1100) is handed back to be read.  Which sites'
 * blocks fault pins a long-running program's coverage of first uses,
 * however the budget grows on the way. */
#define SITES 1100
#include "sites_first_uses.h"

static void *volatile sink_ptr;

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
