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
 * (inside the runtime: what it allocates gets no stack and no checks).  A
 * macro: the walk starts above the entry point's own frame (which
 * __builtin_frame_address makes keep a frame pointer), at the program's
 * function, instead of climbing the capture's and the entry's frames. */
#define tracker_enter() tracker_enter_above(__builtin_frame_address(0))

static inline __attribute__((always_inline)) lg_stack_id tracker_enter_above(const void *frame)
{
    lg_stack_id stack = lg_opt.stacks ? rt_capture_above(frame, 0) : 0; /* no call with stacks=0 */
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

/* The tracker's own path of a get or put, with the runtime's bookkeeping
 * around it: lg_refs_get_or and lg_refs_put_or hand a call over to these
 * when the object's lock alone does not serve it.  The options are read
 * here, the quick path needs none (no object is born before they are). */
static void ref_get_slow(uintptr_t obj, uintptr_t holder, lg_stack_id stack)
{
    if (!refs_on() || !obj) return;
    rt_busy++;
    lg_refs_get(obj, holder, stack);
    rt_busy--;
}

static void ref_put_slow(uintptr_t obj, uintptr_t holder, lg_stack_id stack)
{
    if (!refs_on() || !obj) return;
    rt_busy++;
    lg_refs_put(obj, holder, stack);
    rt_busy--;
}

/* With stacks the get and put entries jump to a twin (a tail call, so the
 * twin's caller is the program's function) that keeps the frame pointer
 * the capture needs; with stacks=0 they jump straight into the tracker,
 * keeping no frame (a frame pointer cost 7 instructions a call: the
 * registers it takes).  Should the compiler make the jump a call (-O0),
 * the walk starts in the entry, whose frame the store drops as the
 * runtime's own: the same stack.  The options are read after the test,
 * but stacks is on until they are: a call that finds it off has read them. */
static __attribute__((noinline)) void ref_get_stacked(const void *obj, const void *holder)
{
    if (!refs_on() || !obj) return;
    lg_refs_get_or((uintptr_t)obj, (uintptr_t)holder, rt_capture_above(__builtin_frame_address(0), 0), ref_get_slow);
}

static void api_ref_get(const void *obj, const void *holder)
{
    if (LG_LIKELY(lg_opt.stacks)) ref_get_stacked(obj, holder);
    else lg_refs_get_or((uintptr_t)obj, (uintptr_t)holder, 0, ref_get_slow);
}

static __attribute__((noinline)) void ref_put_stacked(const void *obj, const void *holder)
{
    if (!refs_on() || !obj) return;
    lg_refs_put_or((uintptr_t)obj, (uintptr_t)holder, rt_capture_above(__builtin_frame_address(0), 0), ref_put_slow);
}

static void api_ref_put(const void *obj, const void *holder)
{
    if (LG_LIKELY(lg_opt.stacks)) ref_put_stacked(obj, holder);
    else lg_refs_put_or((uintptr_t)obj, (uintptr_t)holder, 0, ref_put_slow);
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

static void api_object_name(const void *obj, const char *fmt, va_list ap)
{
    if (!refs_on() || !obj || !fmt) return;
    char text[64];
    lg_buf b;
    lg_buf_init(&b, text, sizeof(text));
    lg_buf_vprintf(&b, fmt, ap);
    rt_busy++;
    lg_refs_name((uintptr_t)obj, lg_buf_cstr(&b));
    rt_busy--;
}

static void api_ref_move(const void *obj, const void *from, const void *to)
{
    if (!refs_on() || !obj) return;
    lg_refs_move((uintptr_t)obj, (uintptr_t)from, (uintptr_t)to, tracker_enter());
    tracker_leave();
}

/* The token entries' own paths, as ref_get_slow and ref_put_slow. */
static uint64_t ref_get_token_slow(uintptr_t obj, uintptr_t holder, lg_stack_id stack)
{
    if (!refs_on() || !obj) return 0;
    rt_busy++;
    uint64_t token = lg_refs_get_token(obj, holder, stack);
    rt_busy--;
    return token;
}

static void ref_put_token_slow(uintptr_t obj, uintptr_t holder, uint64_t token, lg_stack_id stack)
{
    if (!refs_on() || !obj) return;
    rt_busy++;
    lg_refs_put_token(obj, holder, token, stack);
    rt_busy--;
}

static __attribute__((noinline)) lg_ref_token_t ref_get_token_stacked(const void *obj, const void *holder)
{
    if (!refs_on() || !obj) return 0;
    return lg_refs_get_token_or((uintptr_t)obj, (uintptr_t)holder, rt_capture_above(__builtin_frame_address(0), 0),
                                ref_get_token_slow);
}

static lg_ref_token_t api_ref_get_token(const void *obj, const void *holder)
{
    if (LG_LIKELY(lg_opt.stacks)) return ref_get_token_stacked(obj, holder);
    return lg_refs_get_token_or((uintptr_t)obj, (uintptr_t)holder, 0, ref_get_token_slow);
}


static __attribute__((noinline)) void ref_put_token_stacked(const void *obj, const void *holder,
                                                            lg_ref_token_t token)
{
    if (!refs_on() || !obj) return;
    lg_refs_put_token_or((uintptr_t)obj, (uintptr_t)holder, token, rt_capture_above(__builtin_frame_address(0), 0),
                         ref_put_token_slow);
}

static void api_ref_put_token(const void *obj, const void *holder, lg_ref_token_t token)
{
    if (LG_LIKELY(lg_opt.stacks)) ref_put_token_stacked(obj, holder, token);
    else lg_refs_put_token_or((uintptr_t)obj, (uintptr_t)holder, token, 0, ref_put_token_slow);
}

static __attribute__((noinline)) void ref_get_unless_zero_stacked(const void *obj, const void *holder)
{
    if (!refs_on() || !obj) return;
    lg_refs_get_unless_zero((uintptr_t)obj, (uintptr_t)holder, tracker_enter());
    tracker_leave();
}

static __attribute__((noinline)) void ref_get_unless_zero_plain(const void *obj, const void *holder)
{
    if (!refs_on() || !obj) return;
    rt_busy++;
    lg_refs_get_unless_zero((uintptr_t)obj, (uintptr_t)holder, 0);
    rt_busy--;
}

static void api_ref_get_unless_zero(const void *obj, const void *holder)
{
    if (LG_LIKELY(lg_opt.stacks)) ref_get_unless_zero_stacked(obj, holder);
    else ref_get_unless_zero_plain(obj, holder);
}

_Static_assert(LG_SATURATED_GET_FROM_ZERO == (int)LG_REFS_SAT_FROM_ZERO && LG_SATURATED_OVERFLOW == (int)LG_REFS_SAT_OVERFLOW &&
                   LG_SATURATED_PUT_BELOW_ZERO == (int)LG_REFS_SAT_BELOW_ZERO,
               "lifeguard.h and the tracker name saturations alike");

static void api_refcount_saturated(const void *obj, int why)
{
    if (!refs_on() || !obj) return;
    lg_refs_saturated((uintptr_t)obj, why, tracker_enter());
    tracker_leave();
}

static void api_weak_set(const void *slot, const void *obj)
{
    if (!refs_on() || !slot) return;
    lg_refs_weak_set((uintptr_t)slot, (uintptr_t)obj, tracker_enter());
    tracker_leave();
}

static void api_weak_use(const void *slot, const void *obj)
{
    if (!refs_on() || !slot) return;
    lg_refs_weak_use((uintptr_t)slot, (uintptr_t)obj, tracker_enter());
    tracker_leave();
}

static void api_refcount_helper(const char *function)
{
    rt_ensure_early();
    rt_busy++;
    lg_refs_helper(function);
    rt_busy--;
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
    .object_name = api_object_name,
    .ref_move = api_ref_move,
    .ref_get_token = api_ref_get_token,
    .ref_put_token = api_ref_put_token,
    .ref_get_unless_zero = api_ref_get_unless_zero,
    .refcount_saturated = api_refcount_saturated,
    .weak_set = api_weak_set,
    .weak_use = api_weak_use,
    .refcount_helper = api_refcount_helper,
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
