/* guard_loop.c — a guarded block's whole cost in one thread, under
 * guard=all (docs/PERFORMANCE-HISTORY.md, "guard=all on prodcons: the waiting,
 * and a run's pages populated at once"):
 *
 *   guard_loop N LIVE
 *
 * N allocations of 64-575 bytes, written whole, LIVE at a time, then freed
 * in a loop of frees (so batched, as prodcons' consumers free).  CPU a
 * guarded block = (CPU under guard=all:guard_blocks=N - CPU under
 * guard=off) / N, with bench/measure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000, live = argc > 2 ? atol(argv[2]) : 64;
    if (live < 1) live = 1;
    char **p = calloc((size_t)live, sizeof *p);
    if (!p) return 1;
    unsigned long sum = 0, r = 12345;
    for (long i = 0; i < n; i += live) {
        for (long j = 0; j < live; j++) {
            r = r * 6364136223846793005ul + 1442695040888963407ul;
            size_t len = 64 + (r >> 33) % 512;
            p[j] = malloc(len);
            if (!p[j]) return 1;
            memset(p[j], (int)j, len);
        }
        for (long j = 0; j < live; j++) {
            sum += (unsigned char)p[j][0];
            free(p[j]);
        }
    }
    free(p);
    printf("%lu\n", sum);
    return 0;
}
