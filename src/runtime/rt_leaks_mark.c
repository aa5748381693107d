/* rt_leaks_mark.c — marking reachable blocks, then grouping the rest.
 *
 * Marking is an explicit stack of blocks (never recursion): a word that
 * points anywhere into a live block's user bytes (one past the end too)
 * marks it; a marked block's words are scanned in turn.  Every lookup is
 * the heap's lock-free *_locked one: the caller holds every heap lock.
 *
 * Grouping, after marking, so that a leaked list or cycle is one finding:
 *   1. every unmarked block's words flag the unmarked blocks they reach as
 *      INDIRECT (reachable from another leaked block);
 *   2. each unmarked block that is not INDIRECT is a group root, in birth
 *      order: it and the leaked blocks reachable from it (not yet in a
 *      group) form its group;
 *   3. what is left is reachable only from cycles: the oldest block left
 *      roots the next group, until none is left.
 * Block memory is in the heap's own storage; the arrays here are mapped.
 *
 * In a forked child the blocks born before the fork are the parent's: they
 * are never leaks of the child, so they are neither marked nor followed
 * (marking would write to their metadata, copying its pages).  Only memory
 * written since the fork can hold a pointer to a block born since — a page
 * neither process wrote is as it was before that block existed — so the
 * child's scan reads the changed pages of the roots and of the parent's
 * blocks (rt_mark_changed, rt_mark_from_inherited) and follows its own
 * blocks from there. */
#include "rt_leaks.h"

typedef struct mark_entry {
    uintptr_t user;
    size_t size;
    lg_block_meta *meta;
} mark_entry;

static mark_entry *stack;
static size_t depth, cap;
static uint64_t parent_below; /* in a forked child: blocks born below this are the parent's */

bool rt_leaks_grow(void **array, size_t *capacity, size_t elem, size_t need)
{
    if (need <= *capacity) return true;
    size_t n = *capacity ? *capacity : 4096;
    while (n < need) n *= 2;
    void *p = lg_pal_map(n * elem);
    if (!p) return false;
    if (*array) {
        lg_mem_copy(p, *array, *capacity * elem);
        lg_pal_unmap(*array, *capacity * elem);
    }
    *array = p;
    *capacity = n;
    return true;
}

static size_t stack_hash(lg_stack_id stack, size_t cap)
{
    return (size_t)(((uint64_t)stack * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

bool rt_stack_index_find(const rt_stack_index *ix, lg_stack_id stack, size_t *index)
{
    if (!ix->cap) return false;
    for (size_t h = stack_hash(stack, ix->cap);; h = (h + 1) & (ix->cap - 1)) {
        uint64_t v = ix->slots[h];
        if (!v) return false;
        if ((v >> 32) == (uint64_t)stack + 1) {
            *index = (size_t)(uint32_t)v;
            return true;
        }
    }
}

bool rt_stack_index_add(rt_stack_index *ix, lg_stack_id stack, size_t index)
{
    if ((ix->used + 1) * 2 > ix->cap) {
        rt_stack_index bigger = {NULL, ix->cap ? ix->cap * 2 : 1024, 0};
        bigger.slots = lg_pal_map(bigger.cap * sizeof(uint64_t));
        if (!bigger.slots) return false;
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->slots[i]) rt_stack_index_add(&bigger, (lg_stack_id)((ix->slots[i] >> 32) - 1), (uint32_t)ix->slots[i]);
        rt_stack_index_free(ix);
        *ix = bigger;
    }
    size_t h = stack_hash(stack, ix->cap);
    while (ix->slots[h]) h = (h + 1) & (ix->cap - 1);
    ix->slots[h] = ((uint64_t)stack + 1) << 32 | (uint32_t)index;
    ix->used++;
    return true;
}

void rt_stack_index_free(rt_stack_index *ix)
{
    if (ix->slots) lg_pal_unmap(ix->slots, ix->cap * sizeof(uint64_t));
    ix->slots = NULL;
    ix->cap = ix->used = 0;
}

bool rt_mark_init(void)
{
    depth = 0;
    parent_below = rt_inherited_below;
    return rt_leaks_grow((void **)&stack, &cap, sizeof(mark_entry), 65536);
}

void rt_mark_fini(void)
{
    if (stack) lg_pal_unmap(stack, cap * sizeof(mark_entry));
    stack = NULL;
    cap = depth = 0;
}

static bool push(const lg_block *b)
{
    if (depth == cap && !rt_leaks_grow((void **)&stack, &cap, sizeof(mark_entry), depth + 1)) return false;
    stack[depth].user = b->user;
    stack[depth].size = b->size;
    stack[depth].meta = b->meta;
    depth++;
    return true;
}

static uint8_t flags_of(const lg_block_meta *m)
{
    return __atomic_load_n(&m->flags, __ATOMIC_ACQUIRE);
}

static void set_flags(lg_block_meta *m, uint8_t f)
{
    __atomic_fetch_or(&m->flags, f, __ATOMIC_ACQ_REL);
}

/* Calls fn for each live block a word of [lo, hi) points into. */
typedef void (*target_fn)(const lg_block *b, void *ctx);

static void each_target_by(uintptr_t lo, uintptr_t hi, uintptr_t step, target_fn fn, void *ctx)
{
    rt_mem_cursor c;
    rt_mem_open(&c, lo, hi);
    uintptr_t from, to;
    while (rt_mem_next(&c, &from, &to)) { /* only what can be read without a fault */
        for (uintptr_t p = from; p + sizeof(uintptr_t) <= to; p += step) {
            uintptr_t v;
            __builtin_memcpy(&v, (const void *)p, sizeof(v));
            if (!lg_heap_may_hold(v)) continue;
            lg_block b;
            if (lg_heap_find_live_locked(v, &b) && b.meta->birth >= parent_below) fn(&b, ctx);
        }
    }
}

static void each_target(uintptr_t lo, uintptr_t hi, target_fn fn, void *ctx)
{
    each_target_by(lo, hi, sizeof(uintptr_t), fn, ctx);
}

/* ---- marking from the roots ----------------------------------------------------- */

static void mark_target(const lg_block *b, void *ctx)
{
    (void)ctx;
    if (flags_of(b->meta) & LG_BLOCK_MARKED) return;
    set_flags(b->meta, LG_BLOCK_MARKED);
    if (!push(b)) { /* out of memory for the stack: mark it, scan it now (recursion bounded by luck) */
        each_target(b->user, b->user + b->size, mark_target, 0);
    }
}

void rt_mark_range(uintptr_t lo, uintptr_t hi)
{
    each_target(lo, hi, mark_target, 0);
}

void rt_mark_range_unaligned(uintptr_t lo, uintptr_t hi)
{
    each_target_by(lo, hi, 1, mark_target, 0);
}

void rt_mark_words(const uintptr_t *words, size_t n)
{
    rt_mark_range((uintptr_t)words, (uintptr_t)(words + n));
}

void rt_mark_changed(uintptr_t lo, uintptr_t hi)
{
    if (!parent_below) {
        rt_mark_range(lo, hi);
        return;
    }
    size_t page = lg_pal_page_size();
    /* Runs of changed pages, each scanned at once. */
    uintptr_t run = 0;
    bool in_run = false;
    for (uintptr_t p = lo; p < hi;) {
        uintptr_t end = (p & ~(uintptr_t)(page - 1)) + page;
        if (end > hi || end < p) end = hi;
        bool changed = rt_fork_changed(p, end);
        if (changed && !in_run) run = p;
        if (!changed && in_run) rt_mark_range(run, p);
        in_run = changed;
        p = end;
    }
    if (in_run) rt_mark_range(run, hi);
}

static void inherited_source(const lg_block *b, void *ctx)
{
    (void)ctx;
    if (b->meta->birth < parent_below) rt_mark_changed(b->user, b->user + b->size);
}

void rt_mark_from_inherited(void)
{
    if (parent_below) lg_heap_each_live_locked(inherited_source, 0);
}

void rt_mark_drain(void)
{
    while (depth) {
        mark_entry e = stack[--depth];
        each_target(e.user, e.user + e.size, mark_target, 0);
    }
}

/* ---- collecting and grouping --------------------------------------------------- */

typedef struct leaked {
    uintptr_t user;
    size_t size;
    lg_block_meta *meta;
} leaked;

static leaked *lost;
static size_t lost_count, lost_cap;
static rt_leak_result *result;

static rt_stack_index reach_index;

static void add_reachable(rt_leak_result *res, const lg_block *b)
{
    lg_stack_id s = b->meta->alloc_stack;
    size_t i;
    if (rt_stack_index_find(&reach_index, s, &i)) {
        res->reach[i].blocks++;
        res->reach[i].bytes += b->size;
        return;
    }
    if (!rt_leaks_grow((void **)&res->reach, &res->reach_cap, sizeof(rt_reach_stack), res->reach_count + 1)) return;
    if (!rt_stack_index_add(&reach_index, s, res->reach_count)) return;
    rt_reach_stack *r = &res->reach[res->reach_count++];
    r->stack = s;
    r->blocks = 1;
    r->bytes = b->size;
    r->user = b->user;
    r->size = b->size;
}

static void sort_visit(const lg_block *b, void *ctx)
{
    rt_leak_result *res = ctx;
    if (b->meta->birth < parent_below) return;
    uint8_t f = flags_of(b->meta);
    if (f & LG_BLOCK_MARKED) {
        res->reachable_blocks++;
        res->reachable_bytes += b->size;
        if (lg_opt.show_reachable) add_reachable(res, b);
        return;
    }
    if (!rt_leaks_grow((void **)&lost, &lost_cap, sizeof(leaked), lost_count + 1)) return;
    lost[lost_count].user = b->user;
    lost[lost_count].size = b->size;
    lost[lost_count].meta = b->meta;
    lost_count++;
}

static void clear_visit(const lg_block *b, void *ctx)
{
    (void)ctx;
    if (b->meta->birth < parent_below) return; /* never flagged; the write would copy its page */
    __atomic_fetch_and(&b->meta->flags, (uint8_t)~(LG_BLOCK_MARKED | LG_BLOCK_LEAK_INDIRECT | LG_BLOCK_LEAK_GROUPED),
                       __ATOMIC_ACQ_REL);
}

static bool leaked_born_before(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return ((const leaked *)a)->meta->birth < ((const leaked *)b)->meta->birth;
}

static void indirect_target(const lg_block *b, void *ctx)
{
    const lg_block_meta *from = ctx;
    uint8_t f = flags_of(b->meta);
    if (b->meta == from || (f & (LG_BLOCK_MARKED | LG_BLOCK_LEAK_INDIRECT))) return;
    set_flags(b->meta, LG_BLOCK_LEAK_INDIRECT);
    push(b);
}

static void flag_indirect(void)
{
    for (size_t i = 0; i < lost_count; i++) {
        depth = 0;
        each_target(lost[i].user, lost[i].user + lost[i].size, indirect_target, lost[i].meta);
        while (depth) {
            mark_entry e = stack[--depth];
            each_target(e.user, e.user + e.size, indirect_target, lost[i].meta);
        }
    }
}

typedef struct group_ctx {
    rt_leak_group *g;
} group_ctx;

/* Groups made from cycles start here; a later cycle group that reaches the
 * root of an earlier one takes it in (the earlier one was born first but
 * hangs off the later cycle), as Valgrind's cliques do. */
static size_t cycle_groups_start;

static void absorb_group(rt_leak_group *into, uintptr_t root)
{
    for (size_t i = cycle_groups_start; i < result->group_count; i++) {
        rt_leak_group *g = &result->groups[i];
        if (g == into || g->user != root || !g->blocks) continue;
        into->blocks += g->blocks;
        into->bytes += g->bytes;
        into->fresh |= g->fresh;
        g->blocks = g->bytes = 0;
        return;
    }
}

static void group_target(const lg_block *b, void *ctx)
{
    group_ctx *gc = ctx;
    uint8_t f = flags_of(b->meta);
    if (f & LG_BLOCK_MARKED) return;
    if (f & LG_BLOCK_LEAK_GROUPED) {
        if (f & LG_BLOCK_LEAK_INDIRECT) absorb_group(gc->g, b->user);
        return;
    }
    set_flags(b->meta, LG_BLOCK_LEAK_GROUPED);
    gc->g->blocks++;
    gc->g->bytes += b->size;
    if (!(f & LG_BLOCK_REPORTED)) gc->g->fresh = true;
    push(b);
}

static void make_group(const leaked *root)
{
    if (!rt_leaks_grow((void **)&result->groups, &result->group_cap, sizeof(rt_leak_group), result->group_count + 1))
        return;
    rt_leak_group *g = &result->groups[result->group_count++];
    g->stack = root->meta->alloc_stack;
    g->user = root->user;
    g->size = root->size;
    g->blocks = 1;
    g->bytes = root->size;
    g->fresh = !(flags_of(root->meta) & LG_BLOCK_REPORTED);
    g->tracked = flags_of(root->meta) & LG_BLOCK_OBJECT;
    set_flags(root->meta, LG_BLOCK_LEAK_GROUPED);
    group_ctx gc = {g};
    depth = 0;
    each_target(root->user, root->user + root->size, group_target, &gc);
    while (depth) {
        mark_entry e = stack[--depth];
        each_target(e.user, e.user + e.size, group_target, &gc);
    }
}

void rt_leaks_collect(rt_leak_result *res)
{
    result = res;
    lost_count = 0;
    lg_heap_each_live_locked(sort_visit, res);
    rt_stack_index_free(&reach_index);
    lg_sort(lost, lost_count, sizeof(*lost), leaked_born_before, NULL);
    flag_indirect();
    for (size_t i = 0; i < lost_count; i++)
        if (!(flags_of(lost[i].meta) & (LG_BLOCK_LEAK_INDIRECT | LG_BLOCK_LEAK_GROUPED))) make_group(&lost[i]);
    cycle_groups_start = result->group_count;
    for (size_t i = 0; i < lost_count; i++)
        if (!(flags_of(lost[i].meta) & LG_BLOCK_LEAK_GROUPED)) make_group(&lost[i]);
    for (size_t i = 0; i < lost_count; i++) {
        uint8_t f = flags_of(lost[i].meta);
        res->leaked_blocks++;
        res->leaked_bytes += lost[i].size;
        if (!(f & LG_BLOCK_REPORTED)) res->fresh_blocks++;
        if (!lost[i].meta->alloc_stack) {
            res->unstacked_blocks++;
            res->unstacked_bytes += lost[i].size;
        }
        set_flags(lost[i].meta, LG_BLOCK_REPORTED); /* the next scan reports only new leaks */
    }
    lg_heap_each_live_locked(clear_visit, 0);
    if (lost) lg_pal_unmap(lost, lost_cap * sizeof(leaked));
    lost = NULL;
    lost_cap = lost_count = 0;
    result = NULL;
}

void rt_mark_clear_all(void)
{
    lg_heap_each_live_locked(clear_visit, 0);
}

void rt_leaks_result_free(rt_leak_result *res)
{
    if (res->groups) lg_pal_unmap(res->groups, res->group_cap * sizeof(rt_leak_group));
    if (res->reach) lg_pal_unmap(res->reach, res->reach_cap * sizeof(rt_reach_stack));
    lg_mem_set(res, 0, sizeof(*res));
}
