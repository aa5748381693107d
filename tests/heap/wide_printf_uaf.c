// wprintf of a freed wide string (%ls), under the default guard=sites: the
// check reports the call, and the program stops there (the freed block's
// pages are inaccessible: the real call would fault).
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: show
// EXPECT-LINE: 17
// EXPECT-MESSAGE: wprintf() reads
// EXPECT-COUNT: 1
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include <stdlib.h>
#include <wchar.h>

static volatile int sink;

__attribute__((noinline)) static void show(const wchar_t *s) { sink = wprintf(L"name: %ls\n", s); }

int main(void)
{
    wchar_t *name = wcsdup(L"alice");
    free(name);
    show(name);
    return 0;
}
