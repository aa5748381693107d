// A module's own operators, paired right with the process's: its new[]
// released by the process's delete[], the process's new released by its
// delete.  The heap saw malloc() and free() for its side; the operator,
// found by name at the release, is the family: nothing is reported.
// EXPECT-CLEAN
// EXPECT-NO-KIND: alloc-dealloc-mismatch
// EXPECT-STDOUT: own operators ok
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include "own_operators.h"

__attribute__((noinline)) static void release_array(void *p)
{
    void (*delete_array)(void *) = (void (*)(void *))process_operator("_ZdaPv");
    delete_array(p);
    sink = p;
}

__attribute__((noinline)) static void release_own(void *p)
{
    own_delete(p);
    sink = p;
}

int main(void)
{
    void *(*new_one)(size_t) = (void *(*)(size_t))process_operator("_Znwm");
    for (int i = 0; i < 3; i++) {
        void *a = own_new_array(32);
        sink = a;
        release_array(a);
        void *b = new_one(24);
        sink = b;
        release_own(b);
    }
    puts("own operators ok");
    return 0;
}
