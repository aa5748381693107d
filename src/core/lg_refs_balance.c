/* lg_refs_balance.c — which gets are still outstanding: puts paired with
 * gets by the call paths they share.
 *
 * A holder's sites count gets and puts per call stack, but a put does not
 * say which get it returns (except with a token).  As XPCOM's refcount
 * balancer prunes balanced subtrees of the call tree, each put is paired
 * with the gets whose paths share the most callers with it: a put in
 * open_dev pairs with a get in open_dev before one in main.  Paths are
 * compared by function, outermost first, with the refcount helpers at
 * their inner end left out (dget and dput are both "in open_dev").  Gets
 * that stay unpaired are the outstanding ones; when several sites compete
 * for too few puts at the same depth the pairing is ambiguous, and the
 * finding lists the whole site table. */
#include "lg_refs_internal.h"

#define PATH_MAX_DEPTH LG_MAX_FRAMES
#define BAL_SITES (REFS_MAX_SITES + 1)

typedef struct bal_path {
    refs_site *site;
    uint32_t len;
    uint64_t gets, puts;         /* remaining to pair */
    uintptr_t keys[PATH_MAX_DEPTH]; /* function identities, outermost first */
    const char *names[PATH_MAX_DEPTH];
} bal_path;

/* A site's call path by function: outermost frame first, the helpers at
 * its inner end dropped. */
static void build_path(bal_path *p, refs_site *st)
{
    uintptr_t pcs[LG_MAX_FRAMES];
    uint32_t depth = lg_depot_get(st->stack, pcs, LG_MAX_FRAMES);
    uint32_t inner = 0;
    while (inner < depth) {
        const char *fn = lg_pal_function_of(pcs[inner] - 1);
        if (!fn || !refs_is_helper(fn)) break;
        inner++;
    }
    if (inner == depth) inner = 0; /* helpers all the way: keep them */
    p->site = st;
    p->len = 0;
    for (uint32_t i = depth; i-- > inner;) {
        const char *fn = lg_pal_function_of(pcs[i] - 1);
        p->keys[p->len] = fn ? (uintptr_t)fn : pcs[i];
        p->names[p->len] = fn;
        p->len++;
    }
    p->gets = st->gets;
    p->puts = st->puts;
}

static uint32_t common_depth(const bal_path *a, const bal_path *b)
{
    uint32_t n = a->len < b->len ? a->len : b->len, d = 0;
    while (d < n && a->keys[d] == b->keys[d]) d++;
    return d;
}

/* How well a get path and a put path pair: by their common depth first,
 * then by how many of the two end there (a function's own get pairs with
 * a put below it before a get below it does). */
#define SCORE_PER_DEPTH 4u
static uint32_t pair_score(const bal_path *g, const bal_path *p)
{
    uint32_t d = common_depth(g, p);
    return SCORE_PER_DEPTH * d + (d == g->len) + (d == p->len);
}

/* The best score not above `below` among pairs that still have something
 * to pair; 0 with *any false when none is left. */
static uint32_t next_level(bal_path *paths, uint32_t n, uint32_t below, bool *any)
{
    uint32_t best = 0;
    *any = false;
    for (uint32_t i = 0; i < n; i++) {
        if (!paths[i].gets) continue;
        for (uint32_t j = 0; j < n; j++) {
            if (!paths[j].puts) continue;
            uint32_t sc = pair_score(&paths[i], &paths[j]);
            if (sc <= below && (!*any || sc > best)) best = sc, *any = true;
        }
    }
    return best;
}

/* Pairs every put of site j at this score, the largest remaining get site
 * first; ambiguous when j could not serve all the get sites it ties with. */
static void pair_level(bal_path *paths, uint32_t n, uint32_t score, refs_balance *out)
{
    for (uint32_t j = 0; j < n; j++) {
        if (!paths[j].puts) continue;
        uint64_t want = 0;
        uint32_t rivals = 0;
        for (uint32_t i = 0; i < n; i++)
            if (paths[i].gets && pair_score(&paths[i], &paths[j]) == score) want += paths[i].gets, rivals++;
        if (rivals > 1 && paths[j].puts < want) out->ambiguous = true;
        while (paths[j].puts) {
            uint32_t pick = n;
            for (uint32_t i = 0; i < n; i++)
                if (paths[i].gets && pair_score(&paths[i], &paths[j]) == score &&
                    (pick == n || paths[i].gets > paths[pick].gets))
                    pick = i;
            if (pick == n) break;
            uint64_t m = paths[pick].gets < paths[j].puts ? paths[pick].gets : paths[j].puts;
            paths[pick].gets -= m;
            paths[j].puts -= m;
            refs_balance_site *b = &out->sites[pick];
            b->released += m;
            uint32_t d = score / SCORE_PER_DEPTH;
            if (d > b->depth || !b->where) {
                b->depth = d;
                b->where = d ? paths[pick].names[d - 1] : NULL;
            }
        }
    }
}

/* One path per site; a static scratch: only called with the report lock or
 * every shard lock held (one caller at a time). */
static bal_path scratch[BAL_SITES];
static lg_lock_t scratch_lock = LG_LOCK_INIT;

void refs_balance_holder(refs_holder *h, refs_balance *out)
{
    lg_mem_set(out, 0, sizeof(*out));
    uint32_t n = 0, get_sites = 0;
    for (refs_site *st = h->sites; st && n < REFS_MAX_SITES; st = st->next) {
        out->sites[n].site = st;
        if (st->gets) get_sites++;
        n++;
    }
    out->n = n;
    if (h->tokens_used) { /* exact: the tokens said which get each put returned */
        for (uint32_t i = 0; i < n; i++) out->sites[i].released = out->sites[i].site->gets - out->sites[i].site->live;
        return;
    }
    int64_t left = h->count;
    if (get_sites <= 1) { /* nothing to choose: the one get site holds what is left */
        for (uint32_t i = 0; i < n; i++) {
            refs_site *st = out->sites[i].site;
            if (!st->gets) continue;
            int64_t live = left - (int64_t)h->other_live;
            if (live < 0) live = 0;
            if (live > (int64_t)st->gets) live = (int64_t)st->gets;
            st->live = (uint32_t)live;
            out->sites[i].released = st->gets - st->live;
        }
        return;
    }
    lg_lock(&scratch_lock);
    for (uint32_t i = 0; i < n; i++) build_path(&scratch[i], out->sites[i].site);
    bool any;
    uint32_t level = next_level(scratch, n, UINT32_MAX, &any);
    while (any) {
        pair_level(scratch, n, level, out);
        if (!level) break;
        level = next_level(scratch, n, level - 1, &any);
    }
    /* Folded sites' counts (over REFS_MAX_SITES) are what the holder's
     * total leaves unexplained. */
    int64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        refs_site *st = out->sites[i].site;
        int64_t live = (int64_t)scratch[i].gets;
        if (sum + live > left) live = left - sum > 0 ? left - sum : 0;
        st->live = (uint32_t)live;
        sum += live;
    }
    h->other_live = left > sum ? (uint32_t)(left - sum) : 0;
    lg_unlock(&scratch_lock);
}
