/* lg_refs_check.c — the program's own assertions about lifetimes:
 * lg_expect_freed (still-alive) and checkpoints (checkpoint-leak).
 *
 * A checkpoint is a tick of the birth clock that heap blocks and tracked
 * objects share.  lg_check_since reports what was born after it and lives
 * on: tracked objects grouped by type and birth stack, then heap blocks
 * (those that hold no tracked object) grouped by allocation stack. */
#include "lg_refs_internal.h"
#include "lg_suppress.h"

#define GROUP_SLOTS 1024u
#define NAMES_SHOWN REFS_NAMES_SHOWN

void lg_refs_expect_freed(uintptr_t addr, const char *why, lg_stack_id stack)
{
    if (!addr) return;
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    refs_obj *o = refs_obj_find(s, addr);
    refs_obj_lock(o); /* its count and holders */
    /* Alive means still counted: an object whose count reached zero is
     * released, whether or not its memory has been given back yet. */
    /* Not de-duplicated by stack: one expectation in a loop checks many objects. */
    if (o && o->state == LG_REFS_ALIVE && o->count > 0 && !refs_suppressed(LG_STILL_ALIVE, stack, o->birth_stack)) {
        refs_finding_report(&(refs_finding){.kind = LG_STILL_ALIVE, .stack = stack, .obj = o, .shard = s, .why = why});
    }
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

/* ---- checkpoints ------------------------------------------------------------ */

typedef struct group {
    const refs_type *type; /* NULL: heap blocks */
    lg_stack_id stack;
    bool used;
    uint64_t count, bytes;
    uintptr_t first;       /* the earliest born: the object's or block's address */
    uint64_t first_birth, first_size;
    uint64_t ids[NAMES_SHOWN]; /* objects: the first few, for the note */
} group;

typedef struct check {
    uint64_t since;
    group *groups;
    uint32_t ngroups;
    bool overflow;
    uint64_t found;
} check;

static group *group_of(check *c, const refs_type *type, lg_stack_id stack)
{
    uint64_t h = refs_mix((uintptr_t)type ^ ((uint64_t)stack << 20) ^ 0x9e37u);
    for (uint32_t k = 0; k < GROUP_SLOTS; k++) {
        group *g = &c->groups[(h + k) & (GROUP_SLOTS - 1)];
        if (!g->used) {
            if (c->ngroups + 1 >= GROUP_SLOTS) break;
            g->used = true;
            g->type = type;
            g->stack = stack;
            g->first_birth = UINT64_MAX;
            c->ngroups++;
            return g;
        }
        if (g->type == type && g->stack == stack) return g;
    }
    c->overflow = true;
    return NULL;
}

static void add_member(group *g, uintptr_t addr, uint64_t birth, uint64_t id, uint64_t bytes)
{
    /* Keep the lowest ids, sorted: the tables are walked in address order,
     * which changes from run to run, and the note should not. */
    uint32_t shown = g->count < NAMES_SHOWN ? (uint32_t)g->count : NAMES_SHOWN;
    if (shown < NAMES_SHOWN || id < g->ids[shown - 1]) {
        uint32_t at = shown < NAMES_SHOWN ? shown : shown - 1;
        while (at > 0 && g->ids[at - 1] > id) {
            g->ids[at] = g->ids[at - 1];
            at--;
        }
        g->ids[at] = id;
    }
    g->count++;
    g->bytes += bytes;
    if (birth < g->first_birth) {
        g->first_birth = birth;
        g->first = addr;
        g->first_size = bytes;
    }
}

static void visit_object(refs_obj *o, void *ctx)
{
    check *c = ctx;
    if (o->birth < c->since) return;
    lg_lock(&o->lock); /* its count */
    bool alive = refs_obj_is_alive(o);
    lg_unlock(&o->lock);
    if (!alive) return;
    c->found++;
    group *g = group_of(c, o->type, o->birth_stack);
    if (g) add_member(g, o->addr, o->birth, o->id, 0);
}

static void collect_objects(check *c)
{
    for (uint32_t i = 0; i < REFS_SHARDS; i++) {
        refs_shard *s = &refs_shards[i];
        lg_lock(&s->lock);
        refs_each_obj(s, visit_object, c);
        lg_unlock(&s->lock);
    }
}

/* The C library's and the loader's lazy allocations (stdio buffers, thread
 * control blocks) are not the program's: left out with default_suppressions.
 * They are told by the frames inside the C library or the loader above the
 * program's own: any of the loader's, or a libc function of an internal
 * name.  A block the program asked libc for (strdup) still counts. */
static bool module_is(const char *path, const char *name)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/') base = p + 1;
    return lg_str_eq_n(base, name, lg_str_len(name));
}

static bool libc_internal(lg_stack_id stack)
{
    static const char *const internal[] = {"_IO_", "_dl_", "__libc_", "_nl_", "__gconv", "__tz", "__nss",
                                           "__pthread_create", "pthread_create", "allocate_stack", "__new_exitfn"};
    uintptr_t pcs[LG_MAX_FRAMES];
    uint32_t depth = lg_depot_get(stack, pcs, LG_MAX_FRAMES);
    for (uint32_t i = 0; i < depth; i++) {
        lg_module_info mod;
        if (!lg_pal_module_of(pcs[i], &mod)) return false;
        if (module_is(mod.path, "ld-linux") || module_is(mod.path, "ld64.so") || module_is(mod.path, "ld-musl"))
            return true;
        if (!module_is(mod.path, "libc.so") && !module_is(mod.path, "libpthread")) return false;
        const char *fn = lg_pal_function_of(pcs[i] - 1);
        for (size_t k = 0; fn && k < LG_ARRAY_LEN(internal); k++)
            if (lg_str_eq_n(fn, internal[k], lg_str_len(internal[k]))) return true;
    }
    return false;
}

static void visit_block(const lg_block *b, void *ctx)
{
    check *c = ctx;
    const lg_block_meta *m = b->meta;
    if (m->birth < c->since) return;
    if (__atomic_load_n(&m->flags, __ATOMIC_RELAXED) & LG_BLOCK_OBJECT) return; /* counted as its object */
    lg_stack_id stack = m->alloc_stack;
    if (lg_opt.stacks && !stack) return; /* the runtime's own (allocated with no stack) */
    group *g = group_of(c, NULL, stack);
    if (g) add_member(g, b->user, m->birth, 0, b->size);
    else c->found++;
}

static void report_object_group(const group *g, const char *what, lg_stack_id at)
{
    refs_shard *s = refs_shard_of(g->first);
    lg_lock(&s->lock);
    refs_obj *o = refs_obj_find(s, g->first);
    refs_obj_lock(o);
    if (o && refs_obj_is_alive(o))
        refs_finding_report(&(refs_finding){.kind = LG_CHECKPOINT_LEAK, .stack = at, .obj = o, .shard = s, .why = what,
                                            .type = g->type, .count = g->count, .ids = g->ids, .born = g->stack});
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

/* Called for groups that are not the C library's own (libc_own_group). */
static void report_block_group(const group *g, const char *what, lg_stack_id at)
{
    lg_report_lock(); /* symbol lookups happen under it */
    bool suppressed = lg_suppressed(LG_LEAK, g->stack);
    lg_report_unlock();
    if (suppressed) return;
    refs_finding_report(&(refs_finding){.kind = LG_CHECKPOINT_LEAK, .stack = at, .why = what, .count = g->count,
                                        .bytes = g->bytes, .first = g->first, .first_size = (size_t)g->first_size,
                                        .born = g->stack});
}

/* Blocks the C library allocates for itself are neither counted nor
 * reported (with default_suppressions). */
static bool libc_own_group(const group *g)
{
    lg_report_lock(); /* symbol lookups happen under it */
    bool own = lg_opt.default_suppressions && g->stack && libc_internal(g->stack);
    lg_report_unlock();
    return own;
}

static bool group_born_before(const void *a, const void *b, void *ctx)
{
    const group *groups = ctx;
    return groups[*(const uint32_t *)a].first_birth < groups[*(const uint32_t *)b].first_birth;
}

/* The used groups, earliest born first: findings come out in a stable order. */
static uint32_t sorted_groups(check *c, uint32_t *order)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < GROUP_SLOTS; k++)
        if (c->groups[k].used) order[n++] = k;
    lg_sort(order, n, sizeof(*order), group_born_before, c->groups);
    return n;
}

/* Tracked objects born since: reported by group, counted in c->found. */
static void check_objects(check *c, uint32_t *order, const char *label, lg_stack_id at)
{
    collect_objects(c);
    uint32_t n = sorted_groups(c, order);
    for (uint32_t k = 0; k < n; k++) report_object_group(&c->groups[order[k]], label, at);
}

/* Heap blocks born since that hold no tracked object. */
static void check_blocks(check *c, uint32_t *order, const char *label, lg_stack_id at)
{
    lg_mem_set(c->groups, 0, GROUP_SLOTS * sizeof(group));
    c->ngroups = 0;
    lg_heap_each_live(visit_block, c);
    uint32_t n = sorted_groups(c, order);
    for (uint32_t k = 0; k < n; k++) {
        const group *g = &c->groups[order[k]];
        if (!g->count || libc_own_group(g)) continue;
        c->found += g->count;
        report_block_group(g, label, at);
    }
}

size_t lg_refs_check_since(uint64_t since, const char *what, lg_stack_id stack)
{
    check c;
    lg_mem_set(&c, 0, sizeof(c));
    c.since = since;
    size_t bytes = GROUP_SLOTS * sizeof(group) + GROUP_SLOTS * sizeof(uint32_t);
    c.groups = refs_map(bytes);
    if (!c.groups) return 0;
    uint32_t *order = (uint32_t *)(c.groups + GROUP_SLOTS);
    check_objects(&c, order, what, stack);
    check_blocks(&c, order, what, stack);
    refs_unmap(c.groups, bytes);
    return (size_t)c.found;
}
