// A program that locks all its memory mid-run, mlockall(MCL_CURRENT |
// MCL_FUTURE): the kernel refuses guard markers on locked mappings, so the
// guarded tier falls back to page protections at the first refused
// install, and blocks allocated and freed after the lock are still
// guarded: a read after free is reported at the read; nothing crashes on
// the way (blocks of several sizes allocated, freed and reused across the
// switch).  MCL_ONFAULT: without it the kernel would fault in every
// accessible page of the process at once, lifeguard's reserved-but-unused
// tables included (GiBs).  mlockall(MCL_CURRENT) needs CAP_IPC_LOCK when
// the process's mappings exceed RLIMIT_MEMLOCK, which lifeguard's
// reservations always do: without it (a test run as another user than
// CI's root) the block is mlocked alone, the refusal mlock_refused_uaf.c
// tests.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: get
// EXPECT-LINE: 30
// EXPECT-MESSAGE: inside the freed 300-byte block
// EXPECT-JQ: .access.type == "read" and (.stacks.free | any(.function == "main" and .line == 58))
// EXPECT-STDOUT: locked
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

__attribute__((noinline)) static int get(const volatile char *p)
{
    return p[3];
}

__attribute__((noinline)) static void churn(size_t size)
{
    char *p = malloc(size);
    memset(p, 1, size);
    p = realloc(p, size * 3);
    p[size * 3 - 1] = 2;
    free(p);
}

int main(void)
{
    for (size_t size = 16; size <= 20000; size *= 3) churn(size); /* guarded blocks before the lock */
    char *before = malloc(5000);
    before[0] = 1;
    if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0) {
        printf("locked (mlockall)\n");
    } else {
        printf("mlockall refused (%s): locked one block\n", strerror(errno));
        if (mlock(before, 5000) != 0) return perror("mlock"), 3;
    }
    fflush(stdout);
    free(before); /* its install refused: protections from here on */
    for (size_t size = 16; size <= 20000; size *= 3) churn(size); /* and after it */
    char *after = malloc(300);
    after[3] = 7;
    free(after);
    return get(after) == 7;
}
