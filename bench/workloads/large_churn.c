/* large_churn.c — a string grown past the size classes by allocating a
 * slightly longer copy and freeing the old one at every step (no realloc),
 * as jq's join does: per round 50 000 steps of 12 bytes up to 600 KB, each
 * with a short string allocated for the item and freed.  Every step needs
 * a large block a few bytes longer than the one just freed.  A 1 MiB block
 * freed first raises glibc's mmap threshold past the string's sizes, as
 * jq's arrays do before its join (else glibc maps every step too). */
#include <string.h>

#include "wl_common.h"

#define STEPS 50000
#define GROWTH 12

int main(int argc, char **argv)
{
    uint64_t rounds = wl_scaled(argc, argv, 4);
    uint64_t rng = 0x5EED0011, sum = 0, blocks = 0;
    char *first = wl_xmalloc(1 << 20);
    memset(first, 1, 1 << 20);
    sum = wl_mix(sum, (unsigned char)first[4096]);
    free(first);
    for (uint64_t round = 0; round < rounds; round++) {
        char *s = wl_xmalloc(1);
        size_t len = 0;
        for (unsigned i = 0; i < STEPS; i++) {
            char *item = wl_xmalloc(16);
            int n = snprintf(item, 16, "%011u,", (unsigned)(wl_rand(&rng) % 100000000000ull));
            char *t = wl_xmalloc(len + GROWTH + 1);
            memcpy(t, s, len);
            memcpy(t + len, item, (size_t)n < GROWTH ? (size_t)n : GROWTH);
            len += GROWTH;
            t[len] = 0;
            free(s);
            free(item);
            s = t;
            blocks += 2;
        }
        for (size_t i = 0; i < len; i += 101) sum = wl_mix(sum, (unsigned char)s[i]);
        sum = wl_mix(sum, len);
        free(s);
    }
    printf("large_churn rounds=%llu blocks=%llu checksum=%016llx\n", (unsigned long long)rounds,
           (unsigned long long)blocks, (unsigned long long)sum);
    return 0;
}
