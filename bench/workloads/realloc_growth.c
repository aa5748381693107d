/* realloc_growth.c — many buffers grown by appending, half by exact-fit
 * realloc (the naive string builder), half geometrically. */
#include <string.h>

#include "wl_common.h"

#define BUFS 1024
#define EXACT_MAX 4096
#define GEOM_MAX (256 * 1024)

struct buf {
    unsigned char *data;
    size_t len, cap;
};

static uint64_t retire(struct buf *b, uint64_t sum)
{
    for (size_t i = 0; i < b->len; i += 61)
        sum = wl_mix(sum, b->data[i]);
    sum = wl_mix(sum, b->len);
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    return sum;
}

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

int main(int argc, char **argv)
{
    uint64_t appends = wl_scaled(argc, argv, 7500000);
    static struct buf bufs[BUFS];
    uint64_t rng = 0x5EED0002, sum = 0, reallocs = 0;

    for (uint64_t i = 0; i < appends; i++) {
        uint64_t r = wl_rand(&rng);
        unsigned k = (unsigned)(r >> 44) & (BUFS - 1);
        struct buf *b = &bufs[k];
        size_t chunk = 1 + (size_t)(r % 64);
        int exact = k & 1;
        size_t need = b->len + chunk;

        if (need > b->cap) {
            size_t cap = exact ? need : (b->cap ? b->cap + b->cap / 2 : 16);
            while (cap < need)
                cap += cap / 2;
            b->data = xrealloc(b->data, cap);
            b->cap = cap;
            reallocs++;
        }
        memset(b->data + b->len, (int)(r >> 8), chunk);
        b->len = need;
        if (b->len >= (exact ? EXACT_MAX : GEOM_MAX))
            sum = retire(b, sum);
    }
    for (unsigned k = 0; k < BUFS; k++)
        if (bufs[k].data)
            sum = retire(&bufs[k], sum);
    printf("realloc_growth appends=%llu reallocs=%llu checksum=%016llx\n", (unsigned long long)appends,
           (unsigned long long)reallocs, (unsigned long long)sum);
    return 0;
}
