// A constant-size memcpy out of a freed block is inlined by the compiler
// into moves: no libc call is made, but the block is guarded and the moves
// fault.  Built with builtins on.
// CFLAGS: -O1 -g
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: copy_out
// EXPECT-LINE: 18
// EXPECT-JQ: .access.type == "read"
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>
#include <string.h>

struct rec { long a, b; };

__attribute__((noinline)) static void copy_out(struct rec *dst, const struct rec *src)
{
    memcpy(dst, src, sizeof(*dst));
}

int main(void)
{
    struct rec out, *r = malloc(sizeof(*r));
    r->a = 1;
    r->b = 2;
    free(r);
    copy_out(&out, r);
    return (int)out.a;
}
