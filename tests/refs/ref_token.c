// Per-reference tokens (lg_ref_get_token / lg_ref_put_token), in the spirit
// of the kernel's ref_tracker: a device's references are all held by one
// holder (the device list), so counts alone cannot tell a double put from
// a put of another reference.  The error path hands the same token back
// twice: ref-put-unheld at the second put, though the holder still holds
// other references.  The clean twin is ref_token_clean.c.
// EXPECT-KIND: ref-put-unheld
// EXPECT-FUNCTION: probe_error
// EXPECT-LINE: 34
// EXPECT-OBJECT: Device#1
// EXPECT-COUNT: 1
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct device { int id; };
static char dev_list;
static volatile int errors; /* keeps probe_error distinct from probe_done at -O2 (identical code folding) */

__attribute__((noinline)) static lg_ref_token_t probe(struct device *d)
{
    return lg_ref_get_token(d, &dev_list);
}

__attribute__((noinline)) static void probe_done(struct device *d, lg_ref_token_t t)
{
    lg_ref_put_token(d, &dev_list, t);
}

__attribute__((noinline)) static void probe_error(struct device *d, lg_ref_token_t t)
{
    errors++;
    lg_ref_put_token(d, &dev_list, t); /* bug: probe_done already handed this one back */
}

int main(void)
{
    struct device *d = malloc(sizeof(*d));
    lg_object_new(d, "Device");
    lg_ref_token_t a = probe(d), b = probe(d);
    probe_done(d, a);
    probe_error(d, a);
    (void)b; /* b's reference is the one the double put really dropped */
    lg_ref_put(d, NULL);
    return 0;
}
