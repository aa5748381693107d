/* lg_refs_causes.c — the "root causes" list at the end of a run with
 * several reference findings: the culprit site of each (the function that
 * took the references still outstanding, past the get/put helpers), each
 * site once, with how many references it left behind and which findings
 * it explains, so that a report of many findings reads as a few bugs. */
#include "lg_refs_internal.h"

#define MAX_CAUSES 32
#define FINDINGS_LISTED 6
#define LABEL_BYTES 48

typedef struct cause {
    const char *function; /* the symbol table's name: lives as long as the module */
    uint64_t refs;
    uint32_t findings, listed;
    uint32_t number[FINDINGS_LISTED];
    char label[FINDINGS_LISTED][LABEL_BYTES];
} cause;

static lg_lock_t causes_lock = LG_LOCK_INIT;
static cause causes[MAX_CAUSES];
static uint32_t ncauses, noted;

void refs_cause_note(lg_stack_id culprit, uint64_t refs, lg_kind kind, const char *subject)
{
    if (!culprit) return;
    const char *fn = refs_stack_function(culprit);
    uint32_t number = (uint32_t)lg_report_reported_count();
    lg_lock(&causes_lock);
    noted++;
    cause *c = NULL;
    for (uint32_t i = 0; i < ncauses && !c; i++)
        if (lg_str_cmp(causes[i].function, fn) == 0) c = &causes[i];
    if (!c && ncauses < MAX_CAUSES) {
        c = &causes[ncauses++];
        c->function = fn;
    }
    if (c) {
        c->refs += refs;
        c->findings++;
        if (c->listed < FINDINGS_LISTED) {
            lg_buf b;
            lg_buf_init(&b, c->label[c->listed], LABEL_BYTES);
            lg_buf_printf(&b, "%s %s", lg_kind_name(kind), subject);
            lg_buf_cstr(&b);
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
            cause t = causes[k];
            causes[k] = causes[k - 1];
            causes[k - 1] = t;
        }
    lg_log("==%u==lifeguard: root causes of %u reference finding%s: %u site%s took the references left outstanding\n",
           lg_pal_pid(), noted, noted == 1 ? "" : "s", ncauses, ncauses == 1 ? "" : "s");
    for (uint32_t i = 0; i < ncauses; i++) {
        const cause *c = &causes[i];
        char mem[768];
        lg_buf b;
        lg_buf_init(&b, mem, sizeof(mem));
        lg_buf_printf(&b, "  %u. %s: %llu reference%s; explains", i + 1, c->function, (unsigned long long)c->refs,
                      c->refs == 1 ? "" : "s");
        for (uint32_t k = 0; k < c->listed; k++)
            lg_buf_printf(&b, "%s #%u %s", k ? "," : "", c->number[k], c->label[k]);
        if (c->findings > c->listed) lg_buf_printf(&b, " and %u more", c->findings - c->listed);
        lg_log("%s\n", lg_buf_cstr(&b));
    }
    lg_log("\n");
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
