/* sites_across_exec.h — one program in two images: the first guards a
 * site's first 8 uses, then execs itself; the second uses that site once
 * and a site nobody used before once, and reads each freed block.  A read
 * of a guarded freed block faults (its use-after-free is suppressed and
 * counted); of an unguarded one, not.  The includer's EXPECT-SUMMARY says
 * whether the second image saw the first one's counts. */
#include <unistd.h>

#include "sites_two_sites.h"

/* How many times each image uses the shared site: read through a volatile,
 * so that one loop (one call line, one stack) serves both images. */
static volatile int uses_in_image[2] = {8, 1};

int main(int argc, char **argv)
{
    int again = argc > 1;
    int *shared = 0;
    for (int i = 0, n = uses_in_image[again]; i < n; i++) {
        shared = shared_site();
        sink = shared;
        shared[1] = 1;
        free(shared);
    }
    if (!again) {
        char *args[] = {argv[0], "again", 0};
        execv("/proc/self/exe", args);
        return 3;
    }
    int *fresh = fresh_site();
    fresh[1] = 2;
    free(fresh);
    int r = peek(shared) + peek(fresh);
    return r == 12345;
}
