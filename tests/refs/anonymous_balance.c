// Attribution by balance: a device is opened a thousand times; one open in
// a thousand takes the error path, which returns without dropping the
// reference it took.  All references are anonymous, so counts alone would
// blame whichever get is left over (with puts charged to the most recent
// get: the creation in main).  Paired by the call paths they share, the
// puts in open_dev cancel 999 of its gets and main's final put cancels the
// creation: the one left is open_dev's, with true counters.
// The clean twin is anonymous_balance_clean.c.
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: open_dev
// EXPECT-LINE: 33
// EXPECT-OBJECT: Device#1
// EXPECT-COUNT: 1
// EXPECT-TEXT: the leaked references were acquired in open_dev
// EXPECT-TEXT: 1 anonymous reference acquired in open_dev not released (acquired 1000× there, 999 of them released
// EXPECT-NO-TEXT: acquired in main not released
// EXPECT-JQ: [.holders[] | select(.holder == "0x0")] | length == 1 and .[0].count == 1
// VARIANT: -O2 -g -fno-builtin
// VARIANT: -O0 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct device { int users; };

__attribute__((noinline)) void dev_hold(struct device *d) { lg_ref_get(d, NULL); d->users++; }
__attribute__((noinline)) void dev_release(struct device *d) { d->users--; lg_ref_put(d, NULL); }

static volatile int failures;

__attribute__((noinline)) static int open_dev(struct device *d, int attempt)
{
    dev_hold(d);
    if (attempt == 617) { /* the rare error path */
        failures++;
        return -1; /* bug: no dev_release(d) */
    }
    d->users += 0;
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
    return failures == 1 ? 0 : 3;
}
