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

typedef refs_view obj_view; /* one life of the object at an address (state 0: none) */

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
    refs_finding_report(&(refs_finding){.kind = LG_REF_WEAK_STALE, .stack = stack, .addr = used, .slot = slot,
                                        .weak = w, .registered = reg, .reached = got});
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
