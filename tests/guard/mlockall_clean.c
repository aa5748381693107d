// The clean twin of mlockall_uaf.c: a program that locks all its memory
// mid-run (MCL_ONFAULT: see there) and goes on allocating, reallocating and
// freeing blocks of every guarded size, some of them reused from before the
// lock: the fallback to page protections after the kernel refuses a guard
// marker reports nothing, loses no data and exits with the program's own
// status; the blocks are still guarded after the switch.
// EXPECT-CLEAN
// EXPECT-STDOUT: sum 15949500
// EXPECT-SUMMARY: .guarded_allocations >= 20
// NO-GEN-SUPPRESSIONS: a clean run
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ROUNDS 50

static long fill_and_sum(size_t size, int round)
{
    int *p = malloc(size * sizeof *p);
    for (size_t i = 0; i < size; i++) p[i] = round;
    p = realloc(p, 2 * size * sizeof *p);
    for (size_t i = size; i < 2 * size; i++) p[i] = 0;
    long sum = 0;
    for (size_t i = 0; i < 2 * size; i++) sum += p[i];
    free(p);
    return sum / (long)size;
}

int main(void)
{
    long sum = 0;
    char *kept[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        if (r == ROUNDS / 2 && mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0) {
            mlock(kept[0], 1); /* no CAP_IPC_LOCK: one block locked instead (see mlockall_uaf.c) */
        }
        for (size_t size = 4; size <= 16384; size *= 2) sum += fill_and_sum(size, r) * 1000;
        kept[r] = malloc(64 + (size_t)r);
        memset(kept[r], r, 64 + (size_t)r);
    }
    for (int r = 0; r < ROUNDS; r++) {
        sum += kept[r][63 + r] * 20;
        free(kept[r]);
    }
    printf("sum %ld\n", sum);
    return 0;
}
