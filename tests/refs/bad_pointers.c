// Annotations never dereference what they are given: wild addresses as
// objects and holders are just numbers (tracked, reported, never touched),
// and the reports name them without crashing.
// EXPECT-KIND: ref-put-unheld
// EXPECT-FUNCTION: drop_wild
// EXPECT-LINE: 19
// EXPECT-MESSAGE: holder 0xffff800000000000
// EXPECT-NO-KIND: ref-leak
// EXPECT-NO-KIND: ref-underflow
#include <stdint.h>
#include <stdlib.h>

#include "lifeguard.h"

#define WILD(x) ((void *)(uintptr_t)(x))

__attribute__((noinline)) static void drop_wild(void *obj)
{
    lg_ref_put(obj, WILD(0xffff800000000000ull)); /* a kernel-half address that holds nothing */
}

int main(void)
{
    lg_object_new(WILD(0xdead0000), "Wild");
    lg_ref_get(WILD(0xdead0000), WILD(1));
    lg_ref_get(WILD(0xdead0000), WILD(1));
    drop_wild(WILD(0xdead0000));
    lg_ref_put(WILD(0xdead0000), WILD(1));
    lg_ref_put(WILD(0xdead0000), NULL); /* the wild put took one: this one reaches zero */
    /* an object never born, at an unmapped address, held by a freed block */
    void *gone = malloc(8);
    free(gone);
    lg_ref_get(WILD(16), gone);
    lg_ref_put(WILD(16), gone);
    lg_ref_put(WILD(24), NULL);    /* never seen: nothing to check it against */
    lg_object_free(WILD(1));       /* unknown */
    lg_expect_freed(WILD(0x1234), NULL);
    lg_ref_get(NULL, NULL);        /* ignored */
    lg_object_new(NULL, NULL);
    return 0;
}
