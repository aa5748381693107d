// LIFEGUARD_RSS_MAP=FILE (bench/'s measuring aid, docs/PERFORMANCE-HISTORY.md "Peak
// RSS, mapping by mapping"): a child that sets it writes, at its exit, the
// resident bytes of each mapping by use, adding up to its VmRSS, and what
// the classes' slots hold: its 500 live blocks and 500 quarantined ones
// are counted there (but for the few the guarded tier takes).  The parent
// checks the file.
// EXPECT-CLEAN
// EXPECT-STDOUT: rss map ok
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { printf("failed: %s (line %d)\n", #c, __LINE__); return 1; } } while (0)

static char *volatile keep[1000];

static double field(const char *text, const char *after)
{
    const char *p = strstr(text, after);
    return p ? strtod(p + strlen(after), NULL) : -1;
}

int main(void)
{
    char path[] = "/tmp/lg-rss-map-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        setenv("LIFEGUARD_RSS_MAP", path, 1);
        for (int i = 0; i < 1000; i++) keep[i] = malloc(100);
        for (int i = 0; i < 1000; i += 2) free(keep[i]);
        exit(0);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    static char text[1 << 20];
    FILE *f = fopen(path, "r");
    CHECK(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    unlink(path);
    text[n] = 0;
    double rss = field(text, "VmRSS"), sum = 0;
    const char *all = strstr(text, "all of the above");
    CHECK(rss > 0 && all);
    for (const char *p = all; p > text && p[-1] != '\n'; p--) sum = strtod(p - 1, NULL);
    CHECK(sum > rss * 0.9 && sum < rss * 1.1); /* every mapping accounted for */
    CHECK(strstr(text, "quarantine ring") && strstr(text, "size classes' metadata and free ids"));
    CHECK(strstr(text, "class 7 slots (144 bytes)")); /* 100 bytes and two 16-byte redzones, rounded up */
    /* The child's (its first few guarded apart: guard=sites), and what libc keeps. */
    CHECK(field(text, "\nlive ") >= 450);
    CHECK(field(text, "\nquarantined ") >= 450);
    printf("rss map ok\n");
    return 0;
}
