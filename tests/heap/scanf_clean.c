// The scanf family used correctly: a word that fits exactly, %7s bounded,
// %ms allocating, %*d suppressed, %n, %[a-z], %8c filling its block, %lf
// into a double, swscanf into a wide buffer that fits, and a partial match:
// "%d %d" on "5 x" assigns the first only, so the second destination (a
// freed block) is not written and not reported.  No finding.
// EXPECT-CLEAN
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static volatile int sink;

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
    printf("%s %s %d %d %s %.8s %.1f %ls %d\n", word, allocated, *num, *count, letters, chars, *d, wide, *first);
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
