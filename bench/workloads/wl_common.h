/* wl_common.h — what every workload shares: a seeded PRNG, the size scale
 * from the command line, and the checksum mix. */
#ifndef WL_COMMON_H
#define WL_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* xorshift64*: fast, deterministic, good enough to scatter sizes and slots. */
static inline uint64_t wl_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t wl_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h;
}

/* argv[1] is the input size in percent of the default (100); the default
 * sizes are what docs/PERFORMANCE.md reports. */
static inline uint64_t wl_scaled(int argc, char **argv, uint64_t full)
{
    long pct = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
    if (pct < 1)
        pct = 1;
    uint64_t n = full * (uint64_t)pct / 100;
    return n ? n : 1;
}

static inline void *wl_xmalloc(size_t size)
{
    void *p = malloc(size);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

#endif
