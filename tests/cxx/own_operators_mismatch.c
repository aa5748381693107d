// The twin of own_operators_clean: a module's own operators are families
// like the process's, so the wrong release is still a mismatch, named by
// the operator — its new[] released by the process's scalar delete, the
// process's new[] released by its scalar delete.  (Its new[] released by
// its own delete is malloc and free to the heap: the module's business, as
// it is without lifeguard's operators.)
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_own_array
// EXPECT-MESSAGE: operator delete of the 32-byte block
// EXPECT-JQ: .message | contains("allocated by operator new[]")
// EXPECT-KIND: alloc-dealloc-mismatch
// EXPECT-FUNCTION: release_with_own_delete
// EXPECT-MESSAGE: operator delete of the 24-byte block
// EXPECT-JQ: .message | contains("allocated by operator new[]")
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include "own_operators.h"

__attribute__((noinline)) static void release_own_array(void *p)
{
    void (*delete_one)(void *) = (void (*)(void *))process_operator("_ZdlPv");
    delete_one(p);
    sink = p;
}

__attribute__((noinline)) static void release_with_own_delete(void *p)
{
    own_delete(p);
    sink = p;
}

int main(void)
{
    void *a = own_new_array(32);
    sink = a;
    release_own_array(a);
    void *(*new_array)(size_t) = (void *(*)(size_t))process_operator("_Znam");
    void *b = new_array(24);
    sink = b;
    release_with_own_delete(b);
    puts("done");
    return 0;
}
