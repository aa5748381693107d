/* rt_leaks_report.c — leak findings, one per allocation stack.
 *
 * The groups of one scan (rt_leaks_mark.c) are added up by the allocation
 * stack of their root block; each stack with a group not reported before
 * becomes one `leak` finding (blocks and bytes include the blocks reachable
 * only through the roots), largest first.  Suppressions apply through the
 * finding's key, the allocation stack.  With show_reachable, the blocks
 * still reachable are listed the same way, as warnings.  The words are
 * core/lg_finding_leak.c's. */
#include "rt_leaks.h"

typedef struct stack_total {
    lg_stack_id stack;
    uint64_t roots, blocks, bytes;
    uintptr_t user;
    size_t size;
    bool fresh;
} stack_total;

static stack_total *totals;
static size_t total_count, total_cap;

static rt_stack_index total_index;

static stack_total *total_for(lg_stack_id stack)
{
    size_t i;
    if (rt_stack_index_find(&total_index, stack, &i)) return &totals[i];
    if (!rt_leaks_grow((void **)&totals, &total_cap, sizeof(stack_total), total_count + 1)) return NULL;
    if (!rt_stack_index_add(&total_index, stack, total_count)) return NULL;
    stack_total *t = &totals[total_count++];
    lg_mem_set(t, 0, sizeof(*t));
    t->stack = stack;
    return t;
}

/* Largest first. */
static bool total_bigger(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return ((const stack_total *)a)->bytes > ((const stack_total *)b)->bytes;
}

static bool reach_bigger(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return ((const rt_reach_stack *)a)->bytes > ((const rt_reach_stack *)b)->bytes;
}

static uint64_t report_leaks(const rt_world *w)
{
    uint64_t reported = 0;
    lg_sort(totals, total_count, sizeof(*totals), total_bigger, NULL);
    for (size_t i = 0; i < total_count; i++) {
        const stack_total *t = &totals[i];
        if (!t->fresh) continue;
        lg_leak_finding f = {
            .stack = t->stack, .roots = t->roots, .blocks = t->blocks, .bytes = t->bytes, .user = t->user,
            .size = t->size, .not_stopped = w->not_stopped, .not_stopped_why = w->why, .not_stopped_errno = w->error,
        };
        if (lg_finding_report_leak(&f)) reported += t->blocks; /* a stack's first finding: all its blocks are new */
    }
    return reported;
}

static void report_reachable(const rt_leak_result *res)
{
    lg_sort(res->reach, res->reach_count, sizeof(*res->reach), reach_bigger, NULL);
    for (size_t i = 0; i < res->reach_count; i++) {
        const rt_reach_stack *s = &res->reach[i];
        lg_leak_finding f = {
            .stack = s->stack, .blocks = s->blocks, .bytes = s->bytes, .user = s->user, .size = s->size,
            .reachable = true,
        };
        lg_finding_report_leak(&f);
    }
}

size_t rt_leaks_report(const rt_leak_result *res, const rt_world *w)
{
    total_count = 0;
    for (size_t i = 0; i < res->group_count; i++) {
        const rt_leak_group *g = &res->groups[i];
        /* No stack: allocated before the runtime was up (the loader, early
         * constructors) or by the runtime itself; counted, not reported. */
        if (!g->stack && lg_opt.stacks) continue;
        /* Taken into another group, or a tracked object: ref-leak or
         * ref-cycle already names it with its holders. */
        if (!g->blocks || g->tracked) continue;
        stack_total *t = total_for(g->stack);
        if (!t) break;
        if (!t->roots) {
            t->user = g->user;
            t->size = g->size;
        }
        t->roots++;
        t->blocks += g->blocks;
        t->bytes += g->bytes;
        t->fresh |= g->fresh;
    }
    rt_stack_index_free(&total_index);
    uint64_t reported = report_leaks(w);
    if (lg_opt.show_reachable) report_reachable(res);
    if (totals) lg_pal_unmap(totals, total_cap * sizeof(stack_total));
    totals = NULL;
    total_cap = total_count = 0;

    lg_report_summary_u64("leaked_blocks", res->leaked_blocks);
    lg_report_summary_u64("leaked_bytes", res->leaked_bytes);
    lg_report_summary_u64("leaked_blocks_without_stack", res->unstacked_blocks);
    lg_report_summary_u64("reachable_blocks", res->reachable_blocks);
    lg_report_summary_u64("reachable_bytes", res->reachable_bytes);
    lg_report_summary_u64("leak_scan_threads_stopped", w->stopped);
    lg_report_summary_u64("leak_scan_threads_not_stopped", w->not_stopped);
    return (size_t)reported;
}
