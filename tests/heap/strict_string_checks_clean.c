// strict_string_checks.c without the option: strchr and strtol are checked
// for the bytes they read, which are inside the blocks: nothing to report.
// EXPECT-CLEAN
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
