// The printf family on valid heap strings and buffers, with every kind of
// argument around them (the walk must take each one the way printf does:
// the output proves the arguments were not shifted): nothing to report.
// EXPECT-CLEAN
// EXPECT-STDOUT: 42 -7 ff 3.25 2.5 hello x 0x1 |abc| world [  hi] hello 12 wide (null)
// EXPECT-STDOUT: second=7 first=alpha
// EXPECT-STDOUT: snprintf=hello|5|trunc=tru|9 n=8
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

int main(void)
{
    char *hello = strdup("hello");
    char *abc = malloc(3); /* unterminated, printed with a precision that fits */
    memcpy(abc, "abc", 3);
    char *world = strdup("world");
    wchar_t *wide = malloc(5 * sizeof(wchar_t));
    wcscpy(wide, L"wide");
    long double ld = 2.5L;
    printf("%d %ld %x %.2f %.1Lf %s %c %p |%.3s| %s [%*.*s] %-5s %lld %ls %s\n", 42, -7L, 255u, 3.25, ld, hello, 'x',
           (void *)1, abc, world, 4, 2, "hi!", hello, 12LL, wide, (char *)NULL);
    say("second=%2$d first=%1$s\n", "alpha", 7);
    char *dst = malloc(6);
    int a = snprintf(dst, 6, "%s", hello);
    char *small = malloc(4);
    int b = snprintf(small, 4, "%s", "truncated");
    int *count = malloc(sizeof(int));
    char *line = malloc(64);
    sprintf(line, "%s|%d|%n", dst, a, count);
    printf("snprintf=%strunc=%s|%d n=%d\n", line, small, b, *count);
    free(hello);
    free(abc);
    free(world);
    free(wide);
    free(dst);
    free(small);
    free(count);
    free(line);
    return 0;
}
