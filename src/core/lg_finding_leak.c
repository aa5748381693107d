/* lg_finding_leak.c — the words of the leak scan's findings.
 *
 * The scan (runtime/rt_leaks*.c) adds up what one allocation stack leaked
 * and fills an lg_leak_finding; this file says it: one `leak` per stack,
 * or, with show_reachable, a warning listing what is still reachable. */
#include "lg_finding.h"

static void note_world(lg_report *r, const lg_leak_finding *f)
{
    if (f->not_stopped)
        lg_report_note(r, "%u thread%s could not be stopped during the scan (%s, errno %d): a block moved meanwhile may be misreported",
                       f->not_stopped, f->not_stopped == 1 ? "" : "s", f->not_stopped_why ? f->not_stopped_why : "unknown",
                       f->not_stopped_errno);
}

static bool report_reachable(const lg_leak_finding *f)
{
    /* Key 0: a listing, neither de-duplicated nor suppressed. */
    lg_report *r = lg_report_begin(LG_LEAK, 0, "still reachable: %llu bytes in %llu block%s", (unsigned long long)f->bytes,
                                   (unsigned long long)f->blocks, f->blocks == 1 ? "" : "s");
    lg_report_not_error(r);
    lg_report_block(r, f->user, f->size);
    lg_report_field_u64(r, "blocks", f->blocks);
    lg_report_field_u64(r, "bytes", f->bytes);
    lg_report_field_str(r, "reachable", "yes");
    lg_report_stack(r, "alloc", f->stack, "allocated here");
    lg_report_end(r);
    return r != NULL;
}

bool lg_finding_report_leak(const lg_leak_finding *f)
{
    if (f->reachable) return report_reachable(f);
    lg_report *r = lg_report_begin(LG_LEAK, f->stack, "%llu bytes in %llu block%s leaked", (unsigned long long)f->bytes,
                                   (unsigned long long)f->blocks, f->blocks == 1 ? "" : "s");
    lg_report_block(r, f->user, f->size);
    lg_report_field_u64(r, "blocks", f->blocks);
    lg_report_field_u64(r, "bytes", f->bytes);
    if (f->blocks > f->roots)
        lg_report_note(r, "%llu block%s nothing points to, and %llu more reachable only through %s (a leaked list, tree or cycle)",
                       (unsigned long long)f->roots, f->roots == 1 ? "" : "s", (unsigned long long)(f->blocks - f->roots),
                       f->roots == 1 ? "it" : "them");
    else
        lg_report_note(r, "nothing points to %s any more", f->blocks == 1 ? "it" : "them");
    note_world(r, f);
    lg_report_stack(r, "alloc", f->stack, f->roots == 1 ? "the block was allocated here" : "the blocks were allocated here");
    lg_report_end(r);
    return r != NULL;
}
