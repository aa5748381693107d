/* lg_report_json.c — a worded finding as an entry of the JSON report.
 *
 * The object docs/REPORT.md describes: kind, message, the finding's
 * address, access, block, object and extra fields, its severity, then one
 * section per sort of part (notes, stacks, threads, holders, cycle), each
 * left out when empty.  Frames keep every frame, below main too. */
#include "lg_report_record.h"

static void put_frames(lg_buf *json, lg_stack_id stack)
{
    uintptr_t pcs[LG_MAX_FRAMES];
    uint32_t depth = lg_depot_get(stack, pcs, LG_MAX_FRAMES);
    lg_buf_putc(json, '[');
    for (uint32_t i = 0; i < depth; i++) {
        lg_module_info mod;
        bool known = lg_pal_module_of(pcs[i], &mod);
        const char *fn = lg_pal_function_of(pcs[i] - 1); /* pcs are return addresses */
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
    lg_buf_putc(json, ']');
}

static void put_head(lg_buf *json, const lg_report *r)
{
    lg_buf_puts(json, "{\"kind\": ");
    lg_buf_json_str(json, lg_kind_name(r->kind));
    lg_buf_puts(json, ", \"message\": ");
    lg_buf_json_str(json, r->message);
    if (r->has_address) lg_buf_printf(json, ", \"address\": \"0x%lx\"", (unsigned long)r->address);
    if (r->access_type) {
        lg_buf_puts(json, ", \"access\": {\"type\": ");
        lg_buf_json_str(json, r->access_type);
        lg_buf_putc(json, '}');
    }
    if (r->has_block)
        lg_buf_printf(json, ", \"block\": {\"address\": \"0x%lx\", \"size\": %zu}", (unsigned long)r->block_address,
                      r->block_size);
    for (uint32_t i = 0; i < r->nparts; i++) {
        const lg_report_part *p = &r->parts[i];
        if (p->kind != LG_PART_OBJECT) continue;
        lg_buf_printf(json, ", \"object\": {\"address\": \"0x%lx\", \"type\": ", (unsigned long)p->address);
        lg_buf_json_str(json, p->type);
        lg_buf_printf(json, ", \"id\": %llu, \"refcount\": %lld}", (unsigned long long)p->id, (long long)p->count);
    }
    for (uint32_t i = 0; i < r->nfields; i++) {
        const lg_report_field *f = &r->fields[i];
        lg_buf_puts(json, ", ");
        lg_buf_json_str(json, f->key);
        if (f->str) {
            lg_buf_puts(json, ": ");
            lg_buf_json_str(json, f->str);
        } else {
            lg_buf_printf(json, ": %llu", (unsigned long long)f->u64);
        }
    }
    lg_buf_printf(json, ", \"severity\": \"%s\"", r->not_error ? "warning" : "error");
    const char *key_name = lg_report_key_name(r);
    if (key_name) {
        lg_buf_puts(json, ", \"suppression_stack\": ");
        lg_buf_json_str(json, key_name);
    }
}

/* `, "name": [` ... `]` around the parts of one sort; nothing when there are none. */
static void open_section(lg_buf *json, uint32_t *n, const char *open)
{
    lg_buf_puts(json, (*n)++ ? ", " : open);
}

static void close_section(lg_buf *json, uint32_t n, char close)
{
    if (n) lg_buf_putc(json, close);
}

static void put_notes(lg_buf *json, const lg_report *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nparts; i++) {
        if (r->parts[i].kind != LG_PART_NOTE) continue;
        open_section(json, &n, ", \"notes\": [");
        lg_buf_json_str(json, r->parts[i].text);
    }
    close_section(json, n, ']');
}

static void put_stacks(lg_buf *json, const lg_report *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nparts; i++) {
        const lg_report_part *p = &r->parts[i];
        if (p->kind != LG_PART_STACK) continue;
        open_section(json, &n, ", \"stacks\": {");
        lg_buf_json_str(json, p->key);
        lg_buf_puts(json, ": ");
        put_frames(json, p->stack);
    }
    close_section(json, n, '}');
    n = 0;
    for (uint32_t i = 0; i < r->nparts; i++) {
        const lg_report_part *p = &r->parts[i];
        if (p->kind != LG_PART_STACK || !p->tid) continue;
        open_section(json, &n, ", \"threads\": {");
        lg_buf_json_str(json, p->key);
        lg_buf_printf(json, ": %u", p->tid);
    }
    close_section(json, n, '}');
    n = 0;
    for (uint32_t i = 0; i < r->nparts; i++) {
        const lg_report_part *p = &r->parts[i];
        if (p->kind != LG_PART_STACK || !p->text) continue;
        open_section(json, &n, ", \"stack_titles\": {");
        lg_buf_json_str(json, p->key);
        lg_buf_puts(json, ": ");
        lg_buf_json_str(json, p->text);
    }
    close_section(json, n, '}');
}

static void put_holders(lg_buf *json, const lg_report *r)
{
    uint32_t n = 0, stacks = 0;
    for (uint32_t i = 0; i < r->nparts; i++) {
        const lg_report_part *p = &r->parts[i];
        if (p->kind == LG_PART_HOLDER_STACK && n) {
            if (stacks++) lg_buf_puts(json, ", ");
            put_frames(json, p->stack);
        }
        if (p->kind != LG_PART_HOLDER) continue;
        if (n) lg_buf_puts(json, "]}");
        open_section(json, &n, ", \"holders\": [");
        lg_buf_printf(json, "{\"holder\": \"0x%lx\"", (unsigned long)p->address);
        if (p->type) {
            lg_buf_puts(json, ", \"holder_type\": ");
            lg_buf_json_str(json, p->type);
            lg_buf_printf(json, ", \"holder_id\": %llu", (unsigned long long)p->id);
        }
        lg_buf_printf(json, ", \"count\": %lld, \"description\": ", (long long)p->count);
        lg_buf_json_str(json, p->text);
        lg_buf_puts(json, ", \"stacks\": [");
        stacks = 0;
    }
    if (n) lg_buf_puts(json, "]}");
    close_section(json, n, ']');
}

static void put_cycle(lg_buf *json, const lg_report *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nparts; i++) {
        const lg_report_part *p = &r->parts[i];
        if (p->kind != LG_PART_CYCLE) continue;
        open_section(json, &n, ", \"cycle\": [");
        lg_buf_puts(json, "{\"type\": ");
        lg_buf_json_str(json, p->type);
        lg_buf_printf(json, ", \"id\": %llu, \"address\": \"0x%lx\"}", (unsigned long long)p->id, (unsigned long)p->address);
    }
    close_section(json, n, ']');
}

bool lg_report_render_json(const lg_report *r, lg_buf *json)
{
    put_head(json, r);
    put_notes(json, r);
    put_stacks(json, r);
    put_holders(json, r);
    put_cycle(json, r);
    lg_buf_putc(json, '}');
    return json->len <= json->cap && !r->cut;
}
