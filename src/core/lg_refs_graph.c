/* lg_refs_graph.c — at exit: the objects still counted, what keeps them,
 * and the cycles among them.
 *
 * The objects alive at exit (not destroyed, count above zero) form a graph:
 * an outstanding reference whose holder is one of them, or lies inside one's
 * heap block, is an edge holder -> object.  An object with any other
 * outstanding reference (anonymous, an untracked or dead holder) is a root
 * and is reported as ref-leak; roots leaked the same way (type and
 * acquisition stack) share one finding.  Every strongly connected component
 * with an edge inside it is reported once as ref-cycle, its members in
 * order; cycles of the same shape (types and acquisition stacks) share one.
 * The objects kept alive only by other live objects are named in the
 * finding of the root or cycle that keeps them, not reported on their own.
 * The findings' words are lg_finding_refs_exit.c's. */
#include "lg_refs_internal.h"

#define NONE UINT32_MAX
#define NAMES_SHOWN REFS_NAMES_SHOWN

enum { G_ROOT = 1, G_CYCLIC = 2, G_SELF = 4, G_COVERED = 8, G_ON_STACK = 0x80 };

typedef struct graph {
    uint32_t n, nedges;
    refs_obj **objs;   /* birth order */
    uint32_t *start;   /* n + 1: objs[i] holds edges[start[i] .. start[i + 1]) */
    uint32_t *edges;
    uint32_t *comp;    /* strongly connected component of each */
    uint32_t *a, *b, *c, *d; /* scratch of n each */
    uint8_t *flags;
    void *mem;
    size_t mem_bytes;
} graph;

/* ---- collecting ------------------------------------------------------------- */

/* A forked child leaves its parent's objects to the parent. */
static bool is_candidate(const refs_obj *o)
{
    return o->state == LG_REFS_ALIVE && o->count > 0 && o->birth >= refs_fork_birth;
}

static bool born_before(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return (*(refs_obj *const *)a)->birth < (*(refs_obj *const *)b)->birth;
}

/* The live object a holder address is, or lives inside: index + 1, or 0. */
static uint32_t resolve_holder(uintptr_t holder)
{
    const refs_obj *o = refs_obj_find(refs_shard_of(holder), holder);
    if (o && o->mark) return o->mark;
    lg_block b;
    if (!lg_heap_find_live(holder, &b)) return 0;
    uintptr_t first = refs_block_first(b.user);
    o = first ? refs_obj_find(refs_shard_of(first), first) : NULL;
    return o ? o->mark : 0;
}

/* Every object of every shard (the caller holds all their locks). */
static void each_obj(void (*visit)(refs_obj *o, void *ctx), void *ctx)
{
    for (uint32_t i = 0; i < REFS_SHARDS; i++) refs_each_obj(&refs_shards[i], visit, ctx);
}

typedef struct census {
    uint32_t objs, holders; /* candidates, and their holder records */
} census;

static void count_candidate(refs_obj *o, void *ctx)
{
    census *c = ctx;
    if (!is_candidate(o)) return;
    c->objs++;
    c->holders += o->nholders;
}

typedef struct collector {
    graph *g;
    uint32_t at;
} collector;

static void collect_candidate(refs_obj *o, void *ctx)
{
    collector *c = ctx;
    if (is_candidate(o) && c->at < c->g->n) c->g->objs[c->at++] = o;
}

/* Maps *bytes rounded up to whole pages (and says how many in *bytes). */
static char *map_pages(size_t *bytes)
{
    *bytes = (*bytes + 4095) & ~(size_t)4095;
    return refs_map(*bytes);
}

/* One mapping for all of g's arrays.  Edges are at most the holder records
 * of the candidates. */
static bool graph_alloc(graph *g, uint32_t holders)
{
    uint32_t n = g->n;
    size_t bytes = (size_t)n * sizeof(refs_obj *) + (size_t)(n + 1) * 4 + (size_t)holders * 4 + (size_t)n * 4 * 5 + n;
    char *mem = map_pages(&bytes);
    if (!mem) return false;
    g->mem = mem;
    g->mem_bytes = bytes;
    g->objs = (refs_obj **)mem;
    mem += (size_t)n * sizeof(refs_obj *);
    g->start = (uint32_t *)mem;
    mem += (size_t)(n + 1) * 4;
    g->edges = (uint32_t *)mem;
    mem += (size_t)holders * 4;
    g->comp = (uint32_t *)mem;
    g->a = g->comp + n;
    g->b = g->a + n;
    g->c = g->b + n;
    g->d = g->c + n;
    g->flags = (uint8_t *)(g->d + n);
    return true;
}

/* Who holds whom: each outstanding reference either comes from a live
 * object (an edge, counted in out_count of its holder) or makes its
 * object a root. */
static void resolve_holders(graph *g, uint32_t *out_count)
{
    for (uint32_t i = 0; i < g->n; i++) out_count[i] = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        int64_t held = 0;
        for (refs_holder *h = g->objs[i]->holders; h; h = h->next) {
            h->exit_src = 0;
            if (h->count <= 0) continue;
            held += h->count;
            h->exit_src = h->holder ? resolve_holder(h->holder) : 0;
            if (!h->exit_src) {
                g->flags[i] |= G_ROOT;
                continue;
            }
            out_count[h->exit_src - 1]++;
            if (h->exit_src - 1 == i) g->flags[i] |= G_SELF;
        }
        /* References the holder records do not account for (a put by the
         * wrong holder, a record that could not be allocated) are anonymous. */
        if (held < g->objs[i]->count) g->flags[i] |= G_ROOT;
    }
}

/* The edges, grouped by holder: objs[i] holds edges[start[i] .. start[i + 1]). */
static void lay_edges(graph *g, uint32_t *out_count)
{
    uint32_t n = g->n;
    g->start[0] = 0;
    for (uint32_t i = 0; i < n; i++) g->start[i + 1] = g->start[i] + out_count[i];
    g->nedges = g->start[n];
    uint32_t *fill = out_count; /* where each holder's next edge goes */
    for (uint32_t i = 0; i < n; i++) fill[i] = g->start[i];
    for (uint32_t i = 0; i < n; i++)
        for (const refs_holder *h = g->objs[i]->holders; h; h = h->next)
            if (h->count > 0 && h->exit_src) g->edges[fill[h->exit_src - 1]++] = i;
}

static bool graph_build(graph *g)
{
    census c = {0, 0};
    each_obj(count_candidate, &c);
    g->n = c.objs;
    if (!g->n) return true;
    if (!graph_alloc(g, c.holders)) return false;
    collector col = {g, 0};
    each_obj(collect_candidate, &col);
    lg_sort(g->objs, g->n, sizeof(*g->objs), born_before, NULL);
    for (uint32_t i = 0; i < g->n; i++) g->objs[i]->mark = i + 1;
    resolve_holders(g, g->a);
    lay_edges(g, g->a);
    return true;
}

/* Forgets the exit analysis' marks in the records. */
static void graph_clear_marks(graph *g)
{
    for (uint32_t i = 0; i < g->n; i++) g->objs[i]->mark = 0;
    for (uint32_t i = 0; i < g->n; i++)
        for (refs_holder *h = g->objs[i]->holders; h; h = h->next) h->exit_src = 0;
}

/* ---- strongly connected components (Tarjan, without recursion) ----------- */

typedef struct tarjan {
    graph *g;
    uint32_t *index, *low;   /* index NONE: not visited yet */
    uint32_t *stack, *calls; /* the members of open components; the depth-first path */
    uint32_t *iter;          /* each node's next edge to follow */
    uint32_t next_index, ncomp, sp, cp;
} tarjan;

static void tarjan_enter(tarjan *t, uint32_t v)
{
    t->index[v] = t->low[v] = t->next_index++;
    t->iter[v] = t->g->start[v];
    t->stack[t->sp++] = v;
    t->g->flags[v] |= G_ON_STACK;
    t->calls[t->cp++] = v;
}

/* v is the root of a component: its members leave the stack. */
static void tarjan_close(tarjan *t, uint32_t v)
{
    graph *g = t->g;
    uint32_t size = 0, w;
    do {
        w = t->stack[--t->sp];
        g->flags[w] &= (uint8_t)~G_ON_STACK;
        t->index[w] = NONE - 1; /* finished; its low now holds its component */
        t->low[w] = t->ncomp;
        size++;
    } while (w != v);
    if (size > 1 || (g->flags[v] & G_SELF))
        for (uint32_t k = t->sp; k < t->sp + size; k++) g->flags[t->stack[k]] |= G_CYCLIC;
    t->ncomp++;
}

/* One step of the walk: the node on top of the call stack follows its next
 * edge, or returns to its caller when it has none left. */
static void tarjan_step(tarjan *t)
{
    graph *g = t->g;
    uint32_t v = t->calls[t->cp - 1];
    if (t->iter[v] < g->start[v + 1]) {
        uint32_t w = g->edges[t->iter[v]++];
        if (t->index[w] == NONE) tarjan_enter(t, w);
        else if ((g->flags[w] & G_ON_STACK) && t->index[w] < t->low[v]) t->low[v] = t->index[w];
        return;
    }
    t->cp--;
    if (t->cp && t->low[v] < t->low[t->calls[t->cp - 1]]) t->low[t->calls[t->cp - 1]] = t->low[v];
    if (t->low[v] == t->index[v]) tarjan_close(t, v);
}

/* Fills g->comp and flags the members of cycles; returns how many
 * components there are. */
static uint32_t graph_components(graph *g)
{
    tarjan t = {.g = g, .index = g->a, .low = g->b, .stack = g->c, .calls = g->d,
                .iter = g->comp}; /* reused: a node's comp is only set once it is finished */
    for (uint32_t i = 0; i < g->n; i++) t.index[i] = NONE;
    for (uint32_t root = 0; root < g->n; root++) {
        if (t.index[root] != NONE) continue;
        tarjan_enter(&t, root);
        while (t.cp) tarjan_step(&t);
    }
    for (uint32_t i = 0; i < g->n; i++) g->comp[i] = t.low[i];
    return t.ncomp;
}

/* ---- what a root or a cycle keeps alive ------------------------------------- */

/* Marks, from the sources queued in q[0..nq), the objects reachable only
 * through them that nothing else reported; returns how many, and keeps the
 * first few in kept. */
static uint32_t claim_downstream(graph *g, uint32_t *q, uint32_t nq, uint32_t *kept)
{
    uint32_t claimed = 0;
    for (uint32_t head = 0; head < nq; head++) {
        uint32_t v = q[head];
        for (uint32_t e = g->start[v]; e < g->start[v + 1]; e++) {
            uint32_t w = g->edges[e];
            if (g->flags[w] & (G_ROOT | G_CYCLIC | G_COVERED)) continue;
            g->flags[w] |= G_COVERED;
            q[nq++] = w;
            if (claimed < NAMES_SHOWN) kept[claimed] = w;
            claimed++;
        }
    }
    return claimed;
}

/* ---- ref-leak ------------------------------------------------------------------- */

/* The stack of the outstanding reference that best explains the leak: the
 * most recent live acquisition of the largest holder from outside. */
uint64_t refs_live_at(const refs_obj *o, lg_stack_id stack)
{
    uint64_t live = 0;
    for (const refs_holder *h = o->holders; h; h = h->next)
        for (const refs_site *st = h->sites; st; st = st->next)
            if (st->stack == stack) live += st->live;
    return live;
}

lg_stack_id refs_culprit_stack(const refs_obj *o)
{
    refs_holder *best = NULL;
    for (refs_holder *h = o->holders; h; h = h->next)
        if (h->count > 0 && !h->exit_src && (!best || h->count > best->count)) best = h;
    if (!best) return o->birth_stack;
    refs_balance bal;
    refs_balance_holder(best, &bal); /* which of its gets are outstanding */
    const refs_site *top = NULL;
    for (uint32_t i = 0; i < bal.n; i++)
        if (bal.sites[i].site->live && (!top || bal.sites[i].site->live > top->live)) top = bal.sites[i].site;
    if (top) return top->stack;
    return best->last_get ? best->last_get : o->birth_stack;
}

static void report_leak(graph *g, uint32_t i, const uint32_t *similar, uint32_t nsimilar, uint32_t *q)
{
    refs_obj *o = g->objs[i];
    refs_exit_finding f = {
        .kind = LG_REF_LEAK, .objs = g->objs, .obj = i, .similar = similar, .nsimilar = nsimilar,
        .cyclic = (g->flags[i] & G_CYCLIC) != 0,
    };
    uint32_t nq = 0;
    q[nq++] = i;
    for (uint32_t k = 0; k < nsimilar; k++) q[nq++] = similar[k];
    f.nkept = claim_downstream(g, q, nq, f.kept);
    f.culprit = refs_culprit_stack(o);
    if (refs_suppressed(LG_REF_LEAK, f.culprit, o->birth_stack)) return;
    refs_exit_finding_report(&f);
}

/* ---- ref-cycle -------------------------------------------------------------------- */

/* The reference of `held` whose holder is objs[holder]. */
static const refs_holder *edge_record(graph *g, uint32_t holder, uint32_t held)
{
    for (const refs_holder *h = g->objs[held]->holders; h; h = h->next)
        if (h->count > 0 && h->exit_src == holder + 1) return h;
    return NULL;
}

/* A shortest cycle through `first` inside its component, in holding order,
 * into path; returns its length. */
static uint32_t find_cycle(graph *g, uint32_t first, uint32_t *path, uint32_t *parent, uint32_t *q)
{
    uint32_t comp = g->comp[first], nq = 0, last = NONE;
    if (g->flags[first] & G_SELF) {
        path[0] = first;
        return 1;
    }
    /* parent doubles as the visited mark (NONE - 2 is not an index) */
    q[nq++] = first;
    parent[first] = first;
    for (uint32_t head = 0; head < nq && last == NONE; head++) {
        uint32_t v = q[head];
        for (uint32_t e = g->start[v]; e < g->start[v + 1]; e++) {
            uint32_t w = g->edges[e];
            if (g->comp[w] != comp) continue;
            if (w == first) {
                last = v;
                break;
            }
            if (parent[w] != NONE) continue;
            parent[w] = v;
            q[nq++] = w;
        }
    }
    uint32_t len = 0;
    for (uint32_t v = last; v != NONE; v = v == first ? NONE : parent[v]) path[len++] = v;
    for (uint32_t k = 0; k < nq; k++) parent[q[k]] = NONE;
    if (!len) { /* not reached: a cyclic component has a cycle through each member */
        path[0] = first;
        return 1;
    }
    for (uint32_t k = 0; k < len / 2; k++) {
        uint32_t t = path[k];
        path[k] = path[len - 1 - k];
        path[len - 1 - k] = t;
    }
    return len;
}

/* The components' members (in birth order), and cycles of the same shape
 * (types and acquisition stacks along the cycle) grouped behind the first. */
typedef struct cycles {
    uint32_t ncomp;
    uint32_t *start;   /* ncomp + 1 */
    uint32_t *members; /* n */
    uint32_t *lead, *next, *tail; /* per object; meaningful for a cycle's first member */
    void *mem;
    size_t mem_bytes;
} cycles;

static lg_stack_id edge_stack(graph *g, uint32_t holder, uint32_t held)
{
    const refs_holder *h = edge_record(g, holder, held);
    if (!h) return 0;
    for (const refs_site *st = h->sites; st; st = st->next)
        if (st->live) return st->stack;
    return h->last_get;
}

static uint64_t cycle_shape(graph *g, const uint32_t *path, uint32_t len)
{
    uint64_t h = len;
    for (uint32_t k = 0; k < len; k++) {
        h = refs_mix(h ^ (uintptr_t)g->objs[path[k]]->type);
        h = refs_mix(h ^ edge_stack(g, path[k], path[(k + 1) % len]));
    }
    return h | 1;
}

/* The size of an open-addressing table of n entries: a power of two, at
 * least twice n. */
static uint32_t hash_slots(uint32_t n)
{
    uint32_t slots = 1;
    while (slots < 2 * n) slots <<= 1;
    return slots;
}

/* Findings that report alike objects together: each object's group leader
 * in lead[], the members chained from the leader through next[], and the
 * leader's last member in tail[].  i joins leader's group (its own when it
 * is the leader). */
static void join_group(uint32_t *lead, uint32_t *next, uint32_t *tail, uint32_t i, uint32_t leader)
{
    lead[i] = leader;
    if (leader == i) {
        tail[i] = i;
        return;
    }
    next[tail[leader]] = i;
    tail[leader] = i;
}

/* Lists the members of each component, in birth order. */
static void list_members(graph *g, cycles *c)
{
    uint32_t n = g->n, *fill = c->tail; /* scratch: members placed so far per component */
    for (uint32_t k = 0; k <= c->ncomp; k++) c->start[k] = 0;
    for (uint32_t i = 0; i < n; i++) c->start[g->comp[i] + 1]++;
    for (uint32_t k = 0; k < c->ncomp; k++) c->start[k + 1] += c->start[k];
    for (uint32_t i = 0; i < n; i++) fill[i] = 0;
    for (uint32_t i = 0; i < n; i++) c->members[c->start[g->comp[i]] + fill[g->comp[i]]++] = i;
}

/* Groups the cycles by shape, each through the first member of its
 * component: an open-addressing table of shapes and their groups' leaders. */
static void group_by_shape(graph *g, cycles *c, uint64_t *shapes, uint32_t *slot_lead, uint32_t slots, uint32_t *path,
                           uint32_t *parent, uint32_t *q)
{
    for (uint32_t k = 0; k < slots; k++) shapes[k] = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        c->lead[i] = c->next[i] = NONE;
        if (!(g->flags[i] & G_CYCLIC) || c->members[c->start[g->comp[i]]] != i) continue;
        uint64_t shape = cycle_shape(g, path, find_cycle(g, i, path, parent, q));
        for (uint32_t k = 0; k < slots; k++) {
            uint32_t at = (uint32_t)(shape + k) & (slots - 1);
            if (shapes[at] && shapes[at] != shape) continue;
            if (!shapes[at]) {
                shapes[at] = shape;
                slot_lead[at] = i;
            }
            join_group(c->lead, c->next, c->tail, i, slot_lead[at]);
            break;
        }
    }
}

static bool cycles_build(graph *g, cycles *c, uint32_t *path, uint32_t *parent, uint32_t *q)
{
    uint32_t n = g->n, slots = hash_slots(n);
    size_t bytes = ((size_t)c->ncomp + 1 + 4 * (size_t)n) * 4 + 8 + (size_t)slots * 12;
    char *mem = map_pages(&bytes);
    if (!mem) return false;
    c->mem = mem;
    c->mem_bytes = bytes;
    c->start = (uint32_t *)mem;
    c->members = c->start + c->ncomp + 1;
    c->lead = c->members + n;
    c->next = c->lead + n;
    c->tail = c->next + n;
    uint64_t *shapes = (uint64_t *)(((uintptr_t)(c->tail + n) + 7) & ~(uintptr_t)7);
    uint32_t *slot_lead = (uint32_t *)(shapes + slots);
    list_members(g, c);
    group_by_shape(g, c, shapes, slot_lead, slots, path, parent, q);
    return true;
}

/* Queues the members of component comp in q from nq; returns the new nq. */
static uint32_t queue_component(const cycles *c, uint32_t comp, uint32_t *q, uint32_t nq)
{
    for (uint32_t k = c->start[comp]; k < c->start[comp + 1]; k++) q[nq++] = c->members[k];
    return nq;
}

/* The cycles of the same shape grouped behind first: the first few kept in
 * f->alike, the members of all of them queued in q from *nq.  Returns how
 * many there are. */
static uint32_t gather_similar_cycles(graph *g, cycles *c, uint32_t first, uint32_t *path, uint32_t *parent,
                                      uint32_t *q, uint32_t *nq, refs_exit_finding *f)
{
    uint32_t similar = 0;
    for (uint32_t o = c->next[first]; o != NONE; o = c->next[o]) {
        if (similar < NAMES_SHOWN) {
            /* o's component is not in q yet: what is left of q can hold its search */
            uint32_t len = find_cycle(g, o, path, parent, q + *nq);
            f->alike[similar].len = len;
            for (uint32_t k = 0; k < len && k < 4; k++) f->alike[similar].shown[k] = path[k];
        }
        similar++;
        *nq = queue_component(c, g->comp[o], q, *nq);
    }
    return similar;
}

/* The edge that would break the cycle if made weak: the reference to its
 * oldest member (usually the owner: a parent, a container) held by the
 * member before it (the back-pointer of a child). */
static void find_weak_candidate(graph *g, refs_exit_finding *f)
{
    const uint32_t *path = f->path;
    uint32_t len = f->len, oldest = 0;
    for (uint32_t k = 1; k < len; k++)
        if (g->objs[path[k]]->birth < g->objs[path[oldest]]->birth) oldest = k;
    f->oldest = oldest;
    f->oldest_edge = edge_record(g, path[(oldest + len - 1) % len], path[oldest]);
}

static void report_cycle(graph *g, cycles *c, uint32_t first, uint32_t *path, uint32_t *parent, uint32_t *q)
{
    uint32_t comp = g->comp[first];
    refs_exit_finding f = {
        .kind = LG_REF_CYCLE, .objs = g->objs, .members = c->start[comp + 1] - c->start[comp], .flags = g->flags,
        .root_flag = G_ROOT,
    };
    /* Everything in the components is "the cycle"; what hangs off them is kept. */
    uint32_t nq = queue_component(c, comp, q, 0);
    f.nalike = gather_similar_cycles(g, c, first, path, parent, q, &nq, &f);
    f.nkept = claim_downstream(g, q, nq, f.kept);
    uint32_t len = find_cycle(g, first, path, parent, q);

    lg_stack_id key = edge_stack(g, path[len - 1], path[0]);
    if (refs_suppressed(LG_REF_CYCLE, key ? key : g->objs[first]->birth_stack, g->objs[first]->birth_stack)) return;
    f.culprit = key ? key : g->objs[first]->birth_stack;
    f.path = path;
    f.len = len;
    f.obj = path[0];
    for (uint32_t k = 0; k < len && k < REFS_EDGES_SHOWN; k++) f.edges[k] = edge_record(g, path[k], path[(k + 1) % len]);
    find_weak_candidate(g, &f);
    refs_exit_finding_report(&f);
}

/* ---- grouping roots ------------------------------------------------------------------ */

static bool leaked_alike(const refs_obj *leader, const refs_obj *o, lg_stack_id stack)
{
    return leader->type == o->type && refs_culprit_stack(leader) == stack && stack;
}

/* Roots leaked the same way (type, culprit stack) share one finding: each
 * root's group leader in lead[], followers chained through next[]. */
static void group_roots(graph *g, uint32_t *lead, uint32_t *next, uint32_t *table, uint32_t slots)
{
    for (uint32_t k = 0; k < slots; k++) table[k] = NONE;
    uint32_t *tail = g->comp; /* free again after the cycles are reported */
    for (uint32_t i = 0; i < g->n; i++) {
        lead[i] = next[i] = NONE;
        if (!(g->flags[i] & G_ROOT)) continue;
        refs_obj *o = g->objs[i];
        lg_stack_id stack = refs_culprit_stack(o);
        uint64_t h = refs_mix((uintptr_t)o->type ^ ((uint64_t)stack << 32));
        for (uint32_t k = 0; k < slots; k++) {
            uint32_t *slot = &table[(h + k) & (slots - 1)];
            if (*slot == NONE) *slot = i;
            else if (!leaked_alike(g->objs[*slot], o, stack)) continue;
            join_group(lead, next, tail, i, *slot);
            break;
        }
        if (lead[i] == NONE) lead[i] = i; /* table full: its own group */
    }
}

/* ---- the exit report ---------------------------------------------------------------- */

/* Out of memory for the graph: every counted object is reported on its own. */
static void report_leak_alone(refs_obj *o, void *ctx)
{
    if (!is_candidate(o) || refs_suppressed(LG_REF_LEAK, o->birth_stack, o->birth_stack)) return;
    ++*(size_t *)ctx;
    refs_obj *const objs[1] = {o};
    refs_exit_finding_report(&(refs_exit_finding){.kind = LG_REF_LEAK, .objs = objs, .alone = true});
}

static void unflag_released_block(refs_obj *o, void *ctx)
{
    (void)ctx;
    if (o->block && o->state == LG_REFS_ZERO) refs_flag_block(o->block, false);
}

static void flag_counted_block(refs_obj *o, void *ctx)
{
    (void)ctx;
    if (o->block && o->state == LG_REFS_ALIVE) refs_flag_block(o->block, true);
}

/* Blocks of objects that are no longer counted go back to the leak scan,
 * which runs after this; the blocks of leaked objects stay with us (flagged
 * last: a block may hold a released object and a counted one). */
static void hand_blocks_to_leak_scan(void)
{
    each_obj(unflag_released_block, NULL);
    each_obj(flag_counted_block, NULL);
}

/* Cycles first, in the birth order of their first member: what they keep
 * alive is theirs. */
static void report_cycles(graph *g, uint32_t *path, uint32_t *parent, uint32_t *q)
{
    cycles c;
    lg_mem_set(&c, 0, sizeof(c));
    c.ncomp = graph_components(g);
    for (uint32_t i = 0; i < g->n; i++) parent[i] = NONE;
    if (!cycles_build(g, &c, path, parent, q)) return;
    for (uint32_t i = 0; i < g->n; i++)
        if (c.lead[i] == i) report_cycle(g, &c, i, path, parent, q);
    refs_unmap(c.mem, c.mem_bytes);
}

/* Then the roots, one finding per group leaked the same way (each root on
 * its own when there is no memory for the grouping). */
static void report_roots(graph *g, uint32_t *lead, uint32_t *next, uint32_t *similar, uint32_t *q)
{
    uint32_t slots = hash_slots(g->n);
    uint32_t *table = refs_map((size_t)slots * 4);
    if (table) group_roots(g, lead, next, table, slots);
    for (uint32_t i = 0; i < g->n; i++) {
        if (!(g->flags[i] & G_ROOT)) continue;
        uint32_t nsimilar = 0;
        if (table) {
            if (lead[i] != i) continue;
            for (uint32_t k = next[i]; k != NONE; k = next[k]) similar[nsimilar++] = k;
        }
        report_leak(g, i, similar, nsimilar, q);
    }
    if (table) refs_unmap(table, (size_t)slots * 4);
}

size_t lg_refs_exit_report(void)
{
    refs_lock_shards();
    hand_blocks_to_leak_scan();
    graph g;
    lg_mem_set(&g, 0, sizeof(g));
    size_t leaked = 0;
    if (!graph_build(&g)) {
        each_obj(report_leak_alone, &leaked);
    } else if (g.n) {
        leaked = g.n;
        report_cycles(&g, g.a, g.b, g.c);
        report_roots(&g, g.a, g.b, g.d, g.c);
        graph_clear_marks(&g);
        refs_unmap(g.mem, g.mem_bytes);
    }
    refs_unlock_shards();
    refs_causes_report();
    return leaked;
}
