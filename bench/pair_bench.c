/* pair_bench.c — nanoseconds per malloc+free pair, the allocator's own
 * cost: LIFO (each block freed right after its malloc, 8-256 bytes) and
 * random (a block of 64 Ki live ones replaced at random).  Run it plain
 * and under the runtime (LD_PRELOAD, LIFEGUARD_OPTIONS=stacks=0 for the
 * allocator alone); the median of REPS runs of each is printed, in the
 * thread's CPU time.  MODE (lifo or random) runs only that loop, for a
 * profile or a cache simulation of one pattern alone.
 *
 *   pair_bench [PAIRS_MILLIONS] [REPS] [MODE] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIVE 65536

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: steadier on a loaded machine */
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rng = 0x5EED0021;
static inline uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double lifo(long pairs)
{
    double t = now_ns();
    for (long i = 0; i < pairs; i++) {
        char *volatile p = malloc(8 + (size_t)(i & 31) * 8);
        p[0] = 1;
        free(p);
    }
    return (now_ns() - t) / (double)pairs;
}

static double random_pairs(long pairs, void **live)
{
    double t = now_ns();
    for (long i = 0; i < pairs; i++) {
        uint64_t r = next();
        size_t k = r % LIVE;
        free(live[k]);
        live[k] = malloc(8 + (size_t)((r >> 32) & 31) * 8);
        ((char *)live[k])[0] = 1;
    }
    return (now_ns() - t) / (double)pairs;
}

int main(int argc, char **argv)
{
    long pairs = (argc > 1 ? atol(argv[1]) : 2) * 1000000L;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    const char *mode = argc > 3 ? argv[3] : "both";
    int run_lifo = strcmp(mode, "random") != 0, run_random = strcmp(mode, "lifo") != 0;
    if (pairs < 1 || reps < 1 || reps > 99 || (strcmp(mode, "both") && run_lifo && run_random)) {
        fprintf(stderr, "usage: pair_bench [PAIRS_MILLIONS] [REPS] [lifo|random]\n");
        return 2;
    }
    double a[99], b[99];
    static void *live[LIVE];
    for (size_t k = 0; k < LIVE; k++) live[k] = malloc(8 + (k & 31) * 8);
    lifo(pairs / 10); /* warm up: caches filled, quarantine in its steady state */
    for (int r = 0; r < reps; r++) {
        a[r] = run_lifo ? lifo(pairs) : 0;
        b[r] = run_random ? random_pairs(pairs, live) : 0;
    }
    qsort(a, (size_t)reps, sizeof(double), cmp);
    qsort(b, (size_t)reps, sizeof(double), cmp);
    printf("pair LIFO %.1f ns, random over %d live %.1f ns (median of %d runs of %ld pairs)\n", a[reps / 2], LIVE,
           b[reps / 2], reps, pairs);
    for (size_t k = 0; k < LIVE; k++) free(live[k]);
    return 0;
}
