// A put on an object already destroyed, whose count was still above zero:
// the last user drops its reference after the owner destroyed the object
// (its count lives in freed memory): ref-put-after-free at that put.  The
// destroy itself is not a finding (the destroyer owned the one reference
// left), so without this the bug would be silent.  The clean twin is
// ref_put_after_free_clean.c.
// EXPECT-KIND: ref-put-after-free
// EXPECT-FUNCTION: port_close
// EXPECT-LINE: 28
// EXPECT-OBJECT: Port#1
// EXPECT-JQ: .stacks.free | map(.function) | index("port_unplug") != null
// EXPECT-NO-KIND: ref-freed-while-held
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct port { int open; };
static volatile int closes;

__attribute__((noinline)) static void port_unplug(struct port *p)
{
    lg_object_free(p); /* destroys it while the open file still counts on it */
}

__attribute__((noinline)) static void port_close(struct port *p)
{
    lg_ref_put(p, NULL);
    closes++;
}

int main(void)
{
    static struct port port; /* static: the put must not touch freed memory */
    lg_object_new(&port, "Port");
    port_unplug(&port);
    port_close(&port);
    return 0;
}
