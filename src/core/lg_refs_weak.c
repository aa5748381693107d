/* lg_refs_weak.c — weak references: slots that point at an object without
 * holding it (lg_weak_set / lg_weak_clear / lg_weak_use).
 *
 * A slot is registered for one life of one object.  A use through it is
 * checked against that registration: the object it names must still be
 * alive, and must be the object the program reached.  Otherwise the slot
 * outlived its object (whoever destroyed it should have cleared the slot)
 * or was stored to without re-registering (a swap): ref-weak-stale, with
 * the registration's stack and the destruction's. */
#include "lg_refs_internal.h"

/* What is known of one life of the object at addr (state 0: none). */
typedef struct obj_view {
    uint8_t state;
    uint64_t birth;
    lg_stack_id destroy, zero_put, birth_stack;
    char name[80];
} obj_view;

static void view_obj(uintptr_t addr, obj_view *v)
{
    lg_mem_set(v, 0, sizeof(*v));
    if (!addr) return;
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    const refs_obj *o = refs_obj_find(s, addr);
    if (o) {
        v->state = o->state;
        v->birth = o->birth;
        v->destroy = o->destroy;
        v->zero_put = o->zero_put;
        v->birth_stack = o->birth_stack;
        refs_name(o, v->name, sizeof(v->name));
    }
    lg_unlock(&s->lock);
}

void lg_refs_weak_set(uintptr_t slot, uintptr_t obj, lg_stack_id stack)
{
    if (!slot) return;
    obj_view v;
    view_obj(obj, &v);
    refs_shard *s = refs_shard_of(slot);
    lg_lock(&s->lock);
    refs_weak *w = refs_weak_find(s, slot);
    if (!obj) {
        if (w) refs_weak_remove(s, w);
    } else if (w || (w = refs_weak_add(s, slot)) != NULL) {
        w->obj = obj;
        w->obj_birth = v.birth;
        w->set = stack;
        w->reported = 0;
    }
    lg_unlock(&s->lock);
}

/* Whether the life registered (birth; 0: untracked then) is still on. */
static bool view_is_live(const obj_view *v, uint64_t birth)
{
    if (!birth) return v->state == 0 || v->state == LG_REFS_ALIVE;
    return v->state == LG_REFS_ALIVE && v->birth == birth;
}

static void report_stale(uintptr_t slot, const refs_weak *w, uintptr_t used, const obj_view *reg,
                         const obj_view *got, lg_stack_id stack)
{
    bool same = used == w->obj;
    const obj_view *dead = same ? reg : got;
    lg_report *r;
    if (same) {
        const char *how = reg->state == LG_REFS_ZERO ? "its count reached zero" : "it died";
        r = lg_report_begin(LG_REF_WEAK_STALE, stack, "%s used through the weak slot at 0x%lx after %s",
                            reg->name[0] ? reg->name : "an object", (unsigned long)slot, how);
        if (!r) return;
        lg_report_address(r, used);
        lg_report_note(r, "the slot was registered for it and never cleared: whoever ended it should have cleared "
                          "the slot (lg_weak_clear) or re-registered it");
    } else {
        r = lg_report_begin(LG_REF_WEAK_STALE, stack,
                            "the weak slot at 0x%lx reaches %s but was registered for %s: a store never registered",
                            (unsigned long)slot, got->name[0] ? got->name : "an untracked object",
                            reg->name[0] ? reg->name : "another object");
        if (!r) return;
        lg_report_address(r, used);
        lg_report_note(r, "the slot was stored to after this registration without lg_weak_set: its new object's "
                          "end cannot clear it");
        if (got->state == LG_REFS_DEAD || got->state == LG_REFS_ZERO)
            lg_report_note(r, "%s is no longer alive", got->name);
    }
    lg_report_stack(r, "access", stack, "this use");
    lg_report_stack(r, "weak_set", w->set, same ? "the slot was registered here" : "the slot's last registration");
    if (dead->state == LG_REFS_DEAD && dead->destroy) lg_report_stack(r, "free", dead->destroy, "destroyed here");
    else if (dead->zero_put) lg_report_stack(r, "zero_put", dead->zero_put, "its count reached zero here");
    if (dead->birth_stack) lg_report_stack(r, "birth", dead->birth_stack, "born here");
    lg_report_end(r);
}

void lg_refs_weak_use(uintptr_t slot, uintptr_t obj, lg_stack_id stack)
{
    if (!slot || !obj) return;
    refs_shard *s = refs_shard_of(slot);
    refs_weak w;
    lg_lock(&s->lock);
    refs_weak *found = refs_weak_find(s, slot);
    if (found) w = *found;
    lg_unlock(&s->lock);
    if (!found || w.reported) return; /* never registered: nothing to check it against */
    obj_view reg, got;
    view_obj(w.obj, &reg);
    bool ok;
    if (obj == w.obj) {
        ok = view_is_live(&reg, w.obj_birth);
        got = reg;
    } else {
        view_obj(obj, &got);
        ok = false;
    }
    if (ok) return;
    lg_lock(&s->lock);
    found = refs_weak_find(s, slot);
    bool first = found && !found->reported && found->set == w.set;
    if (first) found->reported = 1;
    lg_unlock(&s->lock);
    if (first) report_stale(slot, &w, obj, &reg, &got, stack);
}
