// A large block's mapping, out of the quarantine, is reused by the next
// large block it can hold, pages and all: the new block still ends against
// an inaccessible page, and an overflow faults there at once.
// OPTIONS: quarantine_mb=16
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: fill
// EXPECT-LINE: 17
// EXPECT-MESSAGE: past the end of the 409600-byte block
// EXPECT-STDOUT: reused
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

__attribute__((noinline)) static void fill(volatile char *p, size_t n) { for (size_t i = 0; i < n; i++) p[i] = 1; }

int main(void)
{
    char *first = malloc(500 << 10);
    memset(first, 2, 500 << 10);
    free(first);
    for (int i = 0; i < 400; i++) free(malloc(64 << 10)); /* 26 MB through a 16 MiB quarantine: first leaves it */
    char *second = malloc(400 << 10);
    unsigned char in = 0;
    uintptr_t middle = ((uintptr_t)second + (200 << 10)) & ~(uintptr_t)4095;
    /* Resident before the program touches it: the pages of first's mapping. */
    if (mincore((void *)middle, 4096, &in) == 0 && (in & 1)) printf("reused\n");
    fflush(stdout);
    fill(second, (400 << 10) + 64);
    free(second);
    return 0;
}
