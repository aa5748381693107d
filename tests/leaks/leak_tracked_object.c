// A leaked block that holds a tracked object is the reference tracker's to
// report (ref-leak, with its holders): it is not reported again as a leak.
// A plain leaked block next to it still is.
// EXPECT-KIND: ref-leak
// EXPECT-OBJECT: Conn#1
// EXPECT-KIND: leak
// EXPECT-FUNCTION: leak_buffer
// EXPECT-COUNT: 1
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"
#include "scrub.h"

struct conn {
    int fd;
    char *buf;
};

__attribute__((noinline)) static void leak_conn(void)
{
    struct conn *c = malloc(sizeof *c);
    lg_object_new(c, "Conn");
    c->buf = malloc(100); /* grouped under the object */
    printf("conn %p\n", (void *)c);
}

__attribute__((noinline)) static void leak_buffer(void)
{
    printf("buffer %p\n", malloc(64));
}

int main(void)
{
    leak_conn();
    leak_buffer();
    scrub();
    return 0;
}
