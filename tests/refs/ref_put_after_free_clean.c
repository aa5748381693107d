// The clean twin of ref_put_after_free.c: the open file's put comes
// first, then the destruction.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-put-after-free
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct port { int open; };

__attribute__((noinline)) static void port_unplug(struct port *p)
{
    lg_object_free(p);
}

__attribute__((noinline)) static void port_close(struct port *p)
{
    lg_ref_put(p, NULL);
}

int main(void)
{
    static struct port port;
    lg_object_new(&port, "Port");
    lg_ref_get(&port, NULL);
    port_close(&port);
    port_unplug(&port); /* the destroyer owns the creator's reference */
    return 0;
}
