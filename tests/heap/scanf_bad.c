// The scanf family writes its destinations: a word stored past the end of
// an 8-byte block, an int stored into a freed one, a %lf into a 4-byte
// block, a freed input string read, %10c into 8 bytes, and swscanf's %ls
// past a wide buffer.  Each reported at its call, after it (guard=off:
// several reports in one run; scanf_guarded.c runs the default).  glibc's
// headers make every call __isoc99_sscanf & co; read_int calls the plain
// sscanf symbol, which older binaries use.
// OPTIONS: guard=off
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_word
// EXPECT-LINE: 45
// EXPECT-MESSAGE: sscanf() writes 12 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_int
// EXPECT-LINE: 46
// EXPECT-MESSAGE: sscanf() writes 4 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_double
// EXPECT-LINE: 47
// EXPECT-MESSAGE: sscanf() writes 8 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_from
// EXPECT-LINE: 48
// EXPECT-MESSAGE: sscanf() reads
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_chars
// EXPECT-LINE: 49
// EXPECT-MESSAGE: fscanf() writes 10 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_wide
// EXPECT-LINE: 50
// EXPECT-MESSAGE: swscanf() writes 24 bytes
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static volatile int sink;
int legacy_sscanf(const char *in, const char *fmt, ...) __asm__("sscanf");

/* Each call on its own line, its result used: no tail call. */
__attribute__((noinline)) static void read_word(char *dst) { sink = sscanf("elevenchars x", "%s", dst); }
__attribute__((noinline)) static void read_int(int *dst) { sink = legacy_sscanf("42", "%d", dst); }
__attribute__((noinline)) static void read_double(double *dst) { sink = sscanf("2.5", "%lf", dst); }
__attribute__((noinline)) static void read_from(const char *in, int *dst) { sink = sscanf(in, "%d", dst); }
__attribute__((noinline)) static void read_chars(FILE *f, char *dst) { sink = fscanf(f, "%10c", dst); }
__attribute__((noinline)) static void read_wide(wchar_t *dst) { sink = swscanf(L"abcde", L"%ls", dst); }

int main(void)
{
    char *word = malloc(8);
    read_word(word);
    int *gone = malloc(sizeof(int));
    free(gone);
    read_int(gone);
    double *small = malloc(4);
    read_double(small);
    char *in = strdup("17");
    free(in);
    int n;
    read_from(in, &n);
    FILE *f = fmemopen("0123456789abc", 13, "r");
    char *chars = malloc(8);
    read_chars(f, chars);
    wchar_t *wide = malloc(4 * sizeof(wchar_t));
    read_wide(wide);
    fclose(f);
    free(word);
    free(small);
    free(chars);
    free(wide);
    return 0;
}
