// The wide printf family used correctly: %ls read to a terminator at the
// very end of its block, %.4ls of an unterminated 4-character block, %s of
// a narrow string, swprintf filling its block exactly and truncating
// (returns -1) within its cap, positional arguments.  No finding.
// EXPECT-CLEAN
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static volatile int sink;

static int log_wide(FILE *f, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfwprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

int main(void)
{
    FILE *out = fopen("/dev/null", "w");
    wchar_t *exact = malloc(5 * sizeof(wchar_t));
    wcscpy(exact, L"four");
    wchar_t *four = malloc(4 * sizeof(wchar_t));
    wmemcpy(four, L"abcd", 4);
    char *narrow = strdup("narrow");
    sink = fwprintf(out, L"%ls %.4ls %s %d\n", exact, four, narrow, 7);
    sink = log_wide(out, L"%2$ls %1$s\n", narrow, exact);
    wchar_t *dst = malloc(12 * sizeof(wchar_t));
    sink = swprintf(dst, 12, L"%ls-%d", L"abcdef", 1234); /* 11 and the terminator: exactly full */
    sink = swprintf(dst, 12, L"%ls", L"far too long for twelve"); /* -1: stops at the cap */
    sink = wprintf(L"%ls\n", exact);
    free(exact);
    free(four);
    free(narrow);
    free(dst);
    fclose(out);
    return 0;
}
