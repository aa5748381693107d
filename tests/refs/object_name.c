// lg_object_name: a leaked net_device is named as the program names it,
// in the headline and in the JSON object.  The clean twin is
// object_name_clean.c.
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: register_netdev
// EXPECT-LINE: 26
// EXPECT-MESSAGE: net_device#2 "eth1"
// EXPECT-OBJECT: net_device#2
// EXPECT-COUNT: 1
// EXPECT-TEXT: net_device#2 "eth1" leaked
// EXPECT-TEXT: (the global 'devices' (+8), in the global data of
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
    lg_ref_get(dev, &devices[unit]); /* the table's reference */
    devices[unit] = dev;
}

__attribute__((noinline)) static void unregister_netdev(int unit)
{
    struct net_device *dev = devices[unit];
    devices[unit] = NULL;
    if (unit == 0) lg_ref_put(dev, &devices[unit]); /* bug: only eth0's table reference is dropped */
    lg_ref_put(dev, NULL);
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
