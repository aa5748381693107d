// The clean twin of ref_weak_stale.c and ref_weak_swap.c: the destructor
// clears the weak slot, a swap re-registers it, and every use reaches a
// live object.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-weak-stale
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct conn { int fd; };
static struct conn *active; /* weak */

static struct conn *conn_new(void)
{
    struct conn *c = malloc(sizeof(*c));
    lg_object_new(c, "Conn");
    return c;
}

static void set_active(struct conn *c)
{
    active = c;
    lg_weak_set(&active, c);
}

static void conn_destroy(struct conn *c)
{
    if (active == c) {
        active = NULL;
        lg_weak_clear(&active);
    }
    lg_object_free(c);
    free(c);
}

static void send_keepalive(void)
{
    struct conn *c = active;
    if (c) lg_weak_use(&active, c);
}

int main(void)
{
    struct conn *a = conn_new(), *b = conn_new();
    set_active(a);
    send_keepalive();
    set_active(b);
    conn_destroy(a); /* no longer the active one */
    send_keepalive();
    conn_destroy(b);
    send_keepalive();
    return 0;
}
