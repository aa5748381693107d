/* lg_report.c — one finding at a time: its worded record, its emission, the
 * JSON document.
 *
 * The findings modules word a finding through the lg_report_* calls, which
 * fill a record (lg_report_record.h) in static storage under the report
 * lock (reports happen inside malloc and in signal handlers: nothing here
 * allocates from the heap).  lg_report_end hands it to the renderers — text
 * (lg_report_text.c) to the log channel, JSON (lg_report_json.c) into the
 * findings store, from which the whole JSON report is rewritten.  Findings
 * are de-duplicated by (kind, key stack) and filtered by the suppressions. */
#include "lg_report_record.h"
#include "lg_suppress.h"

#define TEXT_BYTES (64u << 10)
#define STORE_BYTES LG_CFG_REPORT_STORE_BYTES
#define SEEN_SLOTS 4096u
#define SUMMARY_EXTRAS 32

static const char *const kind_names[] = {
#define LG_KIND_NAME(id, name) name,
    LG_KIND_LIST(LG_KIND_NAME)
#undef LG_KIND_NAME
};

static lg_lock_t report_lock = LG_LOCK_INIT;
static struct lg_report current;
static char words_mem[LG_REPORT_WORDS], out_mem[TEXT_BYTES + 640], json_mem[TEXT_BYTES];

static char *store;             /* ",\n"-joined finding objects */
static size_t store_len;
static uint64_t kind_counts[LG_KIND_COUNT];
static uint64_t error_count, dropped_count, suppressed_count, reported_count;
static uint64_t seen[SEEN_SLOTS];
static char command_json[4096] = "[]";
static struct {
    const char *key;
    uint64_t value;
} summary_extras[SUMMARY_EXTRAS];

int lg_report_channel = 2;
char lg_report_json_path[512];
static uint64_t process_start; /* the same in every image of a process, across exec */
static bool json_write_warned;

const char *lg_kind_name(lg_kind kind)
{
    return kind < LG_KIND_COUNT ? kind_names[kind] : "unknown";
}

void lg_log(const char *fmt, ...)
{
    char mem[1024];
    lg_buf b;
    va_list ap;
    lg_buf_init(&b, mem, sizeof(mem));
    va_start(ap, fmt);
    lg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    lg_pal_write(lg_report_channel, mem, b.len < b.cap ? b.len : b.cap);
}

/* ---- de-duplication --------------------------------------------------------- */

/* True the first time (kind, key) is seen.  The table is a fixed-size open
 * hash; when it is full, findings are no longer de-duplicated. */
static bool first_sighting(lg_kind kind, lg_stack_id key)
{
    if (!key) return true;
    uint64_t tag = ((uint64_t)(kind + 1) << 32) | key;
    uint32_t h = (uint32_t)((tag * 0x9e3779b97f4a7c15ull) >> 40);
    for (uint32_t i = 0; i < SEEN_SLOTS; i++) {
        uint64_t *slot = &seen[(h + i) & (SEEN_SLOTS - 1)];
        if (*slot == tag) return false;
        if (*slot == 0) {
            *slot = tag;
            return true;
        }
    }
    return true;
}

/* ---- the record ------------------------------------------------------------------ */

/* A copy of s in the record's strings; cuts the record when they are full. */
static const char *keep(lg_report *r, const char *s)
{
    if (!s) return NULL;
    size_t at = r->words.len;
    lg_buf_puts(&r->words, s);
    lg_buf_putc(&r->words, 0);
    if (r->words.len > r->words.cap) {
        r->cut = true;
        return "";
    }
    return r->words.data + at;
}

static const char *keep_vprintf(lg_report *r, const char *fmt, va_list ap)
{
    char mem[LG_REPORT_LINE];
    lg_buf m;
    lg_buf_init(&m, mem, sizeof(mem));
    lg_buf_vprintf(&m, fmt, ap);
    return keep(r, lg_buf_cstr(&m));
}

static lg_report_part *add_part(lg_report *r, lg_part_kind kind)
{
    if (r->nparts == LG_REPORT_PARTS) {
        r->cut = true;
        return NULL;
    }
    lg_report_part *p = &r->parts[r->nparts++];
    lg_mem_set(p, 0, sizeof(*p));
    p->kind = kind;
    return p;
}

const char *lg_report_key_name(const lg_report *r)
{
    for (uint32_t i = 0; r->key && i < r->nparts; i++)
        if (r->parts[i].kind == LG_PART_STACK && r->parts[i].stack == r->key) return r->parts[i].key;
    return NULL;
}

lg_report *lg_report_begin(lg_kind kind, lg_stack_id key, const char *fmt, ...)
{
    lg_lock(&report_lock);
    if (lg_suppressed(kind, key)) {
        suppressed_count++;
        lg_unlock(&report_lock);
        return NULL;
    }
    if (!first_sighting(kind, key)) {
        lg_unlock(&report_lock);
        return NULL;
    }
    if (reported_count >= lg_opt.max_findings) {
        dropped_count++;
        kind_counts[kind]++;
        error_count++;
        lg_unlock(&report_lock);
        return NULL;
    }
    lg_report *r = &current;
    r->kind = kind;
    r->key = key;
    r->not_error = r->cut = r->in_holder = false;
    r->has_address = r->has_block = false;
    r->access_type = NULL;
    r->nfields = r->nparts = 0;
    lg_buf_init(&r->words, words_mem, sizeof(words_mem));
    va_list ap;
    va_start(ap, fmt);
    r->message = keep_vprintf(r, fmt, ap);
    va_end(ap);
    return r;
}

void lg_report_address(lg_report *r, uintptr_t address)
{
    if (!r) return;
    r->has_address = true;
    r->address = address;
}

void lg_report_block(lg_report *r, uintptr_t address, size_t size)
{
    if (!r) return;
    r->has_block = true;
    r->block_address = address;
    r->block_size = size;
}

void lg_report_object(lg_report *r, uintptr_t address, const char *type, uint64_t id, int64_t refcount)
{
    lg_report_part *p = r ? add_part(r, LG_PART_OBJECT) : NULL;
    if (!p) return;
    p->address = address;
    p->type = keep(r, type);
    p->id = id;
    p->count = refcount;
}

void lg_report_access_type(lg_report *r, const char *type)
{
    if (r && type) r->access_type = keep(r, type);
}

static lg_report_field *add_field(lg_report *r, const char *key)
{
    if (r->nfields == LG_REPORT_FIELDS) {
        r->cut = true;
        return NULL;
    }
    lg_report_field *f = &r->fields[r->nfields++];
    f->key = keep(r, key);
    f->str = NULL;
    f->u64 = 0;
    return f;
}

void lg_report_field_u64(lg_report *r, const char *key, uint64_t value)
{
    lg_report_field *f = r ? add_field(r, key) : NULL;
    if (f) f->u64 = value;
}

void lg_report_field_str(lg_report *r, const char *key, const char *value)
{
    lg_report_field *f = r ? add_field(r, key) : NULL;
    if (f) f->str = keep(r, value ? value : "(null)");
}

void lg_report_note(lg_report *r, const char *fmt, ...)
{
    lg_report_part *p = r ? add_part(r, LG_PART_NOTE) : NULL;
    if (!p) return;
    va_list ap;
    va_start(ap, fmt);
    p->text = keep_vprintf(r, fmt, ap);
    va_end(ap);
}

void lg_report_stack(lg_report *r, const char *key, lg_stack_id stack, const char *title)
{
    lg_report_stack_of_thread(r, key, stack, title, 0);
}

void lg_report_stack_of_thread(lg_report *r, const char *key, lg_stack_id stack, const char *title, uint32_t tid)
{
    lg_report_part *p = r ? add_part(r, LG_PART_STACK) : NULL;
    if (!p) return;
    p->key = keep(r, key);
    p->text = keep(r, title);
    p->stack = stack;
    p->tid = tid;
}

void lg_report_holder_begin(lg_report *r, uintptr_t holder, const char *holder_type, uint64_t holder_id,
                            int64_t count, const char *fmt, ...)
{
    lg_report_part *p = r ? add_part(r, LG_PART_HOLDER) : NULL;
    if (!p) {
        if (r) r->in_holder = false; /* its stacks must not join the holder before it */
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    p->text = keep_vprintf(r, fmt, ap);
    va_end(ap);
    p->address = holder;
    p->type = keep(r, holder_type);
    p->id = holder_id;
    p->count = count;
    r->in_holder = true;
}

void lg_report_holder_stack(lg_report *r, lg_stack_id stack, const char *title)
{
    lg_report_part *p = r && r->in_holder ? add_part(r, LG_PART_HOLDER_STACK) : NULL;
    if (!p) return;
    p->text = keep(r, title);
    p->stack = stack;
}

void lg_report_holder_end(lg_report *r)
{
    if (r) r->in_holder = false;
}

void lg_report_cycle_member(lg_report *r, const char *type, uint64_t id, uintptr_t address)
{
    lg_report_part *p = r ? add_part(r, LG_PART_CYCLE) : NULL;
    if (!p) return;
    p->type = keep(r, type);
    p->id = id;
    p->address = address;
}

void lg_report_not_error(lg_report *r)
{
    if (r) r->not_error = true;
}

static void store_append(const lg_buf *part)
{
    size_t n = part->len < part->cap ? part->len : part->cap;
    if (!store) store = lg_pal_map(STORE_BYTES);
    if (!store || store_len + n + 2 > STORE_BYTES) return;
    lg_mem_copy(store + store_len, part->data, n);
    store_len += n;
}

/* The record, rendered: the text to the log in one write (so that reports
 * of several processes do not interleave), the JSON into the store. */
void lg_report_end(lg_report *r)
{
    if (!r) return;
    lg_buf out;
    lg_buf_init(&out, out_mem, sizeof(out_mem));
    lg_report_render_text(r, &out);
    lg_pal_write(lg_report_channel, out.data, out.len < out.cap ? out.len : out.cap);

    lg_buf json;
    lg_buf_init(&json, json_mem, sizeof(json_mem));
    if (store_len) lg_buf_puts(&json, ",\n  ");
    if (lg_report_render_json(r, &json)) store_append(&json); /* a cut finding would break the document */

    reported_count++;
    kind_counts[r->kind]++;
    if (!r->not_error) error_count++;
    bool halt = lg_opt.halt_on_error && !r->not_error;
    lg_unlock(&report_lock);
    lg_report_flush();
    if (halt) {
        lg_report_summary_line();
        lg_pal_die((int)lg_opt.exitcode);
    }
}

/* ---- the summary line ----------------------------------------------------------- */

void lg_report_summary_line(void)
{
    char mem[1024];
    lg_buf b;
    lg_buf_init(&b, mem, sizeof(mem));
    lg_lock(&report_lock);
    uint32_t kinds = 0;
    for (int k = 0; k < LG_KIND_COUNT; k++) kinds += kind_counts[k] != 0;
    uint64_t warnings = reported_count + dropped_count > error_count ? reported_count + dropped_count - error_count : 0;
    lg_buf_printf(&b, "SUMMARY: lifeguard: %llu error%s", (unsigned long long)error_count, error_count == 1 ? "" : "s");
    if (warnings) lg_buf_printf(&b, ", %llu warning%s", (unsigned long long)warnings, warnings == 1 ? "" : "s");
    lg_buf_printf(&b, " (%u kind%s", kinds, kinds == 1 ? "" : "s");
    const char *sep = ": ";
    for (int k = 0; k < LG_KIND_COUNT; k++) {
        if (!kind_counts[k]) continue;
        lg_buf_printf(&b, "%s%s %llu", sep, kind_names[k], (unsigned long long)kind_counts[k]);
        sep = ", ";
    }
    lg_buf_putc(&b, ')');
    if (suppressed_count) lg_buf_printf(&b, "; %llu suppressed", (unsigned long long)suppressed_count);
    if (dropped_count) lg_buf_printf(&b, "; %llu beyond max_findings", (unsigned long long)dropped_count);
    lg_buf_putc(&b, '\n');
    lg_unlock(&report_lock);
    lg_pal_write(lg_report_channel, mem, b.len < b.cap ? b.len : b.cap);
}

/* ---- the JSON document ---------------------------------------------------------- */

void lg_report_set_command(const char *const *argv, int argc)
{
    lg_buf b;
    lg_buf_init(&b, command_json, sizeof(command_json));
    lg_buf_putc(&b, '[');
    for (int i = 0; i < argc; i++) {
        if (i) lg_buf_puts(&b, ", ");
        lg_buf_json_str(&b, argv[i]);
    }
    lg_buf_putc(&b, ']');
    if (b.len >= b.cap) {
        lg_buf_init(&b, command_json, sizeof(command_json));
        lg_buf_puts(&b, "[]");
    }
    lg_buf_cstr(&b);
}

void lg_report_summary_u64(const char *key, uint64_t value)
{
    lg_lock(&report_lock);
    for (int i = 0; i < SUMMARY_EXTRAS; i++) {
        if (!summary_extras[i].key || lg_str_cmp(summary_extras[i].key, key) == 0) {
            summary_extras[i].key = key;
            summary_extras[i].value = value;
            break;
        }
    }
    lg_unlock(&report_lock);
}

static bool skip_clean;

void lg_report_skip_clean(void)
{
    skip_clean = true;
}

void lg_report_flush(void)
{
    if (!lg_report_json_path[0]) return;
    if (skip_clean && !lg_report_finding_count()) return;
    lg_lock(&report_lock);
    size_t cap = store_len + 16384;
    char *doc = lg_pal_map(cap);
    if (doc) {
        lg_buf b;
        lg_buf_init(&b, doc, cap);
        lg_buf_printf(&b, "{\"tool\": \"lifeguard\", \"version\": \"%s\", \"pid\": %u, \"process_start\": %llu, \"command\": ",
                      LG_VERSION, lg_pal_pid(), (unsigned long long)process_start);
        lg_buf_puts(&b, command_json); /* already JSON */
        lg_buf_puts(&b, ",\n \"findings\": [");
        if (store_len) {
            lg_buf_puts(&b, "\n  ");
            lg_buf_putn(&b, store, store_len);
            lg_buf_puts(&b, "\n ");
        }
        lg_buf_printf(&b, "],\n \"summary\": {\"errors\": %llu, \"findings\": %llu, \"dropped\": %llu, \"suppressed\": %llu",
                      (unsigned long long)error_count, (unsigned long long)reported_count,
                      (unsigned long long)dropped_count, (unsigned long long)suppressed_count);
        lg_buf_puts(&b, ", \"by_kind\": {");
        bool first = true;
        for (int k = 0; k < LG_KIND_COUNT; k++) {
            if (!kind_counts[k]) continue;
            lg_buf_printf(&b, "%s\"%s\": %llu", first ? "" : ", ", kind_names[k], (unsigned long long)kind_counts[k]);
            first = false;
        }
        lg_buf_putc(&b, '}');
        for (int i = 0; i < SUMMARY_EXTRAS && summary_extras[i].key; i++)
            lg_buf_printf(&b, ", \"%s\": %llu", summary_extras[i].key, (unsigned long long)summary_extras[i].value);
        lg_buf_puts(&b, "}}\n");
        if (b.len <= b.cap && !lg_pal_write_file(lg_report_json_path, doc, b.len) && !json_write_warned) {
            json_write_warned = true; /* once: every finding rewrites the file */
            lg_log("==%u==lifeguard: cannot write the JSON report to '%s': %s\n", lg_pal_pid(), lg_report_json_path,
                   lg_pal_error_text(lg_pal_errno()));
        }
        lg_pal_unmap(doc, cap);
    }
    lg_unlock(&report_lock);
}

void lg_report_set_process_start(uint64_t start)
{
    process_start = start;
}

/* ---- an earlier image's report ---------------------------------------------------- */

static const char *find(const char *hay, const char *end, const char *needle)
{
    size_t n = lg_str_len(needle);
    for (const char *p = hay; p + n <= end; p++)
        if (lg_mem_cmp(p, needle, n) == 0) return p;
    return NULL;
}

static const char *find_last(const char *hay, const char *end, const char *needle)
{
    const char *last = NULL;
    for (const char *p = hay; (p = find(p, end, needle)); p++) last = p;
    return last;
}

/* The number after `"key": ` in [from, end); 0 when absent. */
static uint64_t number_after(const char *from, const char *end, const char *key)
{
    char quoted[64];
    lg_buf q;
    lg_buf_init(&q, quoted, sizeof(quoted));
    lg_buf_printf(&q, "\"%s\": ", key);
    const char *at = find(from, end, lg_buf_cstr(&q));
    if (!at) return 0;
    at += q.len;
    const char *digits = at;
    while (at < end && *at >= '0' && *at <= '9') at++;
    uint64_t v = 0;
    return lg_parse_u64(digits, (size_t)(at - digits), &v) ? v : 0;
}

bool lg_report_adopt(const char *doc, size_t len)
{
    const char *end = doc + len;
    const char *findings = find(doc, end, "\n \"findings\": [");
    const char *summary = find_last(doc, end, "],\n \"summary\": {");
    if (!findings || !summary || summary < findings) return false;
    if (number_after(doc, findings, "pid") != lg_pal_pid() || !process_start ||
        number_after(doc, findings, "process_start") != process_start)
        return false; /* another process's, or an older run's */
    const char *from = findings + 15, *to = summary;
    while (from < to && (*from == '\n' || *from == ' ')) from++;
    while (to > from && (to[-1] == '\n' || to[-1] == ' ')) to--;
    lg_lock(&report_lock);
    if (from < to) {
        if (!store) store = lg_pal_map(STORE_BYTES);
        size_t n = (size_t)(to - from);
        if (store && store_len + n + 8 <= STORE_BYTES) {
            if (store_len) {
                /* keep the earlier image's findings first */
                for (size_t i = store_len; i-- > 0;) store[i + n + 4] = store[i];
                lg_mem_copy(store + n, ",\n  ", 4);
            }
            lg_mem_copy(store, from, n);
            store_len += n + (store_len ? 4 : 0);
        }
    }
    error_count += number_after(summary, end, "errors");
    reported_count += number_after(summary, end, "findings");
    dropped_count += number_after(summary, end, "dropped");
    suppressed_count += number_after(summary, end, "suppressed");
    const char *by_kind = find(summary, end, "\"by_kind\": {");
    const char *by_end = by_kind ? find(by_kind, end, "}") : NULL;
    for (int k = 0; by_end && k < LG_KIND_COUNT; k++) kind_counts[k] += number_after(by_kind, by_end, kind_names[k]);
    lg_unlock(&report_lock);
    return true;
}

void lg_report_lock(void)
{
    lg_lock(&report_lock);
}

void lg_report_unlock(void)
{
    lg_unlock(&report_lock);
}

void lg_report_count_suppressed_locked(void)
{
    suppressed_count++;
}

/* The child of fork() has its own history: the parent's findings are the
 * parent's to report, and counting them again would fail the child too. */
void lg_report_forget_for_child(void)
{
    store_len = 0;
    error_count = dropped_count = suppressed_count = reported_count = 0;
    for (int k = 0; k < LG_KIND_COUNT; k++) kind_counts[k] = 0;
    for (unsigned i = 0; i < SEEN_SLOTS; i++) seen[i] = 0;
    lg_unlock(&report_lock);
}

uint64_t lg_report_error_count(void)
{
    return __atomic_load_n(&error_count, __ATOMIC_RELAXED);
}

uint64_t lg_report_reported_count(void)
{
    return __atomic_load_n(&reported_count, __ATOMIC_RELAXED);
}

uint64_t lg_report_finding_count(void)
{
    return __atomic_load_n(&reported_count, __ATOMIC_RELAXED) + __atomic_load_n(&dropped_count, __ATOMIC_RELAXED);
}

uint64_t lg_report_kind_count(lg_kind kind)
{
    return kind < LG_KIND_COUNT ? __atomic_load_n(&kind_counts[kind], __ATOMIC_RELAXED) : 0;
}
