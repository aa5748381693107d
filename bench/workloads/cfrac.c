/* cfrac.c — in the spirit of the classic cfrac benchmark: expands sqrt(N) as
 * a continued fraction for many N, keeps its convergents as heap-allocated
 * big integers (every operation returns a fresh one), checks the identity
 * p^2 - N q^2 = (-1)^(k+1) Q(k+1) in big arithmetic, and collects the
 * Q values that factor over a small prime base as heap-allocated relations. */
#include <string.h>

#include "wl_common.h"

#define STEPS 200
#define BASE_PRIMES 40
#define FIRST_N 1000000000039ULL

struct big {
    uint32_t n; /* limbs in use; no leading zero limbs, zero has n == 0 */
    uint32_t limb[];
};

struct relation {
    struct relation *next;
    uint32_t k;
    uint8_t exp[];
};

static struct big *big_new(uint32_t n)
{
    struct big *b = wl_xmalloc(sizeof *b + (n ? n : 1) * sizeof(uint32_t));
    b->n = n;
    return b;
}

static struct big *big_trim(struct big *b)
{
    while (b->n && !b->limb[b->n - 1])
        b->n--;
    return b;
}

static struct big *big_from(uint64_t v)
{
    struct big *b = big_new(2);
    b->limb[0] = (uint32_t)v;
    b->limb[1] = (uint32_t)(v >> 32);
    return big_trim(b);
}

/* a * k + c */
static struct big *big_muladd(const struct big *a, uint32_t k, const struct big *c)
{
    uint32_t n = (a->n > c->n ? a->n : c->n) + 1;
    struct big *r = big_new(n);
    uint64_t carry = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t t = carry;
        if (i < a->n)
            t += (uint64_t)a->limb[i] * k;
        if (i < c->n)
            t += c->limb[i];
        r->limb[i] = (uint32_t)t;
        carry = t >> 32;
    }
    return big_trim(r);
}

static struct big *big_mul(const struct big *a, const struct big *b)
{
    struct big *r = big_new(a->n + b->n);
    memset(r->limb, 0, (a->n + b->n) * sizeof(uint32_t));
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t carry = 0;
        for (uint32_t j = 0; j < b->n; j++) {
            uint64_t t = (uint64_t)a->limb[i] * b->limb[j] + r->limb[i + j] + carry;
            r->limb[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        r->limb[i + b->n] = (uint32_t)carry;
    }
    return big_trim(r);
}

static int big_cmp(const struct big *a, const struct big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (uint32_t i = a->n; i-- > 0;)
        if (a->limb[i] != b->limb[i])
            return a->limb[i] < b->limb[i] ? -1 : 1;
    return 0;
}

/* a - b, a >= b */
static struct big *big_sub(const struct big *a, const struct big *b)
{
    struct big *r = big_new(a->n);
    int64_t borrow = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        int64_t t = (int64_t)a->limb[i] - (i < b->n ? b->limb[i] : 0) - borrow;
        borrow = t < 0;
        r->limb[i] = (uint32_t)(t + (borrow << 32));
    }
    return big_trim(r);
}

static uint64_t isqrt(uint64_t n)
{
    uint64_t r = n, y = (n + 1) / 2;
    while (y < r) {
        r = y;
        y = (r + n / r) / 2;
    }
    return r;
}

static uint32_t primes[BASE_PRIMES];

static void init_primes(void)
{
    uint32_t count = 0;
    for (uint32_t c = 2; count < BASE_PRIMES; c++) {
        int prime = 1;
        for (uint32_t d = 2; d * d <= c; d++)
            if (c % d == 0)
                prime = 0;
        if (prime)
            primes[count++] = c;
    }
}

/* A relation for q if it factors over the base, else NULL. */
static struct relation *try_factor(uint64_t q, uint32_t k)
{
    uint8_t exp[BASE_PRIMES];
    uint32_t used = 0;
    for (uint32_t i = 0; i < BASE_PRIMES; i++) {
        exp[i] = 0;
        while (q % primes[i] == 0) {
            q /= primes[i];
            exp[i]++;
            used = i + 1;
        }
    }
    if (q != 1)
        return NULL;
    struct relation *r = wl_xmalloc(sizeof *r + used);
    r->k = k;
    memcpy(r->exp, exp, used);
    return r;
}

/* Returns a checksum of this N's expansion; 0 means a failed identity. */
static uint64_t expand(uint64_t n, unsigned *relations)
{
    uint64_t a0 = isqrt(n), m = 0, d = 1, a = a0, sum = n;
    if (a0 * a0 == n)
        return 1;
    struct big *nb = big_from(n), *zero = big_new(0);
    struct big *p_prev = big_from(1), *q_prev = big_new(0);
    struct big *p = big_from(a0), *q = big_from(1);
    struct relation *rels = NULL;

    for (uint32_t k = 0; k < STEPS; k++) {
        m = d * a - m;
        d = (n - m * m) / d;
        a = (a0 + m) / d;

        /* p^2 - N q^2 == (-1)^(k+1) d */
        struct big *pp = big_mul(p, p), *qq = big_mul(q, q), *nqq = big_mul(nb, qq);
        struct big *diff = (k & 1) ? big_sub(pp, nqq) : big_sub(nqq, pp);
        struct big *db = big_from(d);
        if (big_cmp(diff, db) != 0)
            sum = 0;
        free(pp), free(qq), free(nqq), free(diff), free(db);

        struct relation *r = try_factor(d, k);
        if (r) {
            r->next = rels;
            rels = r;
        }

        struct big *p_next = big_muladd(p, (uint32_t)a, p_prev);
        struct big *q_next = big_muladd(q, (uint32_t)a, q_prev);
        free(p_prev), free(q_prev);
        p_prev = p, q_prev = q;
        p = p_next, q = q_next;
        if (sum)
            sum = wl_mix(sum, a ^ d << 20);
    }
    if (sum)
        for (uint32_t i = 0; i < p->n; i++)
            sum = wl_mix(sum, p->limb[i]);
    while (rels) {
        struct relation *next = rels->next;
        sum = sum ? wl_mix(sum, rels->k) : 0;
        (*relations)++;
        free(rels);
        rels = next;
    }
    free(nb), free(zero), free(p_prev), free(q_prev), free(p), free(q);
    return sum;
}

int main(int argc, char **argv)
{
    uint64_t count = wl_scaled(argc, argv, 12000), sum = 0;
    unsigned relations = 0, failures = 0;
    init_primes();
    for (uint64_t i = 0; i < count; i++) {
        uint64_t s = expand(FIRST_N + i, &relations);
        failures += s == 0;
        sum = wl_mix(sum, s);
    }
    printf("cfrac numbers=%llu relations=%u failures=%u checksum=%016llx\n", (unsigned long long)count, relations,
           failures, (unsigned long long)sum);
    return failures != 0;
}
