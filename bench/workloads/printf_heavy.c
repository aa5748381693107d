/* printf_heavy.c — formatting-bound: log lines built from heap strings with
 * snprintf, sprintf and asprintf into heap buffers, and written with fprintf
 * to a stream that discards them (fopencookie: no file, no device), as a
 * logging or serialising program spends its time.  Measures what the
 * printf family's checks add (docs/PERFORMANCE.md). */
#define _GNU_SOURCE
#include "wl_common.h"

#include <string.h>

#define NAMES 512

static ssize_t discard(void *cookie, const char *buf, size_t size)
{
    uint64_t *sum = cookie;
    *sum = wl_mix(*sum, size + (size ? (unsigned char)buf[size - 1] : 0));
    return (ssize_t)size;
}

int main(int argc, char **argv)
{
    uint64_t lines = wl_scaled(argc, argv, 1500000);
    uint64_t rng = 0x5EED0007, sum = 0, written = 0;
    cookie_io_functions_t io = {.write = discard};
    FILE *out = fopencookie(&written, "w", io);
    if (!out) return 2;
    char *names[NAMES];
    for (int i = 0; i < NAMES; i++) {
        names[i] = wl_xmalloc(24);
        snprintf(names[i], 24, "user-%05d-%c", i, 'a' + i % 26);
    }
    char *line = wl_xmalloc(160), *tag = wl_xmalloc(32);
    for (uint64_t i = 0; i < lines; i++) {
        const char *who = names[wl_rand(&rng) % NAMES];
        const char *peer = names[wl_rand(&rng) % NAMES];
        int n = snprintf(line, 160, "%s -> %.8s id=%llu code=%04x load=%5.2f", who, peer, (unsigned long long)i,
                         (unsigned)(i * 2654435761u) & 0xffff, (double)(i % 1000) / 7.0);
        sprintf(tag, "[%d:%s]", n, peer + 5);
        fprintf(out, "%s %s\n", tag, line);
        sum = wl_mix(sum, (uint64_t)n);
        if (i % 64 == 0) {
            char *copy;
            if (asprintf(&copy, "%s|%s|%llu", who, tag, (unsigned long long)i) < 0) return 2;
            sum = wl_mix(sum, strlen(copy));
            free(copy);
        }
    }
    fclose(out);
    for (int i = 0; i < NAMES; i++) free(names[i]);
    free(line);
    free(tag);
    printf("printf_heavy: %llu lines, checksum %016llx %016llx\n", (unsigned long long)lines,
           (unsigned long long)sum, (unsigned long long)written);
    return 0;
}
