/* sites_two_sites.h — what the tests of site counts shared between
 * processes have in common: two allocation sites of their own (each a
 * function of its own, so its stack is its own) and peek, the read after
 * free whose use-after-free the includer's SUPPRESSIONS hide and count. */
#include <stdlib.h>

static void *volatile sink;

__attribute__((noinline)) static int *shared_site(void)
{
    return malloc(40);
}

__attribute__((noinline)) static int *fresh_site(void)
{
    return malloc(40);
}

__attribute__((noinline)) static int peek(const volatile int *p)
{
    return p[1];
}
