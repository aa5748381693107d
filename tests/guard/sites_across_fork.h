/* sites_across_fork.h — one program in two processes: a forked child
 * guards a site's first 8 uses and exits; the parent then uses that site
 * once and a site nobody used before once, and reads each freed block.  A
 * read of a guarded freed block faults (its use-after-free is suppressed
 * and counted); of an unguarded one, not.  The includer's EXPECT-SUMMARY
 * says whether the parent saw the child's counts. */
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
