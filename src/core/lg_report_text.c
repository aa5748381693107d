/* lg_report_text.c — a worded finding as sanitizer-style text.
 *
 * "==PID==ERROR: lifeguard: KIND: message", then the record's parts in the
 * order the finding was worded: notes, stacks (frames as module+offset; the
 * CLI symbolizes them outside the program), holders, cycle members. */
#include "lg_report_record.h"

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

static void put_frames(lg_buf *out, lg_stack_id stack, const char *indent)
{
    uintptr_t pcs[LG_MAX_FRAMES];
    uint32_t depth = lg_depot_get(stack, pcs, LG_MAX_FRAMES);
    bool done = false, show = false;
    for (uint32_t i = 0; i < depth && !done; i++) {
        lg_module_info mod;
        bool known = lg_pal_module_of(pcs[i], &mod);
        /* pcs are return addresses: the call is the byte before. */
        const char *fn = lg_pal_function_of(pcs[i] - 1);
        bool bottom = !lg_opt.full_stacks && is_stack_bottom(fn, &show);
        if (bottom && !show) break;
        lg_buf_printf(out, "%s#%u 0x%lx", indent, i, (unsigned long)pcs[i]);
        if (fn) lg_buf_printf(out, " in %s", fn);
        if (known) lg_buf_printf(out, " (%s+0x%lx)\n", mod.path, (unsigned long)(pcs[i] - mod.base));
        else lg_buf_puts(out, " (<unknown module>)\n");
        done = bottom;
    }
    if (depth == 0) lg_buf_printf(out, "%s(no stack recorded: stacks=0?)\n", indent);
}

static void put_part(lg_buf *out, const lg_report_part *p, bool *cycle_started)
{
    switch (p->kind) {
    case LG_PART_OBJECT:
        lg_buf_printf(out, "  object %s#%llu at 0x%lx, refcount %lld\n", p->type, (unsigned long long)p->id,
                      (unsigned long)p->address, (long long)p->count);
        break;
    case LG_PART_NOTE:
    case LG_PART_HOLDER:
        lg_buf_printf(out, "  %s\n", p->text);
        break;
    case LG_PART_STACK:
        if (p->tid) lg_buf_printf(out, "  %s, by thread %u:\n", p->text, p->tid);
        else lg_buf_printf(out, "  %s:\n", p->text);
        put_frames(out, p->stack, "    ");
        break;
    case LG_PART_HOLDER_STACK:
        lg_buf_printf(out, "    %s:\n", p->text);
        put_frames(out, p->stack, "      ");
        break;
    case LG_PART_CYCLE:
        lg_buf_printf(out, "  %s %s#%llu at 0x%lx\n", *cycle_started ? "-> holds" : "cycle:", p->type,
                      (unsigned long long)p->id, (unsigned long)p->address);
        *cycle_started = true;
        break;
    }
}

void lg_report_render_text(const lg_report *r, lg_buf *out)
{
    lg_buf_printf(out, "==%u==%s: lifeguard: %s: %s\n", lg_pal_pid(), r->not_error ? "WARNING" : "ERROR",
                  lg_kind_name(r->kind), r->message);
    bool cycle_started = false;
    for (uint32_t i = 0; i < r->nparts; i++) put_part(out, &r->parts[i], &cycle_started);
    lg_buf_putc(out, '\n');
}
