/* small_mixed.c — many small allocations and frees of mixed sizes, in a
 * random order over a table of live blocks. */
#include <string.h>

#include "wl_common.h"

#define SLOTS (1u << 16)

struct slot {
    unsigned char *p;
    uint32_t size;
};

static uint32_t pick_size(uint64_t r)
{
    unsigned bucket = (unsigned)(r % 100);
    r >>= 8;
    if (bucket < 70)
        return 8 + (uint32_t)(r % 57);    /* 8..64 */
    if (bucket < 90)
        return 65 + (uint32_t)(r % 192);  /* 65..256 */
    if (bucket < 98)
        return 257 + (uint32_t)(r % 768); /* 257..1024 */
    return 1025 + (uint32_t)(r % 7168);   /* 1025..8192 */
}

static uint64_t release(struct slot *s, uint64_t sum)
{
    uint64_t head;
    memcpy(&head, s->p, sizeof head);
    sum = wl_mix(sum, head ^ s->p[s->size - 1]);
    free(s->p);
    s->p = NULL;
    return sum;
}

int main(int argc, char **argv)
{
    uint64_t ops = wl_scaled(argc, argv, 24000000);
    static struct slot table[SLOTS];
    uint64_t rng = 0x5EED0001, sum = 0;

    for (uint64_t i = 0; i < ops; i++) {
        uint64_t r = wl_rand(&rng);
        struct slot *s = &table[(r >> 40) & (SLOTS - 1)];
        if (s->p) {
            sum = release(s, sum);
            if ((r & 3) == 0) /* leave it empty: the live set breathes */
                continue;
        }
        s->size = pick_size(r);
        s->p = wl_xmalloc(s->size);
        memcpy(s->p, &r, sizeof r);
        s->p[s->size - 1] = (unsigned char)i;
    }
    for (uint32_t k = 0; k < SLOTS; k++)
        if (table[k].p)
            sum = release(&table[k], sum);
    printf("small_mixed ops=%llu checksum=%016llx\n", (unsigned long long)ops, (unsigned long long)sum);
    return 0;
}
