// The fixed twin of object_name.c: every table reference is dropped.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-leak
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

struct net_device { char name[16]; int refs; };

static struct net_device *devices[2];

__attribute__((noinline)) static void register_netdev(struct net_device *dev, int unit)
{
    snprintf(dev->name, sizeof(dev->name), "eth%d", unit);
    lg_object_name(dev, "eth%d", unit);
    lg_ref_get(dev, &devices[unit]);
    devices[unit] = dev;
}

__attribute__((noinline)) static void unregister_netdev(int unit)
{
    struct net_device *dev = devices[unit];
    devices[unit] = NULL;
    lg_ref_put(dev, &devices[unit]);
    lg_ref_put(dev, NULL);
    free(dev);
}

int main(void)
{
    for (int unit = 0; unit < 2; unit++) {
        struct net_device *dev = calloc(1, sizeof(*dev));
        lg_object_new(dev, "net_device");
        register_netdev(dev, unit);
    }
    for (int unit = 0; unit < 2; unit++) unregister_netdev(unit);
    return 0;
}
