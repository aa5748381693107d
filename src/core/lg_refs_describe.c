/* lg_refs_describe.c — an object and its holders, written into a finding.
 *
 * Objects are named "Task#3" (type and birth order within the type).  A
 * holder is named as the tracked object it is (or lives inside), else by
 * address and what memory it is in.  Outstanding references are listed
 * one entry per named holder and, for anonymous ones, one entry per
 * acquisition stack, each with how often its sites acquired and released. */
#include "lg_refs_internal.h"
#include "lg_suppress.h"

const char *refs_name(const refs_obj *o, char *buf, size_t cap)
{
    lg_buf b;
    lg_buf_init(&b, buf, cap);
    lg_buf_printf(&b, "%s#%llu", o->type->name, (unsigned long long)o->id);
    if (o->label[0]) lg_buf_printf(&b, " \"%s\"", o->label);
    return lg_buf_cstr(&b);
}

/* ---- refcount helpers ----------------------------------------------------------- */

#define HELPERS_MAX 128u
#define HELPER_NAME 64u

/* Marked helpers: an entry is written, then published by the count. */
static char helper_names[HELPERS_MAX][HELPER_NAME];
static uint32_t helper_count;
static lg_lock_t helper_lock = LG_LOCK_INIT;
static bool helper_option_read;

void refs_helper_add(const char *name, size_t len)
{
    if (!len || len >= HELPER_NAME) return;
    lg_lock(&helper_lock);
    uint32_t n = helper_count;
    bool known = false;
    for (uint32_t i = 0; i < n && !known; i++)
        known = lg_str_len(helper_names[i]) == len && lg_mem_cmp(helper_names[i], name, len) == 0;
    if (!known && n < HELPERS_MAX) {
        lg_mem_copy(helper_names[n], name, len);
        helper_names[n][len] = 0;
        __atomic_store_n(&helper_count, n + 1, __ATOMIC_RELEASE);
    }
    lg_unlock(&helper_lock);
}

void lg_refs_helper(const char *function)
{
    if (function) refs_helper_add(function, lg_str_len(function));
}

/* The ref_helpers option ("dget,dput,iput"), read at the first report. */
static void read_helper_option(void)
{
    if (__atomic_load_n(&helper_option_read, __ATOMIC_ACQUIRE)) return;
    const char *p = lg_opt.ref_helpers;
    while (*p) {
        size_t n = 0;
        while (p[n] && p[n] != ',') n++;
        refs_helper_add(p, n);
        p += n;
        if (*p == ',') p++;
    }
    __atomic_store_n(&helper_option_read, true, __ATOMIC_RELEASE);
}

static bool is_marked_helper(const char *fn, size_t n)
{
    read_helper_option();
    uint32_t count = __atomic_load_n(&helper_count, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < count; i++)
        if (lg_str_len(helper_names[i]) == n && lg_mem_cmp(helper_names[i], fn, n) == 0) return true;
    return false;
}

/* ---- function names without clone suffixes ------------------------------------ */

#define CLEAN_SLOTS 256u

static struct clean_name {
    const char *raw;
    char name[HELPER_NAME];
} clean_names[CLEAN_SLOTS];
static lg_lock_t clean_lock = LG_LOCK_INIT;

const char *refs_clean_function(const char *fn)
{
    size_t n = lg_str_len(fn), base = lg_fn_base_len(fn, n);
    if (base == n || base == 0 || base >= HELPER_NAME) return fn;
    uint32_t h = (uint32_t)(refs_mix((uintptr_t)fn) & (CLEAN_SLOTS - 1));
    const char *out = fn;
    lg_lock(&clean_lock);
    for (uint32_t i = 0; i < CLEAN_SLOTS; i++) {
        struct clean_name *c = &clean_names[(h + i) & (CLEAN_SLOTS - 1)];
        if (c->raw == fn) {
            out = c->name;
            break;
        }
        if (!c->raw) { /* symbol names live as long as their module: keyed by pointer */
            lg_mem_copy(c->name, fn, base);
            c->name[base] = 0;
            c->raw = fn;
            out = c->name;
            break;
        }
    }
    lg_unlock(&clean_lock);
    return out;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ends_with_nocase(const char *fn, size_t n, const char *suffix)
{
    size_t k = lg_str_len(suffix);
    if (n <= k) return false;
    for (size_t i = 0; i < k; i++)
        if (lower(fn[n - k + i]) != suffix[i]) return false;
    return true;
}

static bool contains(const char *fn, size_t n, const char *part)
{
    size_t k = lg_str_len(part);
    for (size_t i = 0; i + k <= n; i++)
        if (lg_mem_cmp(fn + i, part, k) == 0) return true;
    return false;
}

/* Refcount helpers (task_get, kref_put, dput, Py_DECREF ...) would name
 * every site alike: a site is named by the first frame that is not one.
 * A helper is a function marked so (lg_refcount_helper, ref_helpers=), or
 * named like one: *_get, *_put ... (any case), get and put with a prefix
 * of at most two letters (dget, iput, fget, igrab), *_get_* and *_put_*
 * (blk_get_queue), *incref and *decref; leading underscores do not count
 * (__iget), nor do the compiler's clone suffixes. */
static bool is_helper_name(const char *raw)
{
    static const char *const prefixes[] = {"lg_ref", "lg_object", "lg__", "lg_weak"};
    static const char *const suffixes[] = {"_get", "_put", "_ref", "_unref", "_hold", "_rele", "_grab", "_drop",
                                           "_inc", "_dec", "_retain", "_release_ref", "incref", "decref"};
    static const char *const short_verbs[] = {"get", "put", "grab", "hold"};
    static const char *const infixes[] = {"_get_", "_put_"};
    size_t n = lg_fn_base_len(raw, lg_str_len(raw));
    if (is_marked_helper(raw, n)) return true;
    for (size_t i = 0; i < LG_ARRAY_LEN(prefixes); i++) {
        size_t k = lg_str_len(prefixes[i]);
        if (n >= k && lg_mem_cmp(raw, prefixes[i], k) == 0) return true;
    }
    const char *fn = raw;
    while (n > 1 && fn[0] == '_') fn++, n--;
    if (fn != raw && is_marked_helper(fn, n)) return true;
    for (size_t i = 0; i < LG_ARRAY_LEN(suffixes); i++)
        if (ends_with_nocase(fn, n, suffixes[i])) return true;
    for (size_t i = 0; i < LG_ARRAY_LEN(short_verbs); i++) {
        size_t k = lg_str_len(short_verbs[i]);
        if (n >= k && n <= k + 2 && lg_mem_cmp(fn + n - k, short_verbs[i], k) == 0)
            return !(n == 5 && lg_mem_cmp(fn, "input", 5) == 0);
    }
    for (size_t i = 0; i < LG_ARRAY_LEN(infixes); i++)
        if (contains(fn, n, infixes[i])) return true;
    return false;
}

bool refs_is_helper(const char *fn)
{
    return is_helper_name(fn);
}

const char *refs_stack_function(lg_stack_id stack)
{
    uintptr_t pcs[LG_MAX_FRAMES];
    uint32_t depth = lg_depot_get(stack, pcs, LG_MAX_FRAMES);
    const char *first = NULL;
    for (uint32_t i = 0; i < depth; i++) {
        const char *fn = lg_pal_function_of(pcs[i] - 1);
        if (!fn) continue;
        if (!first) first = fn;
        if (!is_helper_name(fn)) return refs_clean_function(fn);
    }
    return first ? refs_clean_function(first) : "?";
}

/* ---- who a holder is ------------------------------------------------------------ */

typedef struct refs_ident {
    const refs_type *type;
    uint64_t id;
    uintptr_t obj;
    uint8_t state;
    lg_stack_id destroy;
} refs_ident;

/* `own`: the one shard lock the caller holds; NULL: it holds them all. */
static bool ident_at(uintptr_t addr, refs_shard *own, refs_ident *out)
{
    refs_shard *t = refs_shard_of(addr);
    bool locked = false;
    if (own && t != own) {
        if (!lg_trylock(&t->lock)) return false;
        locked = true;
    }
    const refs_obj *o = refs_obj_find(t, addr);
    if (o) {
        out->type = o->type;
        out->id = o->id;
        out->obj = addr;
        out->state = o->state;
        out->destroy = o->destroy;
    }
    if (locked) lg_unlock(&t->lock);
    return o != NULL;
}

/* The tracked object holder is, or lives inside (a field of it). */
static bool holder_ident(uintptr_t holder, refs_shard *own, refs_ident *out)
{
    if (ident_at(holder, own, out)) return true;
    lg_block b;
    if (!lg_heap_find_live(holder, &b)) return false;
    uintptr_t first = refs_block_first(b.user);
    return first && ident_at(first, own, out);
}

static void put_holder_name(lg_buf *b, uintptr_t holder, refs_shard *own, bool in_report, refs_ident *id)
{
    if (!holder) {
        lg_buf_puts(b, "an anonymous holder");
        return;
    }
    if (holder_ident(holder, own, id)) {
        lg_buf_printf(b, "%s#%llu", id->type->name, (unsigned long long)id->id);
        if (id->obj == holder) lg_buf_printf(b, " (0x%lx", (unsigned long)holder);
        else lg_buf_printf(b, " (0x%lx, inside it", (unsigned long)holder);
        lg_buf_puts(b, id->state == LG_REFS_DEAD ? ", destroyed)" : ")");
        return;
    }
    id->type = NULL;
    lg_buf_printf(b, "holder 0x%lx", (unsigned long)holder);
    lg_block blk;
    if (lg_heap_find_live(holder, &blk)) {
        /* As the heap checker names an address: where in which block, allocated where. */
        size_t off = holder >= blk.user ? (size_t)(holder - blk.user) : 0;
        if (off) lg_buf_printf(b, " (%zu bytes into a %zu-byte heap block", off, blk.size);
        else lg_buf_printf(b, " (at the start of a %zu-byte heap block", blk.size);
        uintptr_t pc;
        const char *fn = in_report && lg_depot_get(blk.meta->alloc_stack, &pc, 1) ? lg_pal_function_of(pc - 1) : NULL;
        if (fn) lg_buf_printf(b, " allocated in %s", refs_clean_function(fn));
        lg_buf_puts(b, ")");
    } else if (in_report) {
        const char *what = lg_pal_describe_address(holder);
        if (what) lg_buf_printf(b, " (%s)", what);
    }
}

void refs_describe_holder_addr(uintptr_t holder, refs_shard *own, bool in_report, char *buf, size_t cap)
{
    lg_buf b;
    refs_ident id;
    lg_buf_init(&b, buf, cap);
    put_holder_name(&b, holder, own, in_report, &id);
    lg_buf_cstr(&b);
}

/* ---- sites -------------------------------------------------------------------- */

/* Sites of one function (called from different places) count together. */
typedef struct fn_count {
    const char *fn;
    uint64_t n;
} fn_count;

static uint32_t count_by_function(const refs_holder *h, bool gets, fn_count *out, uint32_t cap)
{
    uint32_t n = 0;
    for (const refs_site *st = h->sites; st; st = st->next) {
        uint64_t v = gets ? st->gets : st->puts;
        if (!v) continue;
        const char *fn = refs_stack_function(st->stack);
        uint32_t k = 0;
        while (k < n && lg_str_cmp(out[k].fn, fn) != 0) k++;
        if (k == n) {
            if (n == cap) continue;
            out[n].fn = fn;
            out[n++].n = 0;
        }
        out[k].n += v;
    }
    for (uint32_t i = 1; i < n; i++) /* largest first */
        for (uint32_t k = i; k > 0 && out[k].n > out[k - 1].n; k--) {
            fn_count t = out[k];
            out[k] = out[k - 1];
            out[k - 1] = t;
        }
    return n;
}

/* "acquired 3× in f, acquired 1× elsewhere" (or "released ..."): the
 * three busiest functions, then the rest together.  *sep comes before each
 * part.  Returns whether it wrote anything. */
static bool put_site_counts(lg_buf *b, const refs_holder *h, bool gets, const char **sep)
{
    const char *verb = gets ? "acquired" : "released";
    fn_count fns[REFS_MAX_SITES];
    uint32_t n = count_by_function(h, gets, fns, REFS_MAX_SITES);
    uint64_t more = gets ? h->other_gets : h->other_puts;
    for (uint32_t i = 0; i < n; i++) {
        if (i < 3) {
            lg_buf_printf(b, "%s%s %llu× in %s", *sep, verb, (unsigned long long)fns[i].n, fns[i].fn);
            *sep = ", ";
        } else {
            more += fns[i].n;
        }
    }
    if (more) {
        lg_buf_printf(b, "%s%s %llu× elsewhere", *sep, verb, (unsigned long long)more);
        *sep = ", ";
    }
    return n || more;
}

/* "acquired 3× in f, released 1× in g" for a holder's sites. */
static void put_site_summary(lg_buf *b, const refs_holder *h)
{
    if (!h->sites && !h->other_gets && !h->other_puts) {
        lg_buf_printf(b, "acquired %llu×, released %llu×", (unsigned long long)h->gets, (unsigned long long)h->puts);
        return;
    }
    const char *sep = "";
    put_site_counts(b, h, true, &sep);
    if (!put_site_counts(b, h, false, &sep)) lg_buf_printf(b, "%snever released", sep);
}

/* Holder stacks written into the current finding: bounded, so that the
 * finding fits the report's buffers (a cut finding is left out of the JSON).
 * Only touched with the report lock held. */
#define STACKS_PER_FINDING 8
static uint32_t stacks_left = STACKS_PER_FINDING;

static void reset_stack_budget(void)
{
    stacks_left = STACKS_PER_FINDING;
}

/* released: of the site's gets, how many the pairing gave a put. */
static void put_site_stack(lg_report *r, const refs_site *st, uint64_t released)
{
    if (!stacks_left) return;
    stacks_left--;
    char title[128];
    lg_buf b;
    lg_buf_init(&b, title, sizeof(title));
    lg_buf_printf(&b, "%u outstanding, acquired here (%llu×, %llu of them released)", st->live,
                  (unsigned long long)st->gets, (unsigned long long)released);
    lg_report_holder_stack(r, st->stack, lg_buf_cstr(&b));
}

/* The balance's sites with outstanding gets, most outstanding first. */
static uint32_t outstanding_order(const refs_balance *bal, uint32_t *order)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < bal->n; i++) {
        if (!bal->sites[i].site->live) continue;
        uint32_t at = n++;
        while (at > 0 && bal->sites[order[at - 1]].site->live < bal->sites[i].site->live) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
    return n;
}

void refs_report_object(lg_report *r, const refs_obj *o)
{
    if (!r) return;
    reset_stack_budget();
    lg_report_object(r, o->addr, o->type->name, o->id, o->count);
    if (o->flags & OBJ_IMPLICIT)
        lg_report_note(r, "never passed to lg_object_new: tracked from its first lg_ref_get");
}

/* ---- holder entries -------------------------------------------------------------- */

/* Anonymous references: one entry per acquisition stack still outstanding
 * once puts are paired with gets (lg_refs_balance.c). */
static uint32_t anonymous_entries(lg_report *r, refs_holder *h)
{
    uint32_t entries = 0;
    int64_t attributed = 0;
    refs_balance bal;
    uint32_t order[REFS_MAX_SITES];
    refs_balance_holder(h, &bal);
    uint32_t n = outstanding_order(&bal, order);
    for (uint32_t k = 0; k < n; k++) {
        const refs_balance_site *b = &bal.sites[order[k]];
        const refs_site *st = b->site;
        attributed += st->live;
        const char *fn = refs_stack_function(st->stack);
        char paired[160];
        lg_buf pb;
        lg_buf_init(&pb, paired, sizeof(paired));
        if (!b->released) lg_buf_puts(&pb, "none of them released");
        else lg_buf_printf(&pb, "%llu of them released", (unsigned long long)b->released);
        const char *where = b->where ? refs_clean_function(b->where) : NULL;
        if (b->released && where && lg_str_cmp(where, fn) != 0) lg_buf_printf(&pb, " by puts within %s", where);
        lg_report_holder_begin(r, 0, NULL, 0, st->live, "%u anonymous reference%s acquired in %s not released (acquired %llu× there, %s)",
                               st->live, st->live == 1 ? "" : "s", fn, (unsigned long long)st->gets,
                               lg_buf_cstr(&pb));
        put_site_stack(r, st, b->released);
        lg_report_holder_end(r);
        entries++;
    }
    if (bal.ambiguous) {
        char table[384];
        lg_buf tb;
        lg_buf_init(&tb, table, sizeof(table));
        put_site_summary(&tb, h);
        lg_report_note(r, "which gets of the anonymous references the puts returned is ambiguous; all their sites: %s",
                       lg_buf_cstr(&tb));
    }
    if (h->count > attributed) {
        char text[384];
        lg_buf b;
        lg_buf_init(&b, text, sizeof(text));
        put_site_summary(&b, h);
        lg_report_holder_begin(r, 0, NULL, 0, h->count - attributed, "%lld anonymous reference%s (%s)",
                               (long long)(h->count - attributed), h->count - attributed == 1 ? "" : "s",
                               lg_buf_cstr(&b));
        lg_report_holder_end(r);
        entries++;
    }
    return entries;
}

static uint32_t holder_entry(lg_report *r, refs_holder *h, refs_shard *own)
{
    if (!h->holder) return anonymous_entries(r, h);
    refs_balance bal;
    uint32_t order[REFS_MAX_SITES];
    refs_balance_holder(h, &bal);
    uint32_t n = outstanding_order(&bal, order);
    char text[512];
    lg_buf b;
    refs_ident id;
    lg_buf_init(&b, text, sizeof(text));
    put_holder_name(&b, h->holder, own, true, &id);
    lg_buf_printf(&b, " holds %lld: ", (long long)h->count);
    put_site_summary(&b, h);
    lg_report_holder_begin(r, h->holder, id.type ? id.type->name : NULL, id.type ? id.id : 0, h->count, "%s",
                           lg_buf_cstr(&b));
    for (uint32_t k = 0; k < n; k++) put_site_stack(r, bal.sites[order[k]].site, bal.sites[order[k]].released);
    if (bal.ambiguous) lg_report_note(r, "which gets of one holder its puts returned is ambiguous: %s", text);
    if (id.type && id.state == LG_REFS_DEAD && id.destroy && stacks_left) {
        stacks_left--;
        lg_report_holder_stack(r, id.destroy, "the holder was destroyed here");
    }
    lg_report_holder_end(r);
    return 1;
}

void refs_report_holder(lg_report *r, refs_holder *h, refs_shard *own)
{
    if (r) holder_entry(r, h, own);
}

void refs_report_holders(lg_report *r, const refs_obj *o, refs_shard *own, uint32_t max)
{
    if (!r) return;
    /* The holders with the largest counts first, when there are too many. */
    const refs_holder *top[64];
    uint32_t ntop = 0, total = 0;
    int64_t rest = 0;
    if (max > LG_ARRAY_LEN(top)) max = LG_ARRAY_LEN(top);
    for (const refs_holder *h = o->holders; h; h = h->next) {
        if (h->count <= 0) continue;
        total++;
        uint32_t at = ntop;
        while (at > 0 && top[at - 1]->count < h->count) at--;
        if (at >= max) {
            rest += h->count;
            continue;
        }
        if (ntop == max) rest += top[--ntop]->count;
        for (uint32_t i = ntop; i > at; i--) top[i] = top[i - 1];
        top[at] = h;
        ntop++;
    }
    uint32_t entries = 0;
    for (uint32_t i = 0; i < ntop && entries < 2 * max; i++) entries += holder_entry(r, (refs_holder *)top[i], own); /* the pairing rewrites its sites' live counts */
    if (total > ntop)
        lg_report_note(r, "%u more holders hold %lld more references", total - ntop, (long long)rest);
}

void refs_report_top_sites(lg_report *r, const refs_obj *o, refs_shard *own, uint32_t max)
{
    if (!r) return;
    const refs_site *top[8];
    const refs_holder *owner[8];
    uint32_t n = 0;
    if (max > LG_ARRAY_LEN(top)) max = LG_ARRAY_LEN(top);
    for (const refs_holder *h = o->holders; h; h = h->next) {
        for (const refs_site *st = h->sites; st; st = st->next) {
            if (!st->gets) continue;
            uint32_t at = n;
            while (at > 0 && top[at - 1]->gets < st->gets) at--;
            if (at >= max) continue;
            if (n < max) n++;
            for (uint32_t i = n - 1; i > at; i--) {
                top[i] = top[i - 1];
                owner[i] = owner[i - 1];
            }
            top[at] = st;
            owner[at] = h;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        char who[160];
        refs_describe_holder_addr(owner[i]->holder, own, true, who, sizeof(who));
        lg_report_note(r, "acquired %llu× in %s by %s, released %llu× there (%u outstanding)",
                       (unsigned long long)top[i]->gets, refs_stack_function(top[i]->stack), who,
                       (unsigned long long)top[i]->puts, top[i]->live);
    }
}

/* For findings reported without de-duplication by stack (key 0): the
 * suppressions are matched against their stacks here instead. */
bool refs_suppressed(lg_kind kind, lg_stack_id a, lg_stack_id b)
{
    lg_report_lock(); /* symbol lookups happen under it */
    bool hit = lg_suppressed(kind, a) || (b != a && lg_suppressed(kind, b));
    if (hit) lg_report_count_suppressed_locked();
    lg_report_unlock();
    return hit;
}
