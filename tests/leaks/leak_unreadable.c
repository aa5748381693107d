// Memory the scan cannot read without a fault does not stop it: a live
// large block with a page made PROT_NONE, a small block whose end (and
// redzone) page is PROT_NONE, a private file mapping four pages long over a
// one-byte file (a read past the file's end is SIGBUS).  Before, the exit
// scan faulted there (a false heap-overflow or a bus error reported as the
// program's crash) and the real leak was lost; check_at_exit faulted too.
// The leak is reported, the blocks the program keeps are not.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_lost
// EXPECT-LINE: 29
// EXPECT-COUNT: 1
// EXPECT-JQ: .bytes == 200
// EXPECT-NO-KIND: heap-overflow
// EXPECT-NO-KIND: segv
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

__attribute__((noinline)) static char *make_lost(void)
{
    char *p = malloc(200);
    p[0] = 1;
    return p;
}

void *volatile big, *volatile small, *volatile mapped;

__attribute__((noinline)) static void lose(void)
{
    void *volatile p = make_lost();
    p = NULL;
}

int main(void)
{
    big = aligned_alloc(4096, 3 * 4096);
    if (mprotect((char *)big + 4096, 4096, PROT_NONE)) return 3;
    small = malloc(60000);
    uintptr_t end_page = ((uintptr_t)small + 60000) & ~(uintptr_t)4095;
    if (mprotect((void *)end_page, 4096, PROT_NONE)) return 3;

    char path[] = "/tmp/lg-unreadable-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, "x", 1) != 1) return 3;
    char *m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    unlink(path);
    if (m == MAP_FAILED) return 3;
    m[0] = 'y';
    mapped = m;

    lose();
    scrub();
    printf("set up\n");
    return 0;
}
