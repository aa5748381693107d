/* fork_loop.c — a parent with a large heap (50 000 live blocks, 200 000
 * freed: a full quarantine under a checker) forks children that each do a
 * little allocation work and exit() through the normal exit path, as a
 * shell's subshells or a server's workers do; the parent waits for each. */
#include <sys/wait.h>
#include <unistd.h>

#include "wl_common.h"

#define LIVE 50000
#define FREED 200000
#define CHILD_BLOCKS 100

int main(int argc, char **argv)
{
    uint64_t children = wl_scaled(argc, argv, 200);
    uint64_t rng = 0x5EED0008, sum = 0;
    static unsigned char *live[LIVE];
    for (unsigned i = 0; i < LIVE; i++) {
        size_t n = 64 + (size_t)(wl_rand(&rng) % 448);
        live[i] = wl_xmalloc(n);
        live[i][0] = (unsigned char)i;
        live[i][n - 1] = (unsigned char)n;
    }
    for (unsigned i = 0; i < FREED; i++) {
        unsigned char *p = wl_xmalloc(64 + (size_t)(wl_rand(&rng) % 448));
        p[0] = (unsigned char)i;
        free(p);
    }
    fflush(stdout);
    for (uint64_t c = 0; c < children; c++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            uint64_t h = c;
            unsigned char *mine[CHILD_BLOCKS];
            for (unsigned i = 0; i < CHILD_BLOCKS; i++) {
                mine[i] = wl_xmalloc(16 + i * 8);
                mine[i][0] = (unsigned char)(i + c);
                h = wl_mix(h, live[(c * 131 + i) % LIVE][0]);
            }
            for (unsigned i = 0; i < CHILD_BLOCKS; i++) {
                h = wl_mix(h, mine[i][0]);
                free(mine[i]);
            }
            exit((int)(h & 1)); /* destructors and exit checks run */
        }
        int status = 0;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
            fprintf(stderr, "child %llu failed\n", (unsigned long long)c);
            return 2;
        }
        sum = wl_mix(sum, (uint64_t)WEXITSTATUS(status));
    }
    for (unsigned i = 0; i < LIVE; i++) free(live[i]);
    printf("fork_loop children=%llu checksum=%016llx\n", (unsigned long long)children, (unsigned long long)sum);
    return 0;
}
