/* lg_refs_causes.c — the "root causes" list at the end of a run with
 * several reference findings: the culprit site of each (the function that
 * took the references still outstanding, past the get/put helpers), each
 * site once, with how many references it left behind and which findings
 * it explains, so that a report of many findings reads as a few bugs.
 * lg_finding_refs_exit.c writes the list. */
#include "lg_refs_internal.h"

#define MAX_CAUSES 32

static lg_lock_t causes_lock = LG_LOCK_INIT;
static refs_cause causes[MAX_CAUSES];
static uint32_t ncauses, noted;

void refs_cause_note(lg_stack_id culprit, uint64_t refs, lg_kind kind, const char *subject)
{
    if (!culprit) return;
    const char *fn = refs_stack_function(culprit);
    uint32_t number = (uint32_t)lg_report_reported_count();
    lg_lock(&causes_lock);
    noted++;
    refs_cause *c = NULL;
    for (uint32_t i = 0; i < ncauses && !c; i++)
        if (lg_str_cmp(causes[i].function, fn) == 0) c = &causes[i];
    if (!c && ncauses < MAX_CAUSES) {
        c = &causes[ncauses++];
        c->function = fn;
    }
    if (c) {
        c->refs += refs;
        c->findings++;
        if (c->listed < REFS_CAUSE_LISTED) {
            size_t n = lg_str_len(subject);
            if (n >= sizeof(c->subject[0])) n = sizeof(c->subject[0]) - 1;
            lg_mem_copy(c->subject[c->listed], subject, n);
            c->subject[c->listed][n] = 0;
            c->kind[c->listed] = kind;
            c->number[c->listed++] = number;
        }
    }
    lg_unlock(&causes_lock);
}

void refs_causes_report(void)
{
    lg_lock(&causes_lock);
    if (noted < 2) {
        lg_unlock(&causes_lock);
        return;
    }
    /* Most references first. */
    for (uint32_t i = 1; i < ncauses; i++)
        for (uint32_t k = i; k > 0 && causes[k].refs > causes[k - 1].refs; k--) {
            refs_cause t = causes[k];
            causes[k] = causes[k - 1];
            causes[k - 1] = t;
        }
    refs_causes_write(causes, ncauses, noted);
    uint32_t n = ncauses;
    lg_unlock(&causes_lock);
    lg_report_summary_u64("root_causes", n);
}

void refs_causes_forget(void)
{
    lg_lock_t fresh = LG_LOCK_INIT; /* a thread of the parent may have held it across fork() */
    causes_lock = fresh;
    ncauses = noted = 0;
}
