// The fixed twin of anonymous_balance.c: the error path drops its
// reference too, and the device is freed: no finding.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-leak
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct device { int users; };

__attribute__((noinline)) void dev_hold(struct device *d) { lg_ref_get(d, NULL); d->users++; }
__attribute__((noinline)) void dev_release(struct device *d) { d->users--; lg_ref_put(d, NULL); }

static volatile int failures;

__attribute__((noinline)) static int open_dev(struct device *d, int attempt)
{
    dev_hold(d);
    if (attempt == 617) {
        failures++;
        dev_release(d);
        return -1;
    }
    dev_release(d);
    return 0;
}

int main(void)
{
    struct device *d = malloc(sizeof(*d));
    d->users = 0;
    lg_object_new(d, "Device");
    for (int i = 0; i < 1000; i++) open_dev(d, i);
    dev_release(d);
    free(d);
    return failures == 1 ? 0 : 3;
}
