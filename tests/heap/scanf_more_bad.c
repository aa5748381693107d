// The scanf family's less common shapes, each writing past or into a bad
// block: a positional format (%2$s stores the second argument first), a
// wide %c without l (multibyte characters, at least one byte each), and
// glibc 2.38's C23 entry point __isoc23_sscanf (declared weak: this glibc
// may not have it; the runtime defines it).  Each reported after its call.
// OPTIONS: guard=off
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_positional
// EXPECT-LINE: 31
// EXPECT-MESSAGE: sscanf() writes 12 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_wide_chars
// EXPECT-LINE: 33
// EXPECT-MESSAGE: swscanf() writes 6 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_c23
// EXPECT-LINE: 36
// EXPECT-MESSAGE: sscanf() writes 4 bytes
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

static volatile int sink;
extern int __isoc23_sscanf(const char *in, const char *fmt, ...) __attribute__((weak));

/* Each call on its own line, its result used: no tail call. */
__attribute__((noinline)) static void read_positional(int *n, char *word)
{
    sink = sscanf("elevenchars 7", "%2$s %1$d", n, word);
}
__attribute__((noinline)) static void read_wide_chars(char *dst) { sink = swscanf(L"abcdef", L"%6c", dst); }
__attribute__((noinline)) static void read_c23(int *dst)
{
    sink = __isoc23_sscanf("42", "%d", dst);
}

int main(void)
{
    if (!__isoc23_sscanf) {
        puts("no __isoc23_sscanf");
        return 3;
    }
    int n;
    char *word = malloc(8);
    read_positional(&n, word);
    char *chars = malloc(4);
    read_wide_chars(chars);
    int *gone = malloc(sizeof(int));
    free(gone);
    read_c23(gone);
    free(word);
    free(chars);
    return 0;
}
