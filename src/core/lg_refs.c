/* lg_refs.c — the reference tracker's annotations: an object's birth, its
 * gets and puts, its destruction, and the findings seen the moment they
 * happen (ref-underflow, ref-put-unheld, ref-get-after-free,
 * ref-freed-while-held, ref-growth).
 *
 * A get or put on a known, live object takes only that object's lock (the
 * object found without the shard's lock, its holder record in the
 * object's memo of its last two, its call site already recorded): two
 * threads on one object share one cache line besides their own count.
 * Anything else (a birth, a new holder or site, a count reaching zero, a
 * finding) takes the shard's lock, the one of the object's address, then
 * the object's.  Holder records are found by hash there, call sites in
 * short lists; records come from pools, so the common get/put allocates
 * nothing. */
#include "lg_refs_internal.h"

/* The get/put path's steps, inlined into each entry point: a call each
 * would cost as much as the step. */
#define REFS_HOT static inline __attribute__((always_inline))

static bool hook_installed;

/* Objects exist only after a birth, so the heap's free hook is installed by
 * the first one: a program that never annotates pays nothing on free(). */
static void install_block_hook(void)
{
    if (LG_LIKELY(__atomic_load_n(&hook_installed, __ATOMIC_ACQUIRE))) return;
    lg_on_block_freed = lg_refs_block_freed;
    __atomic_store_n(&hook_installed, true, __ATOMIC_RELEASE);
}

/* The live heap block obj lives in (its user bytes), 0 when none. */
static uintptr_t block_of(uintptr_t obj, lg_block *b)
{
    if (!lg_heap_find_live(obj, b) || obj >= b->user + b->size) return 0;
    return b->user;
}

static void mark_block(const lg_block *b)
{
    __atomic_fetch_or(&b->meta->flags, (uint8_t)LG_BLOCK_OBJECT, __ATOMIC_RELAXED);
}

void refs_flag_block(uintptr_t block, bool holds_object)
{
    lg_block b;
    if (!lg_heap_find_live(block, &b) || b.user != block) return;
    if (holds_object) mark_block(&b);
    else __atomic_fetch_and(&b.meta->flags, (uint8_t)~LG_BLOCK_OBJECT, __ATOMIC_RELAXED);
}

void refs_unmark_block(uintptr_t block)
{
    if (!refs_block_first(block)) refs_flag_block(block, false);
}

bool refs_obj_is_alive(const refs_obj *o)
{
    return o->state != LG_REFS_DEAD && (o->count > 0 || o->block != 0);
}

/* Set while every shard lock is held: gets and puts take the shard lock
 * then, and wait.  Read under an object's lock, written before every
 * object's lock is taken once (no get or put still inside one after). */
static uint32_t objects_frozen __attribute__((aligned(64)));

static void pass_object_lock(refs_obj *o, void *ctx)
{
    (void)ctx;
    lg_lock(&o->lock);
    lg_unlock(&o->lock);
}

void refs_lock_shards(void)
{
    for (uint32_t i = 0; i < REFS_SHARDS; i++) lg_lock(&refs_shards[i].lock);
    __atomic_store_n(&objects_frozen, 1, __ATOMIC_RELAXED);
    for (uint32_t i = 0; i < REFS_SHARDS; i++) refs_each_obj(&refs_shards[i], pass_object_lock, NULL);
}

void refs_unlock_shards(void)
{
    __atomic_store_n(&objects_frozen, 0, __ATOMIC_RELAXED);
    for (uint32_t i = REFS_SHARDS; i-- > 0;) lg_unlock(&refs_shards[i].lock);
}

/* ---- call sites ------------------------------------------------------------- */

/* The link that points at the holder's site of stack, or the list's
 * terminating link when it has none. */
static refs_site **site_link(refs_holder *h, lg_stack_id stack)
{
    refs_site **pp = &h->sites;
    while (*pp && (*pp)->stack != stack) pp = &(*pp)->next;
    return pp;
}

/* Full: the last site (least recently acquired) is folded into the
 * holder's other_* counts, and its record serves the new stack. */
static refs_site *fold_last_site(refs_holder *h, lg_stack_id stack)
{
    refs_site **pp = &h->sites;
    while ((*pp)->next) pp = &(*pp)->next;
    refs_site *st = *pp;
    *pp = NULL;
    h->other_gets += st->gets;
    h->other_puts += st->puts;
    h->other_live += st->live;
    lg_mem_set(st, 0, sizeof(*st));
    st->stack = stack;
    return st;
}

static void site_push(refs_holder *h, refs_site *st)
{
    st->next = h->sites;
    h->sites = st;
    st->gets++;
    st->live++;
}

/* A get from stack: its site moves to the front, so the list is ordered by
 * most recent acquisition and a put is charged to the first live site.
 * False, with nothing done, when that needs a new site record (from the
 * shard's pool: its lock). */
REFS_HOT bool site_get_known(refs_holder *h, lg_stack_id stack)
{
    refs_site **pp = site_link(h, stack), *st = *pp;
    if (st) *pp = st->next;
    else if (h->nsites >= REFS_MAX_SITES) st = fold_last_site(h, stack);
    else return false;
    site_push(h, st);
    return true;
}

static void site_get(refs_shard *s, refs_holder *h, lg_stack_id stack)
{
    if (site_get_known(h, stack)) return;
    refs_site *st = refs_site_alloc(s);
    if (!st) {
        h->other_gets++;
        h->other_live++;
        return;
    }
    st->stack = stack;
    h->nsites++;
    site_push(h, st);
}

/* Whether a put from stack needs a new site record (the shard's pool). */
REFS_HOT bool site_put_needs_record(refs_holder *h, lg_stack_id stack)
{
    return stack && h->nsites < REFS_MAX_SITES && !*site_link(h, stack);
}

/* A put: charged to the get of `exact` (a token's) when given, else to the
 * most recent outstanding get; counted at its own stack's site (appended:
 * a put-only site is the first to be folded).  Anonymous references are
 * paired with gets again at report time, by the call paths they share
 * (lg_refs_balance.c): this charge is only the first guess.  s: NULL when
 * the caller made sure no record is needed (site_put_needs_record). */
static void site_put(refs_shard *s, refs_holder *h, lg_stack_id stack, bool held, const lg_stack_id *exact)
{
    if (held) {
        refs_site *st = h->sites;
        if (exact) {
            while (st && (st->stack != *exact || st->live == 0)) st = st->next;
        } else {
            while (st && st->live == 0) st = st->next;
        }
        if (st) st->live--;
        else if (h->other_live) h->other_live--;
    }
    if (!stack) return;
    refs_site **pp = site_link(h, stack), *st = *pp;
    if (!st) {
        if (h->nsites >= REFS_MAX_SITES || !s || (st = refs_site_alloc(s)) == NULL) {
            h->other_puts++;
            return;
        }
        st->stack = stack;
        h->nsites++;
        *pp = st;
    }
    st->puts++;
}

/* ---- findings ----------------------------------------------------------------- */

/* Where o was destroyed.  A free() deep in the heap may have been captured
 * as no stack (code without unwind tables on the way): the heap itself
 * kept the free's stack in the block, as long as the slot is not reused. */
static lg_stack_id destroy_stack(const refs_obj *o)
{
    lg_block b;
    if (o->destroy || !o->block || !lg_heap_find(o->block, &b) || b.user != o->block) return o->destroy;
    uint8_t state = __atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE);
    if (b.meta->birth != o->block_birth || (state != LG_BLOCK_QUARANTINED && state != LG_BLOCK_FREE)) return 0;
    return b.meta->free_stack;
}

/* The findings' facts; lg_finding_refs.c words them. */
static void report_freed_while_held(refs_shard *s, refs_obj *o, const char *how, lg_stack_id stack, int64_t named,
                                    int64_t anon)
{
    refs_finding_report(&(refs_finding){.kind = LG_REF_FREED_WHILE_HELD, .stack = stack, .obj = o, .shard = s,
                                        .destroyed_by = how, .named = named, .anon = anon});
}

static void report_get_after_free(refs_shard *s, refs_obj *o, uintptr_t holder, lg_stack_id stack)
{
    refs_finding_report(&(refs_finding){.kind = LG_REF_GET_AFTER_FREE, .stack = stack, .obj = o, .shard = s,
                                        .holder = holder, .destroy = o->state == LG_REFS_DEAD ? destroy_stack(o) : 0});
}

static void report_underflow(refs_shard *s, refs_obj *o, uintptr_t holder, lg_stack_id stack)
{
    refs_finding_report(&(refs_finding){.kind = LG_REF_UNDERFLOW, .stack = stack, .obj = o, .shard = s,
                                        .holder = holder, .destroy = o->state == LG_REFS_DEAD ? destroy_stack(o) : 0});
}

static void report_put_unheld(refs_shard *s, refs_obj *o, const refs_holder *h, uintptr_t holder,
                              lg_stack_id stack, bool moved)
{
    refs_finding_report(&(refs_finding){.kind = LG_REF_PUT_UNHELD, .stack = stack, .obj = o, .shard = s,
                                        .holder = holder, .record = h, .moved = moved});
}

static void report_put_after_free(refs_shard *s, refs_obj *o, uintptr_t holder, lg_stack_id stack)
{
    refs_finding_report(&(refs_finding){.kind = LG_REF_PUT_AFTER_FREE, .stack = stack, .obj = o, .shard = s,
                                        .holder = holder, .destroy = destroy_stack(o)});
}

static void report_growth(refs_shard *s, refs_obj *o, lg_stack_id stack)
{
    refs_finding_report(&(refs_finding){.kind = LG_REF_GROWTH, .stack = stack, .obj = o, .shard = s});
}

/* ---- destruction ---------------------------------------------------------------- */

/* Only references beyond the destroyer's own count as "still held": the
 * destroyer is taken to own one anonymous reference (the creator's, for an
 * object destroyed without a put), so a destroy is reported when a named
 * holder still holds a reference or more than one anonymous one remains. */
void refs_destroy(refs_shard *s, refs_obj *o, lg_stack_id stack, const char *how)
{
    if (o->state == LG_REFS_DEAD) return;
    int64_t named = 0, anon = 0;
    for (const refs_holder *h = o->holders; h; h = h->next) {
        if (h->count <= 0) continue;
        if (h->holder) named += h->count;
        else anon += h->count;
    }
    if (o->state == LG_REFS_ALIVE) s->alive--;
    o->state = LG_REFS_DEAD;
    o->destroy = stack;
    if (named > 0 || anon > 1) report_freed_while_held(s, o, how, stack, named, anon);
    refs_grave_push(s, o);
}

/* ---- the annotations -------------------------------------------------------------- */

/* The live heap block an object born at addr lives in (0: none), flagged
 * as holding an object, and that block's birth. */
static uintptr_t home_block(uintptr_t addr, uint64_t *block_birth)
{
    install_block_hook();
    lg_block b;
    uintptr_t block = block_of(addr, &b);
    *block_birth = 0;
    if (block) {
        mark_block(&b);
        *block_birth = b.meta->birth;
    }
    return block;
}

/* A new object at addr, locked (its lock), or NULL. */
static refs_obj *birth(refs_shard *s, uintptr_t addr, const refs_type *type, lg_stack_id stack, uintptr_t block,
                       uint64_t block_birth)
{
    refs_obj *o = refs_obj_add(s, addr);
    if (!o) return NULL;
    o->type = type;
    o->id = __atomic_add_fetch(&((refs_type *)type)->next_id, 1, __ATOMIC_RELAXED);
    o->birth = lg_birth_next();
    o->birth_stack = stack;
    o->state = LG_REFS_ALIVE;
    o->block = block;
    o->block_birth = block_birth;
    if (block) refs_block_add(block, addr);
    s->born++;
    s->alive++;
    return o;
}

/* holder takes one more reference to its object at stack. */
REFS_HOT void holder_get(refs_shard *s, refs_holder *h, lg_stack_id stack)
{
    h->count++;
    h->gets++;
    h->last_get = stack;
    if (stack) site_get(s, h, stack);
}

/* The object at addr with its lock taken, under the shard's lock. */
REFS_HOT refs_obj *find_locked(refs_shard *s, uintptr_t addr, uint64_t hash)
{
    refs_obj *o = refs_obj_lookup(s, addr, hash);
    refs_obj_lock(o);
    return o;
}

void lg_refs_new(uintptr_t addr, const char *type_name, lg_stack_id stack)
{
    if (!addr) return;
    uint64_t block_birth;
    uintptr_t block = home_block(addr, &block_birth);
    const refs_type *type = refs_type_intern(type_name);
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    refs_obj *o = find_locked(s, addr, refs_mix(addr));
    if (o) {
        /* A new life at the address of an old one: the old one ends here
         * (if its memory was not freed, which ended it already).  Its
         * block keeps its flag: the new object has just set it. */
        if (o->state != LG_REFS_DEAD) {
            uintptr_t old_block = o->block;
            refs_destroy(s, o, stack, "a new object was born at its address");
            if (old_block) refs_block_remove(old_block, addr);
        }
        refs_obj_remove(s, o);
    }
    o = birth(s, addr, type, stack, block, block_birth);
    if (o) {
        o->count = 1;
        refs_holder *h = refs_holder_add(s, o, 0); /* the creator's, anonymous */
        if (h) holder_get(s, h, stack);
    }
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

/* A get on an address never born is taken as the birth of an object of
 * type "object" with no reference of its own: counting starts there. */
static refs_obj *birth_implicit(refs_shard *s, uintptr_t addr, lg_stack_id stack)
{
    uint64_t block_birth;
    uintptr_t block = home_block(addr, &block_birth);
    refs_obj *o = birth(s, addr, refs_implicit_type, stack, block, block_birth);
    if (o) o->flags |= OBJ_IMPLICIT;
    return o;
}

/* A destroyed object whose heap block was freed and whose address now lies
 * in a newer block: that memory holds something else now, and the record
 * is forgotten rather than blamed for it (and its lock released). */
static bool memory_reused_slow(refs_shard *s, refs_obj *o)
{
    lg_block b;
    if (!block_of(o->addr, &b) || b.meta->birth == o->block_birth) return false;
    refs_obj_remove(s, o);
    return true;
}

REFS_HOT bool memory_reused(refs_shard *s, refs_obj *o)
{
    return LG_UNLIKELY(o->state == LG_REFS_DEAD && o->block) && memory_reused_slow(s, o);
}

/* A get on an object whose count reached zero or that was destroyed:
 * reported once; a count back from zero brings it back to life, as the
 * program has it. */
static void get_on_released(refs_shard *s, refs_obj *o, uintptr_t holder, lg_stack_id stack)
{
    if (!(o->flags & OBJ_GAF_SEEN)) {
        o->flags |= OBJ_GAF_SEEN;
        report_get_after_free(s, o, holder, stack);
    }
    if (o->state == LG_REFS_ZERO) {
        o->state = LG_REFS_ALIVE;
        refs_grave_cancel(o);
        s->alive++;
    }
}

/* ---- the path of one object's lock ------------------------------------------------ */

/* An object's lock on the get/put path.  Two threads on one object wait
 * for each other here: the waiter reads the lock (its state is 0 when
 * free, on every platform: it is statically initialised to zero) and tries
 * to take it only when it looks free, so that the holder keeps the
 * object's line for its writes instead of losing it to each attempt. */
REFS_HOT void lock_object(refs_obj *o)
{
    if (LG_LIKELY(lg_trylock(&o->lock))) return;
    for (uint32_t spin = 0; spin < 128; spin++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (__atomic_load_n(&o->lock.state, __ATOMIC_RELAXED) == 0 && lg_trylock(&o->lock)) return;
    }
    lg_lock(&o->lock);
}

REFS_HOT bool entered(const refs_obj *o, uintptr_t addr)
{
    return o->linked && o->addr == addr && o->state == LG_REFS_ALIVE &&
           !__atomic_load_n(&objects_frozen, __ATOMIC_RELAXED);
}

/* The live object at addr with its lock taken, found without the shard's
 * lock; NULL: the shard's path.  The first record of the chain, usually
 * the one, is locked before its address is read: the line that another
 * thread wrote last comes over once, for writing, not once to be read
 * and again to be written. */
REFS_HOT refs_obj *enter_object(refs_shard *s, uintptr_t addr, uint64_t hash)
{
    refs_obj *o = refs_obj_peek_head(s, hash);
    if (LG_UNLIKELY(!o)) return NULL;
    lock_object(o);
    if (LG_LIKELY(entered(o, addr))) return o;
    lg_unlock(&o->lock);
    if (!(o = refs_obj_peek(s, addr, hash))) return NULL;
    lock_object(o);
    if (entered(o, addr)) return o;
    lg_unlock(&o->lock);
    return NULL;
}

/* holder's record among the object's last two. */
REFS_HOT refs_holder *memo_holder(const refs_obj *o, uintptr_t holder)
{
    for (uint32_t i = 0; i < REFS_MEMO; i++)
        if (o->memo_holder[i] == holder && o->memo[i]) return o->memo[i];
    return NULL;
}

/* A get by h under the object's lock alone: false, with nothing done,
 * when it needs the shard (a holder not in the memo, a new site, the
 * growth limit crossed). */
REFS_HOT bool get_quick(refs_obj *o, refs_holder *h, lg_stack_id stack)
{
    uint64_t limit = lg_opt.ref_growth_limit;
    if (LG_UNLIKELY(!h || (limit && (uint64_t)o->count >= limit))) return false;
    if (stack && !site_get_known(h, stack)) return false;
    if (h->count == 0) o->nidle--; /* an idle holder holds again */
    h->count++;
    h->gets++;
    h->last_get = stack;
    h->get_calls++;
    o->count++;
    return true;
}

/* Whether h holds token, which it hands back: its get's stack in *got.
 * False when h was never given it or handed it back already. */
static bool take_token(refs_holder *h, uint64_t token, lg_stack_id *got)
{
    if (!h) return false;
    if (LG_LIKELY(token == h->slot_token)) {
        *got = h->slot_stack;
        h->slot_token = 0;
        return true;
    }
    for (refs_token **pp = &h->tokens; *pp; pp = &(*pp)->next) {
        refs_token *t = *pp;
        if (t->token != token) continue;
        *pp = t->next;
        *got = t->stack;
        t->next = h->spare_tokens; /* for its next token */
        h->spare_tokens = t;
        return true;
    }
    return false;
}

/* A put by h (token: 0, or one of its own) under the object's lock alone:
 * false, with nothing done, when it needs the shard (a holder that does
 * not hold, a token it does not hold, a count reaching zero, a new site,
 * an idle holder to forget). */
REFS_HOT bool put_quick(refs_obj *o, refs_holder *h, lg_stack_id stack, uint64_t token)
{
    if (LG_UNLIKELY(!h || h->count <= 0 || o->count <= 1)) return false;
    if (LG_UNLIKELY(h->count == 1 && o->nidle >= REFS_IDLE_HOLDERS)) return false;
    if (site_put_needs_record(h, stack)) return false;
    lg_stack_id got = 0;
    if (LG_UNLIKELY(token) && !take_token(h, token, &got)) return false; /* handed back twice: the shard's path reports it */
    h->puts++;
    h->last_put = stack;
    h->count--;
    h->put_calls++;
    if (stack || h->sites || h->other_live) site_put(NULL, h, stack, true, token ? &got : NULL);
    if (h->count == 0) o->nidle++;
    o->count--;
    o->last_put = stack;
    return true;
}

/* The whole get or put when the object's lock alone serves it at the
 * first try (the object first in its chain, its lock free, the holder in
 * its memo, the site known), else `otherwise` (lg_refs_get or lg_refs_put
 * inside the runtime's bookkeeping), called with the same arguments.
 * Nothing is read before an object was born, so the runtime calls these
 * first: an address where no object was ever born (0 among them) never
 * enters.  Without a stack the path makes no call but tail calls, so it
 * keeps no register of its caller's (a waiter to wake: unlock_then); with
 * one, its site is counted as well (the _sited twins). */
static __attribute__((noinline)) void unlock_then(refs_obj *o, bool done, uintptr_t addr, uintptr_t holder,
                                                  lg_refs_op otherwise)
{
    lg_unlock(&o->lock);
    if (!done) otherwise(addr, holder, 0);
}

static __attribute__((noinline)) void get_or_sited(uintptr_t addr, uintptr_t holder, lg_stack_id stack,
                                                   lg_refs_op otherwise)
{
    uint64_t hash = refs_mix(addr);
    refs_obj *o = refs_obj_peek_head(refs_shard_at(hash), hash);
    if (LG_LIKELY(o && lg_trylock_inline(&o->lock))) {
        bool done = entered(o, addr) && get_quick(o, memo_holder(o, holder), stack);
        lg_unlock(&o->lock);
        if (LG_LIKELY(done)) return;
    }
    otherwise(addr, holder, stack);
}

void lg_refs_get_or(uintptr_t addr, uintptr_t holder, lg_stack_id stack, lg_refs_op otherwise)
{
    if (stack) {
        get_or_sited(addr, holder, stack, otherwise);
        return;
    }
    uint64_t hash = refs_mix(addr);
    refs_obj *o = refs_obj_peek_head(refs_shard_at(hash), hash);
    if (LG_LIKELY(o && lg_trylock_inline(&o->lock))) {
        bool done = entered(o, addr) && get_quick(o, memo_holder(o, holder), 0);
        if (LG_UNLIKELY(!lg_unlock_fast(&o->lock))) {
            unlock_then(o, done, addr, holder, otherwise);
            return;
        }
        if (LG_LIKELY(done)) return;
    }
    otherwise(addr, holder, 0);
}

static __attribute__((noinline)) void put_or_sited(uintptr_t addr, uintptr_t holder, lg_stack_id stack,
                                                   lg_refs_op otherwise)
{
    uint64_t hash = refs_mix(addr);
    refs_obj *o = refs_obj_peek_head(refs_shard_at(hash), hash);
    if (LG_LIKELY(o && lg_trylock_inline(&o->lock))) {
        bool done = entered(o, addr) && put_quick(o, memo_holder(o, holder), stack, 0);
        lg_unlock(&o->lock);
        if (LG_LIKELY(done)) return;
    }
    otherwise(addr, holder, stack);
}

/* A holder with sites (from calls that had a stack) is the sited path's. */
void lg_refs_put_or(uintptr_t addr, uintptr_t holder, lg_stack_id stack, lg_refs_op otherwise)
{
    if (stack) {
        put_or_sited(addr, holder, stack, otherwise);
        return;
    }
    uint64_t hash = refs_mix(addr);
    refs_obj *o = refs_obj_peek_head(refs_shard_at(hash), hash);
    if (LG_LIKELY(o && lg_trylock_inline(&o->lock))) {
        refs_holder *h = entered(o, addr) ? memo_holder(o, holder) : NULL;
        bool done = h && !h->sites && !h->other_live && put_quick(o, h, 0, 0);
        if (LG_UNLIKELY(!lg_unlock_fast(&o->lock))) {
            unlock_then(o, done, addr, holder, otherwise);
            return;
        }
        if (LG_LIKELY(done)) return;
    }
    otherwise(addr, holder, 0);
}

/* ---- the shard's path -------------------------------------------------------------- */

enum get_kind { GET_PLAIN, GET_TOKEN, GET_PROVEN_LIVE };

/* A get, under the shard's lock (hash: the address's); returns holder's
 * record (NULL: none) and in *locked the object, whose lock it took (the
 * caller releases it). */
REFS_HOT refs_holder *get_locked(refs_shard *s, uintptr_t addr, uint64_t hash, uintptr_t holder,
                                 lg_stack_id stack, enum get_kind kind, refs_obj **locked)
{
    refs_obj *o = find_locked(s, addr, hash);
    if (LG_UNLIKELY(o && memory_reused(s, o))) o = NULL;
    if (LG_UNLIKELY(!o)) {
        o = birth_implicit(s, addr, stack);
        *locked = o;
        if (!o) {
            s->gets++;
            return NULL;
        }
    } else if (LG_UNLIKELY(o->state != LG_REFS_ALIVE)) {
        if (kind == GET_PROVEN_LIVE && o->state == LG_REFS_ZERO) { /* raced with the final put: fine */
            o->state = LG_REFS_ALIVE;
            refs_grave_cancel(o);
            s->alive++;
        } else {
            get_on_released(s, o, holder, stack);
        }
    }
    *locked = o;
    refs_holder *h = refs_holder_of(s, o, holder);
    if (LG_UNLIKELY(!h)) h = refs_holder_add(s, o, holder);
    else if (h->count == 0) o->nidle--; /* an idle holder holds again */
    if (LG_LIKELY(h != NULL)) {
        holder_get(s, h, stack);
        h->get_calls++;
    } else {
        s->gets++;
    }
    o->count++;
    uint64_t limit = lg_opt.ref_growth_limit;
    if (LG_UNLIKELY(limit && (uint64_t)o->count > limit) && !(o->flags & OBJ_GROWTH_SEEN)) {
        o->flags |= OBJ_GROWTH_SEEN;
        report_growth(s, o, stack);
    }
    return h;
}

static void get_slow(refs_shard *s, uintptr_t addr, uint64_t hash, uintptr_t holder, lg_stack_id stack,
                     enum get_kind kind)
{
    refs_obj *o;
    lg_lock(&s->lock);
    get_locked(s, addr, hash, holder, stack, kind, &o);
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

/* A get by the object's lock alone when it can be, else the shard's path
 * as kind says.  Inlined into both entry points: the hot path keeps one
 * call level and kind a constant. */
__attribute__((always_inline)) static inline void get_as(uintptr_t addr, uintptr_t holder, lg_stack_id stack, enum get_kind kind)
{
    if (!addr) return;
    uint64_t hash = refs_mix(addr);
    refs_shard *s = refs_shard_at(hash);
    refs_obj *o = enter_object(s, addr, hash);
    if (LG_LIKELY(o != NULL)) {
        bool done = get_quick(o, memo_holder(o, holder), stack);
        lg_unlock(&o->lock);
        if (LG_LIKELY(done)) return;
    }
    get_slow(s, addr, hash, holder, stack, kind);
}

void lg_refs_get(uintptr_t addr, uintptr_t holder, lg_stack_id stack)
{
    get_as(addr, holder, stack, GET_PLAIN);
}

/* Only a live object takes the object's path: one the program proved
 * live after its count reached zero is the shard's. */
void lg_refs_get_unless_zero(uintptr_t addr, uintptr_t holder, lg_stack_id stack)
{
    get_as(addr, holder, stack, GET_PROVEN_LIVE);
}

/* A token of h's for the get just made at stack: in h's slot when it is
 * free, else in record t (NULL: none to be had, no token). */
REFS_HOT uint64_t give_token(refs_holder *h, refs_token *t, lg_stack_id stack)
{
    uint64_t token = h->next_token++;
    h->tokens_used = 1;
    if (LG_LIKELY(!h->slot_token)) {
        h->slot_token = token;
        h->slot_stack = stack;
        return token;
    }
    if (!t) return 0;
    t->token = token;
    t->stack = stack;
    t->next = h->tokens;
    h->tokens = t;
    return token;
}

/* Tokens are unique among a holder record's: each record numbers its own
 * in a block of the shard's (a token of another record, or of a forgotten
 * record of the same holder, is never one of its own). */
uint64_t lg_refs_get_token(uintptr_t addr, uintptr_t holder, lg_stack_id stack)
{
    if (!addr) return 0;
    uint64_t hash = refs_mix(addr), token = 0;
    refs_shard *s = refs_shard_at(hash);
    refs_obj *o = enter_object(s, addr, hash);
    if (LG_LIKELY(o != NULL)) {
        refs_holder *h = memo_holder(o, holder);
        /* The slot free or a record a put handed back, and a block begun:
         * the object's lock suffices. */
        if (h && h->next_token && (!h->slot_token || h->spare_tokens) && get_quick(o, h, stack)) {
            refs_token *t = NULL;
            if (h->slot_token) {
                t = h->spare_tokens;
                h->spare_tokens = t->next;
            }
            token = give_token(h, t, stack);
        }
        lg_unlock(&o->lock);
        if (LG_LIKELY(token)) return token;
    }
    lg_lock(&s->lock);
    refs_holder *h = get_locked(s, addr, hash, holder, stack, GET_TOKEN, &o);
    if (h) {
        refs_token *t = NULL;
        if (h->slot_token && (t = h->spare_tokens) != NULL) h->spare_tokens = t->next;
        else if (h->slot_token) t = refs_token_alloc(s);
        if (!h->next_token) h->next_token = (++s->token_blocks << 32) | 1;
        token = give_token(h, t, stack);
    }
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
    return token;
}

/* h drops a reference to o at stack (held: one it holds; exact: the
 * stack of the get it hands back, from its token). */
REFS_HOT void holder_put(refs_shard *s, refs_obj *o, refs_holder *h, lg_stack_id stack, bool held,
                         const lg_stack_id *exact)
{
    h->puts++;
    h->last_put = stack;
    if (held) h->count--;
    /* With stacks=0 a holder has no sites (nothing to charge). */
    if (stack || (held && (h->sites || h->other_live))) site_put(s, h, stack, held, exact);
    if (held && h->count == 0 && ++o->nidle > REFS_IDLE_HOLDERS) {
        /* Many holders come and go: forget this one (a double put by it
         * is still caught, without its previous put's stack). */
        o->nidle--;
        refs_holder_remove(s, o, h);
    }
}

/* A put (token: 0, or the one lg_ref_get_token returned), under the
 * shard's lock; returns the object, whose lock it took (NULL: none). */
REFS_HOT refs_obj *put_locked(refs_shard *s, uintptr_t addr, uint64_t hash, uintptr_t holder, lg_stack_id stack,
                              uint64_t token)
{
    refs_obj *o = find_locked(s, addr, hash);
    if (LG_UNLIKELY(o && memory_reused(s, o))) o = NULL;
    if (LG_UNLIKELY(!o)) { /* never seen, or long dead: nothing to check it against */
        s->unknown_puts++;
        return NULL;
    }
    refs_holder *h = refs_holder_of(s, o, holder);
    if (h) h->put_calls++;
    else s->puts++;
    if (LG_UNLIKELY(o->count <= 0)) {
        report_underflow(s, o, holder, stack);
        if (h) {
            h->puts++;
            h->last_put = stack;
        }
        return o;
    }
    if (LG_UNLIKELY(o->state == LG_REFS_DEAD) && !(o->flags & OBJ_PAF_SEEN)) {
        o->flags |= OBJ_PAF_SEEN;
        report_put_after_free(s, o, holder, stack);
    }
    bool held = h && h->count > 0;
    lg_stack_id got = 0;
    if (LG_UNLIKELY(token) && !take_token(h, token, &got))
        held = false; /* a token handed back twice: a double put, whatever else it holds */
    if (LG_UNLIKELY(!held)) report_put_unheld(s, o, h, holder, stack, false);
    if (LG_LIKELY(h != NULL)) holder_put(s, o, h, stack, held, token && held ? &got : NULL);
    /* The count follows the program's, even through a bad put. */
    o->count--;
    o->last_put = stack;
    if (o->count == 0) {
        o->zero_put = stack;
        if (o->state == LG_REFS_ALIVE) {
            o->state = LG_REFS_ZERO;
            s->alive--;
            refs_grave_push(s, o);
        }
    }
    return o;
}

void lg_refs_put(uintptr_t addr, uintptr_t holder, lg_stack_id stack)
{
    if (!addr) return;
    uint64_t hash = refs_mix(addr);
    refs_shard *s = refs_shard_at(hash);
    refs_obj *o = enter_object(s, addr, hash);
    if (LG_LIKELY(o != NULL)) {
        bool done = put_quick(o, memo_holder(o, holder), stack, 0);
        lg_unlock(&o->lock);
        if (LG_LIKELY(done)) return;
    }
    lg_lock(&s->lock);
    o = put_locked(s, addr, hash, holder, stack, 0);
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

void lg_refs_put_token(uintptr_t addr, uintptr_t holder, uint64_t token, lg_stack_id stack)
{
    if (!addr) return;
    uint64_t hash = refs_mix(addr);
    refs_shard *s = refs_shard_at(hash);
    refs_obj *o = enter_object(s, addr, hash);
    if (LG_LIKELY(o != NULL)) {
        bool done = put_quick(o, memo_holder(o, holder), stack, token);
        lg_unlock(&o->lock);
        if (LG_LIKELY(done)) return;
    }
    lg_lock(&s->lock);
    o = put_locked(s, addr, hash, holder, stack, token);
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

/* A token's get when the object's lock serves it at the first try and h's
 * slot is free (the shape of get_or_sited: a waiter goes the long way). */
uint64_t lg_refs_get_token_or(uintptr_t addr, uintptr_t holder, lg_stack_id stack, lg_refs_get_token_op otherwise)
{
    uint64_t hash = refs_mix(addr), token = 0;
    refs_obj *o = refs_obj_peek_head(refs_shard_at(hash), hash);
    if (LG_LIKELY(o && lg_trylock_inline(&o->lock))) {
        refs_holder *h = entered(o, addr) ? memo_holder(o, holder) : NULL;
        if (h && h->next_token && !h->slot_token && get_quick(o, h, stack)) token = give_token(h, NULL, stack);
        lg_unlock(&o->lock);
        if (LG_LIKELY(token)) return token;
    }
    return otherwise(addr, holder, stack);
}

void lg_refs_put_token_or(uintptr_t addr, uintptr_t holder, uint64_t token, lg_stack_id stack,
                          lg_refs_put_token_op otherwise)
{
    uint64_t hash = refs_mix(addr);
    refs_obj *o = refs_obj_peek_head(refs_shard_at(hash), hash);
    if (LG_LIKELY(o && lg_trylock_inline(&o->lock))) {
        bool done = entered(o, addr) && put_quick(o, memo_holder(o, holder), stack, token);
        lg_unlock(&o->lock);
        if (LG_LIKELY(done)) return;
    }
    otherwise(addr, holder, token, stack);
}

/* The reference `from` holds now belongs to `to`: a put by one and a get
 * by the other at the same stack, the count unchanged. */
void lg_refs_move(uintptr_t addr, uintptr_t from, uintptr_t to, lg_stack_id stack)
{
    if (!addr || from == to) return;
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    refs_obj *o = find_locked(s, addr, refs_mix(addr));
    if (o && memory_reused(s, o)) o = NULL;
    if (!o) goto out; /* unknown: nothing to move */
    refs_holder *hf = refs_holder_of(s, o, from);
    if (!hf || hf->count <= 0) {
        report_put_unheld(s, o, hf, from, stack, true);
        goto out;
    }
    refs_holder *ht = refs_holder_of(s, o, to);
    if (!ht) ht = refs_holder_add(s, o, to);
    else if (ht->count == 0) o->nidle--;
    if (!ht) goto out; /* out of memory: leave it with `from` */
    holder_put(s, o, hf, stack, true, NULL); /* may forget hf: an idle holder */
    holder_get(s, ht, stack);
out:
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

/* The label is written and read under the shard's lock only. */
void lg_refs_name(uintptr_t addr, const char *text)
{
    if (!addr || !text) return;
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    refs_obj *o = refs_obj_find(s, addr);
    if (o && o->state != LG_REFS_DEAD) {
        size_t n = 0;
        while (text[n] && n < REFS_LABEL - 1) n++;
        lg_mem_copy(o->label, text, n);
        o->label[n] = 0;
    }
    lg_unlock(&s->lock);
}

void lg_refs_saturated(uintptr_t addr, int why, lg_stack_id stack)
{
    if (!addr) return;
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    refs_obj *o = find_locked(s, addr, refs_mix(addr));
    if (!o || !(o->flags & OBJ_SAT_SEEN)) {
        if (o) o->flags |= OBJ_SAT_SEEN;
        refs_finding_report(&(refs_finding){.kind = LG_REF_SATURATED, .stack = stack, .obj = o, .addr = addr,
                                            .shard = s, .saturation = why});
    }
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

void lg_refs_free(uintptr_t addr, lg_stack_id stack)
{
    if (!addr) return;
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    refs_obj *o = find_locked(s, addr, refs_mix(addr));
    /* Unknown objects are not checked; a second destroy (lg_object_free,
     * then free()) is the normal pattern, not a finding. */
    if (o && o->state != LG_REFS_DEAD) {
        uintptr_t block = o->block;
        refs_destroy(s, o, stack, "lg_object_free");
        if (block) {
            refs_block_remove(block, addr);
            refs_unmark_block(block);
        }
    }
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}

static void destroy_with_block(uintptr_t addr, uintptr_t block, lg_stack_id stack)
{
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    refs_obj *o = find_locked(s, addr, refs_mix(addr));
    if (o && o->block == block && o->state != LG_REFS_DEAD) refs_destroy(s, o, stack, "its heap block was freed");
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
}
void lg_refs_block_freed(uintptr_t user, size_t size)
{
    if (LG_LIKELY(!refs_block_any())) return;
    /* The block's own flag says whether an object was born in it: most
     * frees need no lock here. */
    lg_block b;
    if (lg_heap_find(user, &b) && !(__atomic_load_n(&b.meta->flags, __ATOMIC_RELAXED) & LG_BLOCK_OBJECT)) return;
    uintptr_t objs[16];
    lg_stack_id stack = 0;
    bool captured = false;
    size_t n;
    while ((n = refs_block_take(user, objs, LG_ARRAY_LEN(objs))) != 0) {
        if (!captured) { /* once, and only for a block that held objects */
            stack = lg_capture_stack ? lg_capture_stack() : 0;
            captured = true;
        }
        for (size_t i = 0; i < n; i++)
            if (objs[i] >= user && objs[i] < user + size) destroy_with_block(objs[i], user, stack);
    }
}

uint64_t lg_refs_checkpoint(void)
{
    return lg_birth_now();
}

/* ---- introspection ------------------------------------------------------------------ */

bool lg_refs_query(uintptr_t addr, uintptr_t holder, lg_refs_info *out)
{
    lg_mem_set(out, 0, sizeof(*out));
    refs_shard *s = refs_shard_of(addr);
    lg_lock(&s->lock);
    refs_obj *o = find_locked(s, addr, refs_mix(addr));
    if (o) {
        out->state = (enum lg_refs_state)o->state;
        out->count = o->count;
        out->id = o->id;
        lg_mem_copy(out->type, o->type->name, o->type->len + 1);
        for (const refs_holder *h = o->holders; h; h = h->next) {
            if (h->count > 0) out->holders++;
            if (h->holder != holder) continue;
            out->holder_count = h->count;
            out->holder_gets = h->gets;
            out->holder_puts = h->puts;
        }
    }
    refs_obj_unlock(o);
    lg_unlock(&s->lock);
    return o != NULL;
}

/* The calls counted in the holder records of one object (under its lock). */
static void add_calls(refs_obj *o, void *ctx)
{
    lg_refs_stats *out = ctx;
    lg_lock(&o->lock);
    for (const refs_holder *h = o->holders; h; h = h->next) {
        out->gets += h->get_calls;
        out->puts += h->put_calls;
    }
    lg_unlock(&o->lock);
}

void lg_refs_get_stats(lg_refs_stats *out)
{
    lg_mem_set(out, 0, sizeof(*out));
    for (uint32_t i = 0; i < REFS_SHARDS; i++) {
        refs_shard *s = &refs_shards[i];
        lg_lock(&s->lock);
        out->objects_born += s->born;
        out->objects_alive += s->alive;
        out->objects_remembered += s->nobjs;
        out->gets += s->gets;
        out->puts += s->puts;
        out->unknown_puts += s->unknown_puts;
        refs_each_obj(s, add_calls, out);
        lg_unlock(&s->lock);
    }
    out->bytes_mapped = refs_bytes_mapped();
}

void lg_refs_reset(void)
{
    for (uint32_t i = 0; i < REFS_SHARDS; i++) {
        lg_lock(&refs_shards[i].lock);
        refs_shard_reset(&refs_shards[i]);
        lg_unlock(&refs_shards[i].lock);
    }
    refs_block_reset();
}

void lg_refs_lock_all(void)
{
    refs_type_lock();
    refs_lock_shards();
    refs_block_lock_all();
}

void lg_refs_unlock_all(void)
{
    refs_block_unlock_all();
    refs_unlock_shards();
    refs_type_unlock();
}

uint64_t refs_fork_birth;

static void reset_object_lock(refs_obj *o, void *ctx)
{
    (void)ctx;
    o->lock = (lg_lock_t)LG_LOCK_INIT;
}

/* A thread of the parent that found the shards frozen may have held an
 * object's lock at the fork, a record in use or a free one: the child's
 * one thread holds none. */
void lg_refs_after_fork_child(void)
{
    refs_causes_forget();
    refs_fork_birth = lg_birth_now();
    for (uint32_t i = 0; i < REFS_SHARDS; i++) {
        refs_each_obj(&refs_shards[i], reset_object_lock, NULL);
        for (refs_obj *o = refs_shards[i].free_objs; o; o = *(refs_obj **)o) reset_object_lock(o, NULL);
    }
    lg_refs_unlock_all();
}
