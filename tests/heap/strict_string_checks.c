// With strict_string_checks=1 a search is checked up to the string's
// terminator even when it stopped early: an unterminated heap string is
// reported by strchr and strtol although they found what they looked for.
// (strict_string_checks_clean.c: the same program without the option.)
// OPTIONS: strict_string_checks=1
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: find_colon
// EXPECT-LINE: 23
// EXPECT-MESSAGE: strchr() reads
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_port
// EXPECT-LINE: 24
// EXPECT-MESSAGE: strtol() reads
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile long sink;
static char *volatile keep;

__attribute__((noinline)) static void find_colon(const char *s) { keep = strchr(s, ':'); }
__attribute__((noinline)) static void read_port(const char *s) { sink = strtol(s, NULL, 10); }

int main(void)
{
    char *host = malloc(8);
    memcpy(host, "ab:cdefg", 8); /* no terminator; the ':' is inside */
    find_colon(host);
    char *port = malloc(6);
    memcpy(port, "80 xyz", 6); /* no terminator; the number ends inside */
    read_port(port);
    printf("%ld\n", sink);
    free(host);
    free(port);
    return 0;
}
