// guard=sites counts a site's guarded first uses across fork: a forked
// child that guarded a site's first 8 blocks spent them for the parent
// too (a shell and its subshells guard a site's first uses once, not once
// a process).  The parent then reads after free a block of that site
// (not guarded: no fault) and one of a site nobody used before (guarded:
// its fault is suppressed and counted).  With per-process counts the
// first read faulted as well: .suppressed was 2.
// SUPPRESSIONS: use-after-free:peek
// EXPECT-CLEAN
// EXPECT-SUMMARY: .suppressed == 1
// NO-GEN-SUPPRESSIONS: the suppression is the test
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <sys/wait.h>
#include <unistd.h>

#include "sites_two_sites.h"

/* One call line for both processes: a site is the whole stack, main's
 * frame included. */
int main(void)
{
    pid_t child = fork();
    if (child < 0) return 3;
    int status;
    if (child > 0 && (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) return 4;
    int *shared = 0;
    for (int i = 0, n = child == 0 ? 8 : 1; i < n; i++) {
        shared = shared_site();
        sink = shared;
        shared[1] = 1;
        free(shared);
    }
    if (child == 0) _exit(0);
    int *new_site = fresh_site();
    new_site[1] = 2;
    free(new_site);
    int r = peek(shared) + peek(new_site);
    return r == 12345;
}
