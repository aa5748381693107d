/* markers_mappings.h — shared by markers_mappings.c and
 * markers_off_mappings.c: how many lines 2000 live guarded blocks add to
 * /proc/self/maps, against what markers (few) or protections (two a
 * block) give. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define BLOCKS 2000

static int count_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    int lines = 0, c;
    while ((c = fgetc(f)) != EOF) lines += c == '\n';
    fclose(f);
    return lines;
}

/* The program's own probe of MADV_GUARD_INSTALL (Linux 6.13+). */
static bool kernel_has_markers(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
    bool ok = madvise(p, page, 102 /* MADV_GUARD_INSTALL */) == 0;
    munmap(p, page);
    return ok;
}

static int check_mappings(bool markers)
{
    static char *blocks[BLOCKS];
    int before = count_mappings();
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = malloc(100);
        if (!blocks[i]) return 3;
        blocks[i][99] = 1; /* the last byte: against the guard page */
    }
    int added = count_mappings() - before;
    for (int i = 0; i < BLOCKS; i++) free(blocks[i]);
    bool as_expected = markers ? added < 100 : added >= BLOCKS;
    printf("%d mappings added: %s for %s\n", added, as_expected ? "mappings as expected" : "NOT as expected",
           markers ? "markers" : "protections");
    return as_expected ? 0 : 4;
}
