// puts and fwrite of a freed buffer.
// OPTIONS: guard=off
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: print_line
// EXPECT-MESSAGE: puts()
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: dump
// EXPECT-MESSAGE: fwrite()
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void print_line(const char *s)
{
    puts(s);
}

__attribute__((noinline)) static void dump(const char *p, size_t n)
{
    fwrite(p, 1, n, stdout);
}

int main(void)
{
    char *line = strdup("a line");
    free(line);
    print_line(line);
    char *blob = malloc(8);
    memset(blob, 'x', 8);
    free(blob);
    dump(blob, 8);
    return 0;
}
