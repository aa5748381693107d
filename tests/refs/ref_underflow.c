// A request is released twice (the OpenZFS direct-I/O bug in miniature):
// the second put finds the count already at zero, the object destroyed.
// EXPECT-KIND: ref-underflow
// EXPECT-FUNCTION: dio_done
// EXPECT-LINE: 17
// EXPECT-OBJECT: Request#1
// EXPECT-MESSAGE: whose count is already zero (destroyed)
// EXPECT-JQ: .stacks.zero_put != null and .stacks.birth != null and .stacks.free != null
// EXPECT-JQ: .stacks.free | any(.function == "dio_release")
#include <stdlib.h>

#include "lifeguard.h"

__attribute__((noinline)) static void dio_done(void *req)
{
    /* the completion path drops a reference the submitter already dropped */
    lg_ref_put(req, NULL);
}

__attribute__((noinline)) static void dio_release(void *req)
{
    lg_ref_put(req, NULL);
    free(req);
}

int main(void)
{
    void *req = malloc(64);
    lg_object_new(req, "Request");
    dio_release(req);
    dio_done(req);
    return 0;
}
