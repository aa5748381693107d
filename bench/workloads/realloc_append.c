/* realloc_append.c — strings built by appending a few bytes at a time with
 * an exact-fit realloc each time (the naive builder jq's join and many C
 * programs use): per round one long string of 100 000 six-byte appends
 * (600 KB, past the size classes) and 2 000 short ones of 1-16-byte
 * appends up to 100-2 000 bytes.  Quadratic unless realloc grows in place. */
#include <string.h>

#include "wl_common.h"

#define LONG_APPENDS 100000
#define SHORT_STRINGS 2000

static char *xrealloc(char *p, size_t size)
{
    p = realloc(p, size);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static uint64_t digest(const char *s, size_t len, uint64_t sum)
{
    for (size_t i = 0; i < len; i += 97) sum = wl_mix(sum, (unsigned char)s[i]);
    return wl_mix(sum, len);
}

int main(int argc, char **argv)
{
    uint64_t rounds = wl_scaled(argc, argv, 20);
    uint64_t rng = 0x5EED0007, sum = 0, reallocs = 0;
    for (uint64_t round = 0; round < rounds; round++) {
        char *s = NULL;
        size_t len = 0;
        for (unsigned i = 0; i < LONG_APPENDS; i++) {
            s = xrealloc(s, len + 6);
            memcpy(s + len, "item, ", 6);
            s[len + 4] = (char)('0' + i % 10);
            len += 6;
            reallocs++;
        }
        sum = digest(s, len, sum);
        free(s);
        for (unsigned k = 0; k < SHORT_STRINGS; k++) {
            size_t target = 100 + (size_t)(wl_rand(&rng) % 1900);
            char *t = NULL;
            size_t n = 0;
            while (n < target) {
                size_t chunk = 1 + (size_t)(wl_rand(&rng) % 16);
                t = xrealloc(t, n + chunk);
                memset(t + n, 'a' + (int)(chunk % 26), chunk);
                n += chunk;
                reallocs++;
            }
            sum = digest(t, n, sum);
            free(t);
        }
    }
    printf("realloc_append rounds=%llu reallocs=%llu checksum=%016llx\n", (unsigned long long)rounds,
           (unsigned long long)reallocs, (unsigned long long)sum);
    return 0;
}
