// The twin of leak_unreadable: the same memory the scan cannot read
// (PROT_NONE pages inside live blocks, a file mapping longer than its file)
// and nothing leaked: blocks pointed to from the readable parts of the
// protected blocks and from the file mapping's first page are kept.
// EXPECT-CLEAN
// EXPECT-STDOUT: set up
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scrub.h"

void **volatile big, **volatile small, **volatile mapped;

int main(void)
{
    big = aligned_alloc(4096, 3 * 4096);
    big[0] = malloc(24);          /* first page: readable */
    big[1024] = malloc(40);       /* third page: readable */
    if (mprotect((char *)big + 4096, 4096, PROT_NONE)) return 3;
    small = malloc(60000);
    small[0] = malloc(56);
    uintptr_t end_page = ((uintptr_t)small + 60000) & ~(uintptr_t)4095;
    if (mprotect((void *)end_page, 4096, PROT_NONE)) return 3;

    char path[] = "/tmp/lg-unreadable-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, "x", 1) != 1) return 3;
    void **m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    unlink(path);
    if (m == MAP_FAILED) return 3;
    m[1] = malloc(72);            /* the file's page: kept */
    mapped = m;

    scrub();
    printf("set up\n");
    return 0;
}
