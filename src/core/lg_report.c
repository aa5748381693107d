/* lg_report.c — one finding at a time, as sanitizer-style text and as JSON.
 *
 * A finding is assembled under the report lock into a handful of static
 * buffers (reports happen inside malloc and in signal handlers: nothing here
 * allocates from the heap), then the text goes to the log channel and the
 * JSON joins the findings store, from which the whole JSON report is
 * rewritten.  Findings are de-duplicated by (kind, key stack) and filtered
 * by the suppressions. */
#include "lg_core.h"
#include "lg_suppress.h"

#define TEXT_BYTES (64u << 10)
#define PART_BYTES (48u << 10)
#define STORE_BYTES LG_CFG_REPORT_STORE_BYTES
#define SEEN_SLOTS 4096u
#define SUMMARY_EXTRAS 32

struct lg_report {
    lg_kind kind;
    lg_stack_id key;
    const char *key_name; /* the stack the suppressions were matched against */
    bool not_error;
    bool in_holder;
    uint32_t holder_stacks;
    lg_buf message, text, head, stacks, holders, cycle, notes, threads;
};

static const char *const kind_names[] = {
#define LG_KIND_NAME(id, name) name,
    LG_KIND_LIST(LG_KIND_NAME)
#undef LG_KIND_NAME
};

static lg_lock_t report_lock = LG_LOCK_INIT;
static struct lg_report current;
static char message_mem[512], out_mem[TEXT_BYTES + 640], text_mem[TEXT_BYTES], head_mem[PART_BYTES], stacks_mem[PART_BYTES], holders_mem[PART_BYTES],
    cycle_mem[PART_BYTES / 4], notes_mem[PART_BYTES / 4], threads_mem[256];

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

/* ---- frames ------------------------------------------------------------------- */

/* What lies below main, or below a thread's start routine, is the C
 * library's start-up: left out of the text unless full_stacks (the JSON
 * keeps every frame).  *show: the frame itself is shown (main). */
static bool is_stack_bottom(const char *fn, bool *show)
{
    static const char *const thread_roots[] = {"start_thread", "clone3", "__clone3", "clone", "__clone"};
    if (!fn) return false;
    *show = lg_str_cmp(fn, "main") == 0;
    if (*show) return true;
    for (size_t i = 0; i < LG_ARRAY_LEN(thread_roots); i++)
        if (lg_str_cmp(fn, thread_roots[i]) == 0) return true;
    return false;
}

static void put_frames(lg_report *r, lg_buf *json, lg_stack_id stack, const char *indent)
{
    uintptr_t pcs[LG_MAX_FRAMES];
    uint32_t depth = lg_depot_get(stack, pcs, LG_MAX_FRAMES);
    lg_buf_putc(json, '[');
    bool text_done = false, show = false;
    for (uint32_t i = 0; i < depth; i++) {
        lg_module_info mod;
        bool known = lg_pal_module_of(pcs[i], &mod);
        /* pcs are return addresses: the call is the byte before. */
        const char *fn = lg_pal_function_of(pcs[i] - 1);
        bool bottom = !lg_opt.full_stacks && !text_done && is_stack_bottom(fn, &show);
        if (bottom && !show) text_done = true;
        if (!text_done) {
            lg_buf_printf(&r->text, "%s#%u 0x%lx", indent, i, (unsigned long)pcs[i]);
            if (fn) lg_buf_printf(&r->text, " in %s", fn);
            if (known) lg_buf_printf(&r->text, " (%s+0x%lx)\n", mod.path, (unsigned long)(pcs[i] - mod.base));
            else lg_buf_puts(&r->text, " (<unknown module>)\n");
        }
        if (bottom) text_done = true;

        lg_buf_printf(json, "%s{\"pc\": \"0x%lx\"", i ? ", " : "", (unsigned long)pcs[i]);
        if (known) {
            lg_buf_puts(json, ", \"module\": ");
            lg_buf_json_str(json, mod.path);
            lg_buf_printf(json, ", \"offset\": \"0x%lx\"", (unsigned long)(pcs[i] - mod.base));
        }
        if (fn) {
            lg_buf_puts(json, ", \"function\": ");
            lg_buf_json_str(json, fn);
        }
        lg_buf_putc(json, '}');
    }
    if (depth == 0) lg_buf_printf(&r->text, "%s(no stack recorded: stacks=0?)\n", indent);
    lg_buf_putc(json, ']');
}

/* ---- building ------------------------------------------------------------------ */

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
    r->key_name = NULL;
    r->not_error = false;
    r->in_holder = false;
    lg_buf_init(&r->text, text_mem, sizeof(text_mem));
    lg_buf_init(&r->head, head_mem, sizeof(head_mem));
    lg_buf_init(&r->stacks, stacks_mem, sizeof(stacks_mem));
    lg_buf_init(&r->holders, holders_mem, sizeof(holders_mem));
    lg_buf_init(&r->cycle, cycle_mem, sizeof(cycle_mem));
    lg_buf_init(&r->notes, notes_mem, sizeof(notes_mem));
    lg_buf_init(&r->threads, threads_mem, sizeof(threads_mem));

    /* The headline is written at the end, when it is known whether the
     * finding is an error. */
    lg_buf *m = &r->message;
    va_list ap;
    lg_buf_init(m, message_mem, sizeof(message_mem));
    va_start(ap, fmt);
    lg_buf_vprintf(m, fmt, ap);
    va_end(ap);
    lg_buf_puts(&r->head, "{\"kind\": ");
    lg_buf_json_str(&r->head, lg_kind_name(kind));
    lg_buf_puts(&r->head, ", \"message\": ");
    lg_buf_json_str(&r->head, lg_buf_cstr(m));
    return r;
}

void lg_report_address(lg_report *r, uintptr_t address)
{
    if (r) lg_buf_printf(&r->head, ", \"address\": \"0x%lx\"", (unsigned long)address);
}

void lg_report_block(lg_report *r, uintptr_t address, size_t size)
{
    if (r) lg_buf_printf(&r->head, ", \"block\": {\"address\": \"0x%lx\", \"size\": %zu}", (unsigned long)address, size);
}

void lg_report_object(lg_report *r, uintptr_t address, const char *type, uint64_t id, int64_t refcount)
{
    if (!r) return;
    lg_buf_printf(&r->head, ", \"object\": {\"address\": \"0x%lx\", \"type\": ", (unsigned long)address);
    lg_buf_json_str(&r->head, type);
    lg_buf_printf(&r->head, ", \"id\": %llu, \"refcount\": %lld}", (unsigned long long)id, (long long)refcount);
    lg_buf_printf(&r->text, "  object %s#%llu at 0x%lx, refcount %lld\n", type, (unsigned long long)id,
                  (unsigned long)address, (long long)refcount);
}

void lg_report_access_type(lg_report *r, const char *type)
{
    if (!r || !type) return;
    lg_buf_puts(&r->head, ", \"access\": {\"type\": ");
    lg_buf_json_str(&r->head, type);
    lg_buf_putc(&r->head, '}');
}

void lg_report_field_u64(lg_report *r, const char *key, uint64_t value)
{
    if (!r) return;
    lg_buf_puts(&r->head, ", ");
    lg_buf_json_str(&r->head, key);
    lg_buf_printf(&r->head, ": %llu", (unsigned long long)value);
}

void lg_report_field_str(lg_report *r, const char *key, const char *value)
{
    if (!r) return;
    lg_buf_puts(&r->head, ", ");
    lg_buf_json_str(&r->head, key);
    lg_buf_puts(&r->head, ": ");
    lg_buf_json_str(&r->head, value);
}

void lg_report_note(lg_report *r, const char *fmt, ...)
{
    if (!r) return;
    char mem[512];
    lg_buf m;
    va_list ap;
    lg_buf_init(&m, mem, sizeof(mem));
    va_start(ap, fmt);
    lg_buf_vprintf(&m, fmt, ap);
    va_end(ap);
    lg_buf_printf(&r->text, "  %s\n", lg_buf_cstr(&m));
    if (r->notes.len) lg_buf_puts(&r->notes, ", ");
    lg_buf_json_str(&r->notes, lg_buf_cstr(&m));
}

void lg_report_stack(lg_report *r, const char *key, lg_stack_id stack, const char *title)
{
    lg_report_stack_of_thread(r, key, stack, title, 0);
}

void lg_report_stack_of_thread(lg_report *r, const char *key, lg_stack_id stack, const char *title, uint32_t tid)
{
    if (!r) return;
    if (tid) {
        lg_buf_printf(&r->text, "  %s, by thread %u:\n", title, tid);
        if (r->threads.len) lg_buf_puts(&r->threads, ", ");
        lg_buf_json_str(&r->threads, key);
        lg_buf_printf(&r->threads, ": %u", tid);
    } else {
        lg_buf_printf(&r->text, "  %s:\n", title);
    }
    if (stack && stack == r->key && !r->key_name) r->key_name = key;
    if (r->stacks.len) lg_buf_puts(&r->stacks, ", ");
    lg_buf_json_str(&r->stacks, key);
    lg_buf_puts(&r->stacks, ": ");
    put_frames(r, &r->stacks, stack, "    ");
}

void lg_report_holder_begin(lg_report *r, uintptr_t holder, const char *holder_type, uint64_t holder_id,
                            int64_t count, const char *fmt, ...)
{
    if (!r) return;
    char mem[512];
    lg_buf m;
    va_list ap;
    lg_buf_init(&m, mem, sizeof(mem));
    va_start(ap, fmt);
    lg_buf_vprintf(&m, fmt, ap);
    va_end(ap);
    lg_buf_printf(&r->text, "  %s\n", lg_buf_cstr(&m));
    if (r->holders.len) lg_buf_puts(&r->holders, ", ");
    lg_buf_printf(&r->holders, "{\"holder\": \"0x%lx\"", (unsigned long)holder);
    if (holder_type) {
        lg_buf_puts(&r->holders, ", \"holder_type\": ");
        lg_buf_json_str(&r->holders, holder_type);
        lg_buf_printf(&r->holders, ", \"holder_id\": %llu", (unsigned long long)holder_id);
    }
    lg_buf_printf(&r->holders, ", \"count\": %lld, \"description\": ", (long long)count);
    lg_buf_json_str(&r->holders, lg_buf_cstr(&m));
    lg_buf_puts(&r->holders, ", \"stacks\": [");
    r->in_holder = true;
    r->holder_stacks = 0;
}

void lg_report_holder_stack(lg_report *r, lg_stack_id stack, const char *title)
{
    if (!r || !r->in_holder) return;
    lg_buf_printf(&r->text, "    %s:\n", title);
    if (r->holder_stacks++) lg_buf_puts(&r->holders, ", ");
    put_frames(r, &r->holders, stack, "      ");
}

void lg_report_holder_end(lg_report *r)
{
    if (!r || !r->in_holder) return;
    lg_buf_puts(&r->holders, "]}");
    r->in_holder = false;
}

void lg_report_cycle_member(lg_report *r, const char *type, uint64_t id, uintptr_t address)
{
    if (!r) return;
    lg_buf_printf(&r->text, "  %s %s#%llu at 0x%lx\n", r->cycle.len ? "-> holds" : "cycle:", type,
                  (unsigned long long)id, (unsigned long)address);
    if (r->cycle.len) lg_buf_puts(&r->cycle, ", ");
    lg_buf_puts(&r->cycle, "{\"type\": ");
    lg_buf_json_str(&r->cycle, type);
    lg_buf_printf(&r->cycle, ", \"id\": %llu, \"address\": \"0x%lx\"}", (unsigned long long)id, (unsigned long)address);
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

static void json_section(lg_buf *out, const char *open, const lg_buf *part, const char *close)
{
    if (!part->len) return;
    lg_buf_puts(out, open);
    lg_buf_putn(out, part->data, part->len < part->cap ? part->len : part->cap);
    lg_buf_puts(out, close);
}

void lg_report_end(lg_report *r)
{
    if (!r) return;
    lg_report_holder_end(r);
    lg_buf_putc(&r->text, '\n');
    lg_buf out; /* one write, so that reports of several processes do not interleave */
    lg_buf_init(&out, out_mem, sizeof(out_mem));
    lg_buf_printf(&out, "==%u==%s: lifeguard: %s: %s\n", lg_pal_pid(), r->not_error ? "WARNING" : "ERROR",
                  lg_kind_name(r->kind), lg_buf_cstr(&r->message));
    lg_buf_putn(&out, r->text.data, r->text.len < r->text.cap ? r->text.len : r->text.cap);
    lg_pal_write(lg_report_channel, out.data, out.len < out.cap ? out.len : out.cap);

    /* The finding's object: head fields, then the sections.  The text buffer
     * is reused as scratch now that it has been written out. */
    lg_buf *json = &r->text;
    lg_buf_init(json, text_mem, sizeof(text_mem));
    if (store_len) lg_buf_puts(json, ",\n  ");
    lg_buf_putn(json, r->head.data, r->head.len < r->head.cap ? r->head.len : r->head.cap);
    lg_buf_printf(json, ", \"severity\": \"%s\"", r->not_error ? "warning" : "error");
    if (r->key_name) {
        lg_buf_puts(json, ", \"suppression_stack\": ");
        lg_buf_json_str(json, r->key_name);
    }
    json_section(json, ", \"notes\": [", &r->notes, "]");
    json_section(json, ", \"stacks\": {", &r->stacks, "}");
    json_section(json, ", \"threads\": {", &r->threads, "}");
    json_section(json, ", \"holders\": [", &r->holders, "]");
    json_section(json, ", \"cycle\": [", &r->cycle, "]");
    lg_buf_putc(json, '}');
    if (json->len <= json->cap) store_append(json); /* a cut finding would break the document */

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

void lg_report_flush(void)
{
    if (!lg_report_json_path[0]) return;
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
