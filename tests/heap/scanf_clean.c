// The scanf family used correctly: a word that fits exactly, %7s bounded,
// %ms allocating, %*d suppressed, %n, %[a-z], %8c filling its block, %lf
// into a double, swscanf into a wide buffer that fits, and a partial match:
// "%d %d" on "5 x" assigns the first only, so the second destination (a
// freed block) is not written and not reported.  And the less common
// shapes used right: a positional format, a wide %c without l into a
// block that holds it, glibc 2.38's __isoc23_sscanf (weak: this glibc may
// not have it).  No finding.
// EXPECT-CLEAN
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static volatile int sink;
extern int __isoc23_sscanf(const char *in, const char *fmt, ...) __attribute__((weak));

int main(void)
{
    char *word = malloc(8);
    sink = sscanf("seven77 rest", "%s", word);      /* 7 and the terminator */
    sink = sscanf("muchlongerword", "%7s", word);  /* bounded */
    char *allocated = NULL;
    sink = sscanf("allocated", "%ms", &allocated);
    int *num = malloc(sizeof(int));
    int *count = malloc(sizeof(int));
    sink = sscanf("1 2 abc", "%*d %d %n", num, count);
    char *letters = malloc(4);
    sink = sscanf("abc123", "%3[a-z]", letters);
    char *chars = malloc(8);
    sink = sscanf("01234567", "%8c", chars);
    double *d = malloc(sizeof(double));
    sink = sscanf("2.5", "%lf", d);
    wchar_t *wide = malloc(6 * sizeof(wchar_t));
    sink = swscanf(L"abcde", L"%ls", wide);
    int *first = malloc(sizeof(int));
    int *never = malloc(sizeof(int));
    free(never);
    sink = sscanf("5 x", "%d %d", first, never);
    int *later = malloc(sizeof(int));
    char *name = malloc(6);
    sink = sscanf("alpha 9", "%2$s %1$d", later, name);
    char *six = malloc(6);
    sink = swscanf(L"abcdef", L"%6c", six);
    int *c23 = malloc(sizeof(int));
    *c23 = -1;
    if (__isoc23_sscanf) sink = __isoc23_sscanf("23", "%d", c23);
    printf("%s %s %d %d %s %.8s %.1f %ls %d %s %d %.6s %d\n", word, allocated, *num, *count, letters, chars, *d, wide,
           *first, name, *later, six, *c23);
    free(later);
    free(name);
    free(six);
    free(c23);
    free(word);
    free(allocated);
    free(num);
    free(count);
    free(letters);
    free(chars);
    free(d);
    free(wide);
    free(first);
    return 0;
}
