/* rt_refs.c — the annotation API as the runtime publishes it: the
 * `lifeguard_api_v1` table that lifeguard.h finds with dlsym, each entry
 * capturing the caller's stack and handing over to the tracker
 * (core/lg_refs*.c); and the reference tracker's exit report. */
#define LIFEGUARD_RUNTIME_BUILD
#include "rt_internal.h"
#include "../core/lg_refs.h"
#include "lifeguard.h"

/* Each entry captures the caller's stack before the tracker takes a lock
 * (lifeguard.h's wrappers are always inlined: frame #0 is the annotated
 * function), and ignores everything with refs=0.  The options may not be
 * read yet when a library's constructor annotates before ours runs. */
static inline bool refs_on(void)
{
    rt_ensure_early();
    return lg_opt.refs;
}

/* The caller's stack, captured before the tracker runs with rt_busy raised
 * (inside the runtime: what it allocates gets no stack and no checks). */
static inline lg_stack_id tracker_enter(void)
{
    lg_stack_id stack = rt_capture();
    rt_busy++;
    return stack;
}

static inline void tracker_leave(void)
{
    rt_busy--;
}

static void api_object_new(const void *obj, const char *type)
{
    if (!refs_on() || !obj) return;
    lg_refs_new((uintptr_t)obj, type, tracker_enter());
    tracker_leave();
}

static void api_ref_get(const void *obj, const void *holder)
{
    if (!refs_on() || !obj) return;
    lg_refs_get((uintptr_t)obj, (uintptr_t)holder, tracker_enter());
    tracker_leave();
}

static void api_ref_put(const void *obj, const void *holder)
{
    if (!refs_on() || !obj) return;
    lg_refs_put((uintptr_t)obj, (uintptr_t)holder, tracker_enter());
    tracker_leave();
}

static void api_object_free(const void *obj)
{
    if (!refs_on() || !obj) return;
    lg_refs_free((uintptr_t)obj, tracker_enter());
    tracker_leave();
}

static void api_expect_freed(const void *obj, const char *why)
{
    if (!refs_on() || !obj) return;
    lg_refs_expect_freed((uintptr_t)obj, why, tracker_enter());
    tracker_leave();
}

static lg_checkpoint_t api_checkpoint(void)
{
    return refs_on() ? lg_refs_checkpoint() : 0;
}

static size_t api_check_since(lg_checkpoint_t since, const char *what)
{
    if (!refs_on()) return 0;
    size_t found = lg_refs_check_since(since, what, tracker_enter());
    tracker_leave();
    return found;
}

static size_t api_leak_check(void)
{
    rt_ensure_early();
    return lg_leaks_check_now();
}

RT_EXPORT const struct lg_api lifeguard_api_v1 = {
    .version = LIFEGUARD_API_VERSION,
    .size = sizeof(struct lg_api),
    .object_new = api_object_new,
    .ref_get = api_ref_get,
    .ref_put = api_ref_put,
    .object_free = api_object_free,
    .expect_freed = api_expect_freed,
    .checkpoint = api_checkpoint,
    .check_since = api_check_since,
    .leak_check = api_leak_check,
};

void lg_refs_at_exit(void)
{
    size_t leaked = lg_refs_exit_report();
    lg_refs_stats st;
    lg_refs_get_stats(&st);
    if (!st.objects_born) return;
    lg_report_summary_u64("ref_objects", st.objects_born);
    lg_report_summary_u64("ref_objects_leaked", leaked);
    lg_report_summary_u64("ref_gets", st.gets);
    lg_report_summary_u64("ref_puts", st.puts);
}
