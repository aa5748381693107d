// A program that locks all its memory the classic way, mlockall(MCL_CURRENT |
// MCL_FUTURE) with no MCL_ONFAULT, then allocates: the runtime's reserved
// address space (GiBs) must not be faulted in by the lock (it was: the
// program was killed for memory), the program's own calls still work and its
// resident memory stays that of its heap.  Without CAP_IPC_LOCK the call may
// be refused for the limit of locked memory: the program goes on unlocked,
// as it would without lifeguard.
// EXPECT-CLEAN
// EXPECT-STDOUT: sum 1024000 rss below 512 MiB
// NO-GEN-SUPPRESSIONS: a clean run
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = atol(line + 6);
    if (f) fclose(f);
    return kib;
}

int main(void)
{
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) perror("mlockall (going on unlocked)");
    long sum = 0;
    char *blocks[1000];
    for (int i = 0; i < 1000; i++) {
        blocks[i] = malloc(1024 + (size_t)i);
        memset(blocks[i], 1, 1024);
    }
    for (int i = 0; i < 1000; i++) {
        for (int j = 0; j < 1024; j++) sum += blocks[i][j];
        free(blocks[i]);
    }
    long kib = rss_kib();
    munlockall();
    printf("sum %ld rss %s 512 MiB\n", sum, kib >= 0 && kib < 512 * 1024 ? "below" : "above");
    return 0;
}
