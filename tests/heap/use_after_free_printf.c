// The printf family reads %s strings: a freed one is a use-after-free, an
// unterminated one read past its block (here through a precision) a
// heap-overflow; each at its call, in every form (v*, fprintf, dprintf,
// snprintf, positional arguments, _FORTIFY_SOURCE's __printf_chk & co).
// OPTIONS: guard=off
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: show_name
// EXPECT-LINE: 42
// EXPECT-MESSAGE: printf() reads
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: show_prefix
// EXPECT-LINE: 48
// EXPECT-MESSAGE: fprintf() reads 20 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: log_line
// EXPECT-LINE: 55
// EXPECT-MESSAGE: vfprintf()
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: to_fd
// EXPECT-LINE: 61
// EXPECT-MESSAGE: dprintf()
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: into_buffer
// EXPECT-LINE: 66
// EXPECT-MESSAGE: snprintf()
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: reordered
// EXPECT-LINE: 71
// EXPECT-JQ: .block.size == 6
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
// VARIANT: -O2 -g -D_FORTIFY_SOURCE=2
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int sink;

__attribute__((noinline)) static void show_name(const char *name)
{
    sink = printf("name: %s\n", name);
}

__attribute__((noinline)) static void show_prefix(const char *buf)
{
    /* buf has 8 bytes and no terminator: %.20s reads on to 20 */
    sink = fprintf(stdout, "prefix: %.20s\n", buf);
}

__attribute__((noinline)) static void log_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sink = vfprintf(stdout, fmt, ap);
    va_end(ap);
}

__attribute__((noinline)) static void to_fd(const char *s)
{
    sink = dprintf(1, "fd: %s\n", s);
}

__attribute__((noinline)) static void into_buffer(char *out, size_t n, const char *s)
{
    sink = snprintf(out, n, "[%s]", s);
}

__attribute__((noinline)) static void reordered(const char *s)
{
    sink = printf("%2$s %1$d\n", 7, s);
}

int main(void)
{
    char *name = strdup("alice");
    free(name);
    show_name(name);
    char *buf = malloc(8);
    memcpy(buf, "abcdefgh", 8);
    show_prefix(buf);
    char *word = strdup("gone!");
    free(word);
    log_line("%d %s %f\n", 3, word, 1.5);
    char *f = strdup("gone2");
    free(f);
    to_fd(f);
    char out[32];
    char *g = strdup("gone3");
    free(g);
    into_buffer(out, sizeof(out), g);
    char *h = strdup("gone4");
    free(h);
    reordered(h);
    free(buf);
    return 0;
}
