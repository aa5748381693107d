/* lg_finding_refs_exit.c — the words of the exit report's reference
 * findings: ref-leak (an object still referenced from outside every cycle,
 * and those leaked the same way) and ref-cycle (objects holding one
 * another), each with what it keeps alive.
 *
 * lg_refs_graph.c finds them and fills a refs_exit_finding
 * (lg_refs_internal.h); objects and holders are described by
 * lg_refs_describe.c.  Every shard lock is held.  And the "root causes"
 * list that follows them (lg_refs_causes.c keeps its table). */
#include "lg_refs_internal.h"

/* "A, B, C, …": the first REFS_NAMES_SHOWN of n objects. */
static void put_names(lg_buf *b, refs_obj *const *objs, const uint32_t *index, uint32_t n)
{
    char name[80];
    for (uint32_t k = 0; k < n && k <= REFS_NAMES_SHOWN; k++) {
        if (k < REFS_NAMES_SHOWN) lg_buf_printf(b, "%s%s", k ? ", " : "", refs_name(objs[index[k]], name, sizeof(name)));
        else lg_buf_puts(b, ", …");
    }
}

static void note_kept(lg_report *r, const refs_exit_finding *f)
{
    if (!f->nkept) return;
    char mem[512];
    lg_buf names;
    lg_buf_init(&names, mem, sizeof(mem));
    put_names(&names, f->objs, f->kept, f->nkept);
    lg_report_note(r, "it keeps %u more object%s alive (held by it, directly or not): %s", f->nkept,
                   f->nkept == 1 ? "" : "s", lg_buf_cstr(&names));
}

/* Out of memory for the graph: the object alone, keyed by its birth. */
static void report_leak_alone(const refs_exit_finding *f)
{
    refs_obj *o = f->objs[0];
    char name[80];
    lg_report *r = lg_report_begin(LG_REF_LEAK, o->birth_stack, "%s leaked: still referenced at exit (refcount %lld)",
                                   refs_name(o, name, sizeof(name)), (long long)o->count);
    refs_report_object(r, o);
    refs_report_holders(r, o, NULL, 8);
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
}

static void report_leak(const refs_exit_finding *f)
{
    refs_obj *o = f->objs[f->obj];
    char name[80];
    refs_name(o, name, sizeof(name));
    uint32_t nsimilar = f->nsimilar;
    lg_report *r;
    if (nsimilar)
        r = lg_report_begin(LG_REF_LEAK, 0, "%s and %u more %s object%s leaked: still referenced at exit (%s: refcount %lld)",
                            name, nsimilar, o->type->name, nsimilar == 1 ? "" : "s", name, (long long)o->count);
    else
        r = lg_report_begin(LG_REF_LEAK, 0, "%s leaked: still referenced at exit (refcount %lld)", name,
                            (long long)o->count);
    if (!r) return;
    refs_report_object(r, o);
    if (f->culprit && f->culprit != o->birth_stack)
        lg_report_note(r, "the leaked references were acquired in %s", refs_stack_function(f->culprit));
    refs_report_holders(r, o, NULL, 8);
    if (nsimilar) {
        char more_mem[512];
        lg_buf more;
        lg_buf_init(&more, more_mem, sizeof(more_mem));
        put_names(&more, f->objs, f->similar, nsimilar);
        lg_report_note(r, "leaked the same way (type and acquisition stack): %s", lg_buf_cstr(&more));
    }
    if (f->cyclic) lg_report_note(r, "it is also part of a reference cycle, reported as ref-cycle");
    note_kept(r, f);
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
    /* The references the culprit left, read after the report's pairing of the holders' puts. */
    uint64_t refs = refs_live_at(o, f->culprit);
    for (uint32_t k = 0; k < nsimilar; k++) refs += refs_live_at(f->objs[f->similar[k]], f->culprit);
    char subject[96];
    lg_buf sb;
    lg_buf_init(&sb, subject, sizeof(subject));
    if (nsimilar) lg_buf_printf(&sb, "%s (+%u alike)", name, nsimilar);
    else lg_buf_puts(&sb, name);
    refs_cause_note(f->culprit, refs, LG_REF_LEAK, lg_buf_cstr(&sb));
}

/* "A -> B -> A": the first `shown` of the len members on path, cut_mark
 * when there are more, and the first again. */
static void put_cycle_path(lg_buf *b, refs_obj *const *objs, const uint32_t *path, uint32_t len, uint32_t shown,
                           const char *cut_mark)
{
    char name[80];
    for (uint32_t k = 0; k < len && k < shown; k++)
        lg_buf_printf(b, "%s -> ", refs_name(objs[path[k]], name, sizeof(name)));
    if (len > shown) lg_buf_puts(b, cut_mark);
    lg_buf_puts(b, refs_name(objs[path[0]], name, sizeof(name)));
}

static void note_weak_candidate(lg_report *r, const refs_exit_finding *f)
{
    const refs_obj *held = f->objs[f->path[f->oldest]], *holder = f->objs[f->path[(f->oldest + f->len - 1) % f->len]];
    const refs_holder *h = f->oldest_edge;
    char held_name[80], holder_name[80], edge[176];
    refs_name(held, held_name, sizeof(held_name));
    refs_name(holder, holder_name, sizeof(holder_name));
    lg_buf b;
    lg_buf_init(&b, edge, sizeof(edge));
    lg_buf_printf(&b, "%s -> %s", holder_name, held_name);
    lg_report_field_str(r, "weak_candidate", lg_buf_cstr(&b));
    lg_report_note(r, "made weak, the reference %s holds to %s (its oldest member%s%s) would break the cycle", holder_name,
                   held_name, h && h->last_get ? ", acquired in " : "",
                   h && h->last_get ? refs_stack_function(h->last_get) : "");
}

/* The members in holding order, then who holds whom along the cycle and
 * where each of those references was acquired. */
static void note_cycle_edges(lg_report *r, const refs_exit_finding *f)
{
    const uint32_t *path = f->path;
    uint32_t len = f->len;
    for (uint32_t k = 0; k < len && k < REFS_CYCLE_SHOWN; k++) {
        const refs_obj *o = f->objs[path[k]];
        lg_report_cycle_member(r, o->type->name, o->id, o->addr);
    }
    if (len > REFS_CYCLE_SHOWN)
        lg_report_note(r, "only the first %u of the cycle's %u objects are listed", REFS_CYCLE_SHOWN, len);
    for (uint32_t k = 0; k < len && k < REFS_EDGES_SHOWN; k++) {
        const refs_holder *h = f->edges[k];
        if (!h) continue;
        char held_name[80], holder_name[80];
        lg_report_note(r, "%s is held by %s", refs_name(f->objs[path[(k + 1) % len]], held_name, sizeof(held_name)),
                       refs_name(f->objs[path[k]], holder_name, sizeof(holder_name)));
        refs_report_holder(r, (refs_holder *)h, NULL); /* the pairing rewrites its sites' live counts */
    }
    note_weak_candidate(r, f);
}

static void report_cycle(const refs_exit_finding *f)
{
    const uint32_t *path = f->path;
    uint32_t len = f->len;
    char chain_mem[384], name[80];
    lg_buf chain;
    lg_buf_init(&chain, chain_mem, sizeof(chain_mem));
    put_cycle_path(&chain, f->objs, path, len, 6, "… -> ");
    lg_report *r;
    if (f->nalike)
        r = lg_report_begin(LG_REF_CYCLE, 0, "reference cycle of %u object%s alive at exit: %s (and %u more like it)", len,
                            len == 1 ? "" : "s", lg_buf_cstr(&chain), f->nalike);
    else
        r = lg_report_begin(LG_REF_CYCLE, 0, "reference cycle of %u object%s alive at exit: %s", len, len == 1 ? "" : "s",
                            lg_buf_cstr(&chain));
    if (!r) return;
    refs_report_object(r, f->objs[path[0]]);
    lg_report_note(r, "each object holds the next; the last holds the first");
    note_cycle_edges(r, f);
    if (f->members > len)
        lg_report_note(r, "%u more objects hold one another with these (one strongly connected group)", f->members - len);
    for (uint32_t k = 0; k < len; k++)
        if (f->flags[path[k]] & f->root_flag)
            lg_report_note(r, "%s is also held from outside the cycle (reported as ref-leak)",
                           refs_name(f->objs[path[k]], name, sizeof(name)));
    if (f->nalike) {
        char more_mem[512];
        lg_buf more;
        lg_buf_init(&more, more_mem, sizeof(more_mem));
        for (uint32_t s = 0; s < f->nalike && s < REFS_NAMES_SHOWN; s++) {
            lg_buf_puts(&more, s ? "; " : "");
            put_cycle_path(&more, f->objs, f->alike[s].shown, f->alike[s].len, 4, "");
        }
        if (f->nalike > REFS_NAMES_SHOWN) lg_buf_puts(&more, "; …");
        lg_report_note(r, "%u more cycles of the same types and acquisition stacks: %s", f->nalike, lg_buf_cstr(&more));
    }
    note_kept(r, f);
    lg_report_stack(r, "birth", f->objs[path[0]]->birth_stack, "the first object of the cycle was born here");
    lg_report_end(r);
    refs_cause_note(f->culprit, len, LG_REF_CYCLE, refs_name(f->objs[path[0]], name, sizeof(name)));
}

void refs_exit_finding_report(const refs_exit_finding *f)
{
    if (f->kind == LG_REF_CYCLE) report_cycle(f);
    else if (f->alone) report_leak_alone(f);
    else report_leak(f);
}

void refs_causes_write(const refs_cause *causes, uint32_t n, uint32_t noted)
{
    lg_log("==%u==lifeguard: root causes of %u reference finding%s: %u site%s took the references left outstanding\n",
           lg_pal_pid(), noted, noted == 1 ? "" : "s", n, n == 1 ? "" : "s");
    for (uint32_t i = 0; i < n; i++) {
        const refs_cause *c = &causes[i];
        char mem[768];
        lg_buf b;
        lg_buf_init(&b, mem, sizeof(mem));
        lg_buf_printf(&b, "  %u. %s: %llu reference%s; explains", i + 1, c->function, (unsigned long long)c->refs,
                      c->refs == 1 ? "" : "s");
        for (uint32_t k = 0; k < c->listed; k++) {
            char label_mem[48]; /* "ref-leak Task#4 (+6 alike)", cut as it always was */
            lg_buf label;
            lg_buf_init(&label, label_mem, sizeof(label_mem));
            lg_buf_printf(&label, "%s %s", lg_kind_name(c->kind[k]), c->subject[k]);
            lg_buf_printf(&b, "%s #%u %s", k ? "," : "", c->number[k], lg_buf_cstr(&label));
        }
        if (c->findings > c->listed) lg_buf_printf(&b, " and %u more", c->findings - c->listed);
        lg_log("%s\n", lg_buf_cstr(&b));
    }
    lg_log("\n");
}
