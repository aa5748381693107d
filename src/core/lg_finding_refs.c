/* lg_finding_refs.c — the words of the reference tracker's findings at the
 * moment they happen: a get after the end, a put too many or by a holder
 * that holds nothing, a destruction while others hold the object, a count
 * that keeps growing or saturated, a use through a stale weak slot, an
 * object still alive where the program expected it freed or past a
 * checkpoint.
 *
 * The detectors (lg_refs.c, lg_refs_weak.c, lg_refs_check.c) fill a
 * refs_finding (lg_refs_internal.h); objects and holders are described by
 * lg_refs_describe.c.  Also what a checkpoint finds still alive
 * (checkpoint-leak).  (The exit report's ref-leak and ref-cycle are worded
 * by lg_refs_graph.c.) */
#include "lg_refs_internal.h"

static void report_freed_while_held(const refs_finding *f, const char *name)
{
    refs_obj *o = f->obj;
    long long others = (long long)(f->named + (f->anon > 0 ? f->anon - 1 : 0));
    lg_report *r = lg_report_begin(LG_REF_FREED_WHILE_HELD, f->stack,
                                   "%s destroyed (%s) while %lld other reference%s to it %s still held", name,
                                   f->destroyed_by, others, others == 1 ? "" : "s", others == 1 ? "is" : "are");
    if (!r) return;
    refs_report_object(r, o);
    lg_report_note(r, "the destroyer is taken to own one anonymous reference; every other one is still held");
    if (f->stack || !lg_opt.stacks) lg_report_stack(r, "free", f->stack, "destroyed here");
    else lg_report_note(r, "the destroying call's stack could not be captured (the runtime's core has no unwind tables?)");
    refs_report_holders(r, o, f->shard, 16);
    if (o->last_put) lg_report_stack(r, "last_put", o->last_put, "its last reference was dropped here");
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
}

static void report_get_after_free(const refs_finding *f, const char *name)
{
    refs_obj *o = f->obj;
    char who[160];
    bool dead = o->state == LG_REFS_DEAD;
    lg_report *r = lg_report_begin(LG_REF_GET_AFTER_FREE, f->stack, "lg_ref_get on %s after %s", name,
                                   dead ? "it was destroyed" : "its count reached zero");
    if (!r) return;
    refs_report_object(r, o);
    refs_describe_holder_addr(f->holder, f->shard, true, who, sizeof(who));
    lg_report_note(r, "the new reference is taken by %s", who);
    lg_report_stack(r, "access", f->stack, "this get");
    if (o->zero_put) lg_report_stack(r, "zero_put", o->zero_put, "its count reached zero at this put");
    else if (o->last_put) lg_report_stack(r, "last_put", o->last_put, "its last put");
    if (dead) lg_report_stack(r, "free", f->destroy, "destroyed here");
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
}

static void report_underflow(const refs_finding *f, const char *name)
{
    refs_obj *o = f->obj;
    char who[160];
    lg_report *r = lg_report_begin(LG_REF_UNDERFLOW, f->stack, "lg_ref_put on %s whose count is already zero%s", name,
                                   o->state == LG_REFS_DEAD ? " (destroyed)" : "");
    if (!r) return;
    refs_report_object(r, o);
    refs_describe_holder_addr(f->holder, f->shard, true, who, sizeof(who));
    lg_report_note(r, "dropped by %s", who);
    lg_report_stack(r, "access", f->stack, "this put");
    if (o->zero_put) lg_report_stack(r, "zero_put", o->zero_put, "the count reached zero at this put");
    if (o->state == LG_REFS_DEAD) lg_report_stack(r, "free", f->destroy, "destroyed here");
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
}

static void report_put_unheld(const refs_finding *f, const char *name)
{
    refs_obj *o = f->obj;
    const refs_holder *h = f->record;
    char who[160];
    refs_describe_holder_addr(f->holder, f->shard, false, who, sizeof(who));
    lg_report *r = lg_report_begin(LG_REF_PUT_UNHELD, f->stack, "%s %s a reference to %s it does not hold", who,
                                   f->moved ? "hands over" : "drops", name);
    if (!r) return;
    refs_report_object(r, o);
    if (h) lg_report_note(r, "%s took %llu and has already dropped %llu", who, (unsigned long long)h->gets,
                          (unsigned long long)h->puts);
    else lg_report_note(r, "%s never took a reference to %s", who, name);
    lg_report_stack(r, "access", f->stack, "this put");
    if (h && h->last_put) lg_report_stack(r, "holder_last_put", h->last_put, "that holder's previous put");
    refs_report_holders(r, o, f->shard, 16);
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
}

static void report_put_after_free(const refs_finding *f, const char *name)
{
    refs_obj *o = f->obj;
    char who[160];
    lg_report *r = lg_report_begin(LG_REF_PUT_AFTER_FREE, f->stack, "lg_ref_put on %s after it was destroyed", name);
    if (!r) return;
    refs_report_object(r, o);
    refs_describe_holder_addr(f->holder, f->shard, true, who, sizeof(who));
    lg_report_note(r, "dropped by %s; its count (%lld before this put) belongs to an object that no longer exists", who,
                   (long long)o->count);
    lg_report_stack(r, "access", f->stack, "this put");
    lg_report_stack(r, "free", f->destroy, "destroyed here");
    refs_report_holders(r, o, f->shard, 8);
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
}

static void report_growth(const refs_finding *f, const char *name)
{
    refs_obj *o = f->obj;
    lg_report *r = lg_report_begin(LG_REF_GROWTH, f->stack, "the count of %s passed %llu", name,
                                   (unsigned long long)lg_opt.ref_growth_limit);
    if (!r) return;
    lg_report_not_error(r); /* a warning: the program goes on */
    refs_report_object(r, o);
    refs_report_top_sites(r, o, f->shard, 4);
    lg_report_stack(r, "access", f->stack, "the get that crossed the limit");
    refs_report_holders(r, o, f->shard, 4);
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
    refs_cause_note(f->stack, 0, LG_REF_GROWTH, name); /* its references are counted by the leak, if any */
}

static const char *saturation_cause(int why)
{
    switch (why) {
    case LG_REFS_SAT_FROM_ZERO: return "a get from zero";
    case LG_REFS_SAT_OVERFLOW: return "a get past INT32_MAX";
    case LG_REFS_SAT_BELOW_ZERO: return "a put below zero";
    default: return "a misuse";
    }
}

static void report_saturated(const refs_finding *f, const char *name)
{
    refs_obj *o = f->obj;
    lg_report *r = lg_report_begin(LG_REF_SATURATED, f->stack,
                                   "the lg_refcount_t of %s saturated (%s): pinned for good, the object will leak",
                                   o ? name : "an untracked object", saturation_cause(f->saturation));
    if (o) refs_report_object(r, o);
    else lg_report_address(r, f->addr);
    lg_report_stack(r, "access", f->stack, "the call that saturated it");
    if (o && o->zero_put) lg_report_stack(r, "zero_put", o->zero_put, "its count reached zero at this put");
    if (o) lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
}

static void report_still_alive(const refs_finding *f, const char *name)
{
    refs_obj *o = f->obj;
    lg_report *r = lg_report_begin(LG_STILL_ALIVE, 0, "%s is still alive (refcount %lld), expected freed: %s", name,
                                   (long long)o->count, f->why && f->why[0] ? f->why : "(no reason given)");
    refs_report_object(r, o);
    lg_report_stack(r, "access", f->stack, "lg_expect_freed here");
    refs_report_holders(r, o, f->shard, 8);
    if (o->last_put) lg_report_stack(r, "last_put", o->last_put, "its last put");
    lg_report_stack(r, "birth", o->birth_stack, "born here");
    lg_report_end(r);
}

/* The slot outlived its object, or was stored to without re-registering. */
static void report_weak_stale(const refs_finding *f)
{
    const refs_weak *w = f->weak;
    const refs_view *reg = f->registered, *got = f->reached;
    bool same = f->addr == w->obj;
    const refs_view *dead = same ? reg : got;
    lg_report *r;
    if (same) {
        const char *how = reg->state == LG_REFS_ZERO ? "its count reached zero" : "it died";
        r = lg_report_begin(LG_REF_WEAK_STALE, f->stack, "%s used through the weak slot at 0x%lx after %s",
                            reg->name[0] ? reg->name : "an object", (unsigned long)f->slot, how);
        if (!r) return;
        lg_report_address(r, f->addr);
        lg_report_note(r, "the slot was registered for it and never cleared: whoever ended it should have cleared "
                          "the slot (lg_weak_clear) or re-registered it");
    } else {
        r = lg_report_begin(LG_REF_WEAK_STALE, f->stack,
                            "the weak slot at 0x%lx reaches %s but was registered for %s: a store never registered",
                            (unsigned long)f->slot, got->name[0] ? got->name : "an untracked object",
                            reg->name[0] ? reg->name : "another object");
        if (!r) return;
        lg_report_address(r, f->addr);
        lg_report_note(r, "the slot was stored to after this registration without lg_weak_set: its new object's "
                          "end cannot clear it");
        if (got->state == LG_REFS_DEAD || got->state == LG_REFS_ZERO)
            lg_report_note(r, "%s is no longer alive", got->name);
    }
    lg_report_stack(r, "access", f->stack, "this use");
    lg_report_stack(r, "weak_set", w->set, same ? "the slot was registered here" : "the slot's last registration");
    if (dead->state == LG_REFS_DEAD && dead->destroy) lg_report_stack(r, "free", dead->destroy, "destroyed here");
    else if (dead->zero_put) lg_report_stack(r, "zero_put", dead->zero_put, "its count reached zero here");
    if (dead->birth_stack) lg_report_stack(r, "birth", dead->birth_stack, "born here");
    lg_report_end(r);
}

/* A group of objects, or of heap blocks, born since a checkpoint and alive. */
static void report_checkpoint(const refs_finding *f, const char *name)
{
    char label[160];
    lg_buf lb;
    lg_buf_init(&lb, label, sizeof(label));
    lg_buf_printf(&lb, "lg_check_since(\"%s\")", f->why && f->why[0] ? f->why : "");
    const char *what = lg_buf_cstr(&lb);
    if (!f->obj) {
        lg_report *r = lg_report_begin(LG_CHECKPOINT_LEAK, f->born,
                                       "%s: %llu heap block%s (%llu bytes) allocated since the checkpoint %s still alive",
                                       what, (unsigned long long)f->count, f->count == 1 ? "" : "s",
                                       (unsigned long long)f->bytes, f->count == 1 ? "is" : "are");
        lg_report_block(r, f->first, f->first_size);
        lg_report_field_u64(r, "blocks", f->count);
        lg_report_field_u64(r, "bytes", f->bytes);
        lg_report_stack(r, "access", f->stack, "checked here");
        lg_report_stack(r, "alloc", f->born, "allocated here");
        lg_report_end(r);
        return;
    }
    refs_obj *o = f->obj;
    lg_report *r = lg_report_begin(LG_CHECKPOINT_LEAK, f->born,
                                   "%s: %llu %s object%s born since the checkpoint %s still alive (%s, refcount %lld%s)",
                                   what, (unsigned long long)f->count, f->type->name, f->count == 1 ? "" : "s",
                                   f->count == 1 ? "is" : "are", name, (long long)o->count,
                                   o->count ? "" : ", its heap block not freed");
    refs_report_object(r, o);
    if (f->count > 1) {
        char mem[512];
        lg_buf b;
        lg_buf_init(&b, mem, sizeof(mem));
        for (uint32_t k = 0; k < f->count && k < REFS_NAMES_SHOWN; k++)
            lg_buf_printf(&b, "%s%s#%llu", k ? ", " : "", f->type->name, (unsigned long long)f->ids[k]);
        if (f->count > REFS_NAMES_SHOWN) lg_buf_puts(&b, ", …");
        lg_report_note(r, "born here and still alive: %s", lg_buf_cstr(&b));
    }
    lg_report_stack(r, "access", f->stack, "checked here");
    refs_report_holders(r, o, f->shard, 8);
    lg_report_stack(r, "birth", f->born, "born here");
    lg_report_end(r);
    if (r) {
        char subject[96];
        lg_buf sb;
        lg_buf_init(&sb, subject, sizeof(subject));
        if (f->count > 1) lg_buf_printf(&sb, "%s (+%llu alike)", name, (unsigned long long)(f->count - 1));
        else lg_buf_puts(&sb, name);
        /* Its references are counted by the leak at exit, if it leaks. */
        refs_cause_note(refs_culprit_stack(o), 0, LG_CHECKPOINT_LEAK, lg_buf_cstr(&sb));
    }
}

void refs_finding_report(const refs_finding *f)
{
    char name[80] = "";
    if (f->obj) refs_name(f->obj, name, sizeof(name));
    switch (f->kind) {
    case LG_REF_FREED_WHILE_HELD: report_freed_while_held(f, name); break;
    case LG_REF_GET_AFTER_FREE: report_get_after_free(f, name); break;
    case LG_REF_UNDERFLOW: report_underflow(f, name); break;
    case LG_REF_PUT_UNHELD: report_put_unheld(f, name); break;
    case LG_REF_PUT_AFTER_FREE: report_put_after_free(f, name); break;
    case LG_REF_GROWTH: report_growth(f, name); break;
    case LG_REF_SATURATED: report_saturated(f, name); break;
    case LG_STILL_ALIVE: report_still_alive(f, name); break;
    case LG_REF_WEAK_STALE: report_weak_stale(f); break;
    case LG_CHECKPOINT_LEAK: report_checkpoint(f, name); break;
    default: break;
    }
}
