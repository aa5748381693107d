// The twin of ref_underflow.c: the completion holds its own reference.
// EXPECT-CLEAN
// NO-RUNTIME-RUN
#include <stdlib.h>

#include "lifeguard.h"

__attribute__((noinline)) static void dio_done(void *req)
{
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
    lg_ref_get(req, NULL); /* the completion's reference */
    dio_done(req);
    dio_release(req);
    return 0;
}
