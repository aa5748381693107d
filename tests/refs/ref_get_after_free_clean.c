// The twin of ref_get_after_free.c: close clears the table entry, and a
// lookup of an empty slot takes nothing.
// EXPECT-CLEAN
// NO-RUNTIME-RUN
#include <stdlib.h>

#include "lifeguard.h"

static void *table[4];

__attribute__((noinline)) static void *conn_lookup(int i)
{
    void *c = table[i];
    if (c) lg_ref_get(c, NULL);
    return c;
}

__attribute__((noinline)) static void conn_close(int i)
{
    lg_ref_put(table[i], NULL);
    free(table[i]);
    table[i] = NULL;
}

int main(void)
{
    for (int i = 0; i < 4; i++) {
        table[i] = malloc(32);
        lg_object_new(table[i], "Conn");
    }
    conn_close(1);
    conn_lookup(1);
    void *c = conn_lookup(2);
    lg_ref_put(c, NULL);
    for (int i = 0; i < 4; i++)
        if (table[i]) {
            lg_ref_put(table[i], NULL);
            free(table[i]);
        }
    return 0;
}
