// The wide printf family reads its strings as printf does: %ls of an
// unterminated wide string read past its block through a precision, %S of
// a freed one, %s (a narrow string in a wide format) freed; swprintf's
// destination written past its block.  Each at its call, the program going
// on (guard=off: several reports in one run; wide_printf_uaf.c runs the
// default).
// OPTIONS: guard=off
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: show_prefix
// EXPECT-LINE: 41
// EXPECT-MESSAGE: fwprintf() reads 40 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: show_upper
// EXPECT-LINE: 46
// EXPECT-MESSAGE: fwprintf() reads
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: show_narrow
// EXPECT-LINE: 51
// EXPECT-MESSAGE: wprintf() reads
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: into_wide
// EXPECT-LINE: 56
// EXPECT-MESSAGE: swprintf() writes 48 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: log_wide
// EXPECT-LINE: 63
// EXPECT-MESSAGE: vfwprintf()
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

static volatile int sink;
static FILE *out;

__attribute__((noinline)) static void show_prefix(const wchar_t *buf)
{
    sink = fwprintf(out, L"prefix: %.10ls\n", buf); /* 8 wide characters, no terminator */
}

__attribute__((noinline)) static void show_upper(const wchar_t *s)
{
    sink = fwprintf(out, L"upper: %S\n", s);
}

__attribute__((noinline)) static void show_narrow(const char *s)
{
    sink = wprintf(L"narrow: %s\n", s);
}

__attribute__((noinline)) static void into_wide(wchar_t *dst, size_t cap)
{
    sink = swprintf(dst, cap, L"%ls-%d", L"abcdef", 1234); /* 11 characters and the terminator */
}

__attribute__((noinline)) static void log_wide(const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sink = vfwprintf(out, fmt, ap);
    va_end(ap);
}

int main(void)
{
    out = fopen("/dev/null", "w");
    wchar_t *prefix = malloc(8 * sizeof(wchar_t));
    wmemset(prefix, L'p', 8);
    show_prefix(prefix);
    wchar_t *gone = wcsdup(L"gone");
    free(gone);
    show_upper(gone);
    char *narrow = malloc(8);
    narrow[0] = 'n';
    narrow[1] = 0;
    free(narrow);
    show_narrow(narrow);
    wchar_t *dst = malloc(8 * sizeof(wchar_t));
    into_wide(dst, 32);
    wchar_t *line = wcsdup(L"line");
    free(line);
    log_wide(L"[%ls]\n", line);
    free(prefix);
    free(dst);
    fclose(out);
    return 0;
}
