// The no-link path: the program includes lifeguard.h and links nothing of
// lifeguard.  Without the runtime it runs unchanged (every call a
// predictable branch); under LD_PRELOAD=liblifeguard.so it is tracked.
// Checked as a position-independent executable, as a non-PIE one (where a
// weak undefined symbol would have been bound to zero at link time), and
// at -O0, where the header's wrappers must still be inlined.
// CFLAGS: -O1 -g -fPIE -pie
// VARIANT: -O1 -g -fno-pie -no-pie
// VARIANT: -O0 -g -fno-pie -no-pie
// VARIANT: -O0 -g -fPIE -pie
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: open_session
// EXPECT-LINE: 24
// EXPECT-OBJECT: Session#1
// EXPECT-STDOUT: checkpoint nonzero 1
// NO-RUNTIME-RUN
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

__attribute__((noinline)) static void open_session(void *s, void *owner)
{
    lg_ref_get(s, owner);
}

int main(void)
{
    static char owner;
    lg_checkpoint_t since = lg_checkpoint();
    void *s = malloc(16);
    lg_object_new(s, "Session");
    open_session(s, &owner);
    lg_ref_put(s, NULL);
    printf("checkpoint nonzero %d\n", since != 0);
    return 0; /* the owner's reference leaks */
}
