/* espresso.c — in the spirit of Berkeley's espresso two-level logic
 * minimizer: for many generated single-output PLAs, minimizes the ON-set
 * cover by expand / irredundant / reduce rounds (with a consensus pass),
 * every implicant test a tautology check by recursive cofactoring.  Cubes are
 * heap-allocated bit vectors of 2 bits per input (01 = 0, 10 = 1, 11 = don't
 * care), covers growable heap arrays of cube pointers; each cofactor is a
 * fresh cube and a fresh array of pointers, so the run allocates and frees
 * many small, short-lived blocks of varied sizes.  Self-check: the result
 * must be exactly the function given (each input cube inside the result,
 * each result cube inside the input); a mismatch counts as a failure. */
#include <string.h>

#include "wl_common.h"

#define VARS_PER_WORD 16
#define MIN_VARS 12
#define MAX_VARS 28
#define MAX_ROUNDS 6
#define DC_WORD 0xFFFFFFFFu
#define LOW_BITS 0x55555555u

struct cube {
    uint32_t lits; /* variables that are not don't care */
    uint32_t w[];  /* 2 bits a variable; unused positions of the last word are 11 */
};

struct cover {
    uint32_t n, cap;
    struct cube **c;
};

static uint32_t nvars, nwords;

static struct cube *cube_new(void)
{
    struct cube *c = wl_xmalloc(sizeof *c + nwords * sizeof(uint32_t));
    for (uint32_t i = 0; i < nwords; i++)
        c->w[i] = DC_WORD;
    c->lits = 0;
    return c;
}

static struct cube *cube_dup(const struct cube *a)
{
    struct cube *c = wl_xmalloc(sizeof *c + nwords * sizeof(uint32_t));
    memcpy(c, a, sizeof *c + nwords * sizeof(uint32_t));
    return c;
}

static uint32_t var_get(const struct cube *c, uint32_t v)
{
    return c->w[v / VARS_PER_WORD] >> (2 * (v % VARS_PER_WORD)) & 3;
}

static void var_set(struct cube *c, uint32_t v, uint32_t val)
{
    uint32_t *w = &c->w[v / VARS_PER_WORD], sh = 2 * (v % VARS_PER_WORD);
    uint32_t old = *w >> sh & 3;
    c->lits += (old == 3) - (val == 3);
    *w = (*w & ~(3u << sh)) | val << sh;
}

static uint32_t count_lits(const struct cube *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < nwords; i++) {
        uint32_t both = c->w[i] & c->w[i] >> 1 & LOW_BITS; /* 1 where don't care */
        n += VARS_PER_WORD - (uint32_t)__builtin_popcount(both);
    }
    return n;
}

/* Variables where a and b have opposite literals. */
static uint32_t distance(const struct cube *a, const struct cube *b)
{
    uint32_t d = 0;
    for (uint32_t i = 0; i < nwords; i++) {
        uint32_t x = a->w[i] & b->w[i];
        d += VARS_PER_WORD - (uint32_t)__builtin_popcount((x | x >> 1) & LOW_BITS);
    }
    return d;
}

static int contains(const struct cube *a, const struct cube *b)
{
    for (uint32_t i = 0; i < nwords; i++)
        if (b->w[i] & ~a->w[i])
            return 0;
    return 1;
}

static void cover_init(struct cover *f, uint32_t cap)
{
    f->n = 0;
    f->cap = cap ? cap : 1;
    f->c = wl_xmalloc(f->cap * sizeof *f->c);
}

static void cover_add(struct cover *f, struct cube *c)
{
    if (f->n == f->cap) {
        f->cap *= 2;
        struct cube **grown = realloc(f->c, f->cap * sizeof *f->c);
        if (!grown) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        f->c = grown;
    }
    f->c[f->n++] = c;
}

static void cover_free(struct cover *f)
{
    for (uint32_t i = 0; i < f->n; i++)
        free(f->c[i]);
    free(f->c);
    f->n = f->cap = 0;
    f->c = NULL;
}

/* A cofactor, as espresso keeps it: the cube p it is taken by, and a fresh
 * array of pointers to the cubes of the cover that meet p (each standing
 * for itself with p's literals made don't care). */
struct cofactor {
    struct cube *p;
    uint32_t n;
    const struct cube **c;
};

static uint64_t tautologies;

/* Is the cofactor the constant 1?  Splits on the most binate variable; a
 * variable of one polarity only needs the half where its cubes drop out. */
static int tautology(const struct cofactor *f)
{
    tautologies++;
    if (f->n == 0)
        return 0;
    for (uint32_t i = 0; i < f->n; i++)
        if (contains(f->c[i], f->p))
            return 1;
    uint32_t best = nvars, best_score = 0, best_pos = 0, best_neg = 0;
    for (uint32_t v = 0; v < nvars; v++) {
        if (var_get(f->p, v) != 3)
            continue;
        uint32_t pos = 0, neg = 0;
        for (uint32_t i = 0; i < f->n; i++) {
            uint32_t x = var_get(f->c[i], v);
            pos += x == 2;
            neg += x == 1;
        }
        uint32_t score = (pos && neg ? 1000 : 0) + pos + neg;
        if (score > best_score)
            best = v, best_score = score, best_pos = pos, best_neg = neg;
    }
    int r = 1;
    for (uint32_t val = 1; val <= 2 && r; val++) {
        if ((val == 1 && !best_pos) || (val == 2 && !best_neg))
            continue; /* this half only loses cubes: the other one decides */
        struct cofactor sub = {cube_dup(f->p), 0, wl_xmalloc(f->n * sizeof *f->c)};
        var_set(sub.p, best, val);
        for (uint32_t i = 0; i < f->n; i++)
            if ((var_get(f->c[i], best) & val) != 0)
                sub.c[sub.n++] = f->c[i];
        r = tautology(&sub);
        free(sub.c);
        free(sub.p);
    }
    return r;
}

/* Is cube c inside the cover f (f's cube number skip left out)? */
static int covered(const struct cover *f, const struct cube *c, uint32_t skip)
{
    struct cofactor top = {cube_dup(c), 0, wl_xmalloc((f->n ? f->n : 1) * sizeof *f->c)};
    for (uint32_t i = 0; i < f->n; i++)
        if (i != skip && !distance(f->c[i], c))
            top.c[top.n++] = f->c[i];
    int r = tautology(&top);
    free(top.c);
    free(top.p);
    return r;
}

static int by_lits(const void *a, const void *b)
{
    const struct cube *x = *(const struct cube *const *)a, *y = *(const struct cube *const *)b;
    if (x->lits != y->lits)
        return x->lits < y->lits ? -1 : 1;
    return memcmp(x->w, y->w, nwords * sizeof(uint32_t));
}

/* Drops every cube that another cube contains (the later one of equals). */
static void drop_contained(struct cover *f)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        int inside = 0;
        for (uint32_t j = 0; j < f->n && !inside; j++)
            inside = j != i && f->c[j] && contains(f->c[j], f->c[i]) && (j < i || !contains(f->c[i], f->c[j]));
        if (inside) {
            free(f->c[i]);
            f->c[i] = NULL;
        }
    }
    for (uint32_t i = 0; i < f->n; i++)
        if (f->c[i])
            f->c[kept++] = f->c[i];
    f->n = kept;
}

/* Raises each literal of each cube of f that can go while the cube stays
 * inside the function on (the original cover). */
static void expand(struct cover *f, const struct cover *on)
{
    qsort(f->c, f->n, sizeof *f->c, by_lits);
    for (uint32_t i = 0; i < f->n; i++) {
        struct cube *c = f->c[i];
        for (uint32_t v = 0; v < nvars && c->lits; v++) {
            uint32_t old = var_get(c, v);
            if (old == 3)
                continue;
            struct cube *try = cube_dup(c);
            var_set(try, v, 3);
            if (covered(on, try, UINT32_MAX)) {
                free(c);
                f->c[i] = c = try;
            } else {
                free(try);
            }
        }
    }
    drop_contained(f);
}

/* Removes each cube the rest of the cover already covers, largest last. */
static void irredundant(struct cover *f)
{
    qsort(f->c, f->n, sizeof *f->c, by_lits);
    for (uint32_t i = f->n; i-- > 0;) {
        if (!covered(f, f->c[i], i))
            continue;
        free(f->c[i]);
        memmove(&f->c[i], &f->c[i + 1], (f->n - i - 1) * sizeof *f->c);
        f->n--;
    }
}

/* Shrinks each cube to a half whenever the other half is covered by the
 * rest of the cover, so the next expand can grow it another way. */
static void reduce(struct cover *f)
{
    for (uint32_t i = 0; i < f->n; i++) {
        for (uint32_t v = 0; v < nvars; v++) {
            if (var_get(f->c[i], v) != 3)
                continue;
            for (uint32_t val = 1; val <= 2; val++) {
                struct cube *other = cube_dup(f->c[i]);
                var_set(other, v, 3 - val);
                int drop = covered(f, other, i);
                free(other);
                if (drop) {
                    var_set(f->c[i], v, val);
                    break;
                }
            }
        }
    }
}

/* Adds the consensus of every distance-1 pair no cube contains yet; each
 * is an implicant, and the next expand/irredundant keep the useful ones. */
static void consensus(struct cover *f)
{
    struct cover add;
    cover_init(&add, 8);
    for (uint32_t i = 0; i < f->n; i++)
        for (uint32_t j = i + 1; j < f->n; j++) {
            if (distance(f->c[i], f->c[j]) != 1)
                continue;
            struct cube *c = cube_new();
            for (uint32_t k = 0; k < nwords; k++) {
                uint32_t x = f->c[i]->w[k] & f->c[j]->w[k];
                uint32_t empty = ~(x | x >> 1) & LOW_BITS;
                c->w[k] = x | empty | empty << 1;
            }
            c->lits = count_lits(c);
            int inside = 0;
            for (uint32_t k = 0; k < f->n && !inside; k++)
                inside = contains(f->c[k], c);
            for (uint32_t k = 0; k < add.n && !inside; k++)
                inside = contains(add.c[k], c);
            if (inside)
                free(c);
            else
                cover_add(&add, c);
        }
    for (uint32_t i = 0; i < add.n; i++)
        cover_add(f, add.c[i]);
    free(add.c);
}

static uint64_t cost(const struct cover *f)
{
    uint64_t lits = 0;
    for (uint32_t i = 0; i < f->n; i++)
        lits += f->c[i]->lits;
    return (uint64_t)f->n << 32 | lits;
}

/* A random ON-set: cubes of 3 to 8 literals, a few of them near copies of
 * an earlier cube so that merges and consensus have something to find. */
static void generate(struct cover *on, uint64_t *rng)
{
    uint32_t ncubes = nvars + (uint32_t)(wl_rand(rng) % nvars);
    cover_init(on, 4);
    for (uint32_t i = 0; i < ncubes; i++) {
        struct cube *c;
        if (on->n && wl_rand(rng) % 3 == 0) {
            c = cube_dup(on->c[wl_rand(rng) % on->n]);
            uint32_t v = (uint32_t)(wl_rand(rng) % nvars);
            uint32_t val = 1 + (uint32_t)(wl_rand(rng) % 2);
            var_set(c, v, val);
        } else {
            c = cube_new();
            uint32_t k = 3 + (uint32_t)(wl_rand(rng) % 6);
            for (uint32_t l = 0; l < k; l++) {
                uint32_t v = (uint32_t)(wl_rand(rng) % nvars);
                uint32_t val = 1 + (uint32_t)(wl_rand(rng) % 2);
                var_set(c, v, val);
            }
        }
        cover_add(on, c);
    }
}

/* Minimizes one PLA; returns its checksum, 0 if the result is not the function. */
static uint64_t minimize(uint64_t seed, uint32_t *in_cubes, uint32_t *out_cubes)
{
    uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    nvars = MIN_VARS + (uint32_t)(wl_rand(&rng) % (MAX_VARS - MIN_VARS + 1));
    nwords = (nvars + VARS_PER_WORD - 1) / VARS_PER_WORD;
    struct cover on, f;
    generate(&on, &rng);
    cover_init(&f, on.n);
    for (uint32_t i = 0; i < on.n; i++)
        cover_add(&f, cube_dup(on.c[i]));

    expand(&f, &on);
    irredundant(&f);
    uint64_t best = cost(&f);
    for (int round = 0; round < MAX_ROUNDS; round++) {
        reduce(&f);
        if (round % 2)
            consensus(&f);
        expand(&f, &on);
        irredundant(&f);
        uint64_t now = cost(&f);
        if (now >= best)
            break;
        best = now;
    }

    uint64_t sum = seed + 1;
    for (uint32_t i = 0; i < on.n && sum; i++)
        if (!covered(&f, on.c[i], UINT32_MAX))
            sum = 0;
    for (uint32_t i = 0; i < f.n && sum; i++)
        if (!covered(&on, f.c[i], UINT32_MAX))
            sum = 0;
    qsort(f.c, f.n, sizeof *f.c, by_lits);
    for (uint32_t i = 0; i < f.n && sum; i++)
        for (uint32_t k = 0; k < nwords; k++)
            sum = wl_mix(sum, f.c[i]->w[k]);
    *in_cubes += on.n;
    *out_cubes += f.n;
    cover_free(&on);
    cover_free(&f);
    return sum;
}

int main(int argc, char **argv)
{
    uint64_t count = wl_scaled(argc, argv, 1200), sum = 0;
    uint32_t in_cubes = 0, out_cubes = 0, failures = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t s = minimize(i, &in_cubes, &out_cubes);
        failures += s == 0;
        sum = wl_mix(sum, s);
    }
    printf("espresso plas=%llu cubes_in=%u cubes_out=%u tautologies=%llu failures=%u checksum=%016llx\n",
           (unsigned long long)count, in_cubes, out_cubes, (unsigned long long)tautologies, failures,
           (unsigned long long)sum);
    return failures != 0;
}
