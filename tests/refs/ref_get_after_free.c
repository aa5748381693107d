// A lookup table keeps a pointer to a connection after its last reference
// was dropped and it was freed; a later lookup takes a reference to it.
// EXPECT-KIND: ref-get-after-free
// EXPECT-FUNCTION: conn_lookup
// EXPECT-LINE: 19
// EXPECT-OBJECT: Conn#2
// EXPECT-MESSAGE: after it was destroyed
// EXPECT-JQ: .stacks.zero_put != null and .stacks.free != null
// EXPECT-JQ: (.stacks.free | any(.function == "conn_close")) and (.stacks.zero_put | any(.function == "conn_close"))
#include <stdlib.h>

#include "lifeguard.h"

static void *table[4];

__attribute__((noinline)) static void *conn_lookup(int i)
{
    void *c = table[i];
    lg_ref_get(c, NULL); /* the connection is gone; only its pointer is left */
    return c;
}

__attribute__((noinline)) static void conn_close(int i)
{
    lg_ref_put(table[i], NULL);
    free(table[i]); /* forgets to clear table[i] */
}

int main(void)
{
    for (int i = 0; i < 4; i++) {
        table[i] = malloc(32);
        lg_object_new(table[i], "Conn");
    }
    conn_close(1);
    conn_lookup(1);
    for (int i = 0; i < 4; i++)
        if (i != 1) {
            lg_ref_put(table[i], NULL);
            free(table[i]);
        }
    return 0;
}
