// lg_refcount_t, the ready-made saturating count: a double put on the
// error path is caught by lifeguard, and the count itself saturates
// instead of going negative, so the object is never freed twice.
// EXPECT-KIND: ref-underflow
// EXPECT-FUNCTION: buffer_error_path
// EXPECT-LINE: 26
// EXPECT-OBJECT: Buffer#1
// EXPECT-KIND: ref-saturated
// EXPECT-FUNCTION: buffer_error_path
// EXPECT-MESSAGE: a put below zero
// EXPECT-COUNT: 1
// EXPECT-STDOUT: saturated 1 freed 1
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

struct buffer { lg_refcount_t ref; char data[32]; };

static int frees;

__attribute__((noinline)) static void buffer_error_path(struct buffer *b, int *dropped)
{
    /* the caller drops this reference too */
    *dropped = 1;
    lg_refcount_put(&b->ref, b, NULL);
}

int main(void)
{
    static struct buffer storage; /* static: the second put must not touch freed memory */
    struct buffer *b = &storage;
    lg_refcount_init(&b->ref, b, "Buffer");
    int dropped = 0;
    if (lg_refcount_put(&b->ref, b, NULL)) frees++;
    buffer_error_path(b, &dropped);
    int saturated = lg_refcount_read(&b->ref) == LG_REFCOUNT_SATURATED;
    if (dropped && lg_refcount_put(&b->ref, b, NULL)) frees++; /* saturated: never true again */
    printf("saturated %d freed %d\n", saturated, frees);
    return 0;
}
