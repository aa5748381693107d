// A program that mprotects its own pages (a heap block made read-only, an
// mmap'd page with its own guard) and never touches them wrongly: clean,
// and lifeguard's exit checks and leak scan do not fault on them.
// EXPECT-CLEAN
// EXPECT-STDOUT: read 7 and 9
// NO-RUNTIME-RUN
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *ro;
    if (posix_memalign((void **)&ro, page, 2 * page)) return 3;
    ro[0] = 7;
    mprotect(ro, page, PROT_READ);
    char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(m + page, page, PROT_NONE); /* its own guard page */
    m[page - 1] = 9;
    printf("read %d and %d\n", ro[0], m[page - 1]);
    mprotect(ro, page, PROT_READ | PROT_WRITE);
    free(ro);
    munmap(m, 2 * page);
    return 0;
}
