// The leak scan at exit with freed guarded blocks in quarantine: their
// pages fault (guard markers leave the guarded tier's range read-write in
// /proc/self/maps, and it may share a line with the runtime's mapping
// beside it), so the roots scan must leave the whole range out.  The leak
// is still found, and the scan does not fault.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: keep
// EXPECT-LINE: 20
// EXPECT-NO-KIND: use-after-free
// EXPECT-NO-KIND: segv
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>
#include <string.h>

static void *volatile sink;

__attribute__((noinline)) static void keep(void)
{
    sink = malloc(48);
    sink = malloc(48); /* the first one leaks */
}

__attribute__((noinline)) static void churn(int i)
{
    char *p = malloc(16 + (size_t)i);
    memset(p, i, 16);
    free(p);
}

int main(void)
{
    for (int i = 0; i < 40; i++) churn(i);
    keep();
    return 0;
}
