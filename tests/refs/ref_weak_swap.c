// A weak pointer swapped to a new object without re-registering it: the
// slot was registered for Conn#1, a reconnect stores Conn#2 and forgets
// lg_weak_set.  Conn#2 dies; the use through the slot is reported with the
// registration that should have been renewed (the cause), not only at the
// late use.
// EXPECT-KIND: ref-weak-stale
// EXPECT-FUNCTION: send_keepalive
// EXPECT-LINE: 43
// EXPECT-MESSAGE: reaches Conn#2 but was registered for Conn#1
// EXPECT-JQ: (.stacks.weak_set | map(.function) | index("connect_first") != null) and (.notes | any(test("Conn#2 is no longer alive")))
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct conn { int fd; };
static struct conn *active; /* weak */

__attribute__((noinline)) static struct conn *conn_new(void)
{
    struct conn *c = malloc(sizeof(*c));
    lg_object_new(c, "Conn");
    return c;
}

__attribute__((noinline)) static void connect_first(struct conn *c)
{
    active = c;
    lg_weak_set(&active, c);
}

__attribute__((noinline)) static void reconnect(struct conn *c)
{
    active = c; /* bug: no lg_weak_set(&active, c) */
}

static volatile int sent;

__attribute__((noinline)) static void send_keepalive(void)
{
    struct conn *c = active;
    sent++;
    lg_weak_use(&active, c);
}

int main(void)
{
    struct conn *a = conn_new(), *b = conn_new();
    connect_first(a);
    reconnect(b);
    lg_object_free(b);
    free(b);
    send_keepalive();
    lg_object_free(a);
    free(a);
    return 0;
}
