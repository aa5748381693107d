/* test_header_freestanding.c — lifeguard.h built with
 * -DLIFEGUARD_FREESTANDING, as a kernel includes it: no <dlfcn.h>, the
 * calls go through the table the embedder sets in `lifeguard_api`.  A
 * recording table checks each call arrives with its arguments, none before
 * the table is set, and that an older (shorter) table's missing entries
 * are never called. */
#define LIFEGUARD_FREESTANDING
#include "lifeguard.h"

#ifdef RTLD_DEFAULT
#error "the freestanding header must not include <dlfcn.h>"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

const struct lg_api *lifeguard_api; /* the embedder's, NULL until ready */

static struct {
    int news, gets, puts, moves, frees, names, tokens, weak_sets, weak_uses, helpers, unless_zero, saturated;
    const void *obj, *holder, *to;
    char name[64];
    int why;
} seen;

static void rec_new(const void *obj, const char *type) { seen.news++; seen.obj = obj; (void)type; }
static void rec_get(const void *obj, const void *holder) { seen.gets++; seen.obj = obj; seen.holder = holder; }
static void rec_put(const void *obj, const void *holder) { seen.puts++; seen.obj = obj; seen.holder = holder; }
static void rec_free(const void *obj) { seen.frees++; seen.obj = obj; }
static void rec_expect(const void *obj, const char *why) { (void)obj, (void)why; }
static lg_checkpoint_t rec_checkpoint(void) { return 42; }
static size_t rec_check_since(lg_checkpoint_t since, const char *what) { (void)what; return (size_t)since; }
static size_t rec_leak_check(void) { return 7; }
static void rec_name(const void *obj, const char *fmt, va_list ap)
{
    seen.names++;
    seen.obj = obj;
    vsnprintf(seen.name, sizeof(seen.name), fmt, ap);
}
static void rec_move(const void *obj, const void *from, const void *to)
{
    seen.moves++;
    seen.obj = obj, seen.holder = from, seen.to = to;
}
static lg_ref_token_t rec_get_token(const void *obj, const void *holder)
{
    seen.tokens++;
    seen.obj = obj, seen.holder = holder;
    return 99;
}
static void rec_put_token(const void *obj, const void *holder, lg_ref_token_t token)
{
    seen.tokens += token == 99 ? 10 : 1000;
    seen.obj = obj, seen.holder = holder;
}
static void rec_unless_zero(const void *obj, const void *holder) { seen.unless_zero++; seen.obj = obj, seen.holder = holder; }
static void rec_saturated(const void *obj, int why) { seen.saturated++; seen.obj = obj; seen.why = why; }
static void rec_weak_set(const void *slot, const void *obj) { seen.weak_sets++; seen.holder = slot; seen.obj = obj; }
static void rec_weak_use(const void *slot, const void *obj) { seen.weak_uses++; seen.holder = slot; seen.obj = obj; }
static void rec_helper(const char *fn) { seen.helpers++; snprintf(seen.name, sizeof(seen.name), "%s", fn); }

static const struct lg_api table = {
    .version = LIFEGUARD_API_VERSION,
    .size = sizeof(struct lg_api),
    .object_new = rec_new,
    .ref_get = rec_get,
    .ref_put = rec_put,
    .object_free = rec_free,
    .expect_freed = rec_expect,
    .checkpoint = rec_checkpoint,
    .check_since = rec_check_since,
    .leak_check = rec_leak_check,
    .object_name = rec_name,
    .ref_move = rec_move,
    .ref_get_token = rec_get_token,
    .ref_put_token = rec_put_token,
    .ref_get_unless_zero = rec_unless_zero,
    .refcount_saturated = rec_saturated,
    .weak_set = rec_weak_set,
    .weak_use = rec_weak_use,
    .refcount_helper = rec_helper,
};

static int reset(void **state)
{
    (void)state;
    memset(&seen, 0, sizeof(seen));
    __atomic_store_n(&lifeguard_api, NULL, __ATOMIC_RELEASE);
    return 0;
}

static void nothing_is_called_before_the_table_is_set(void **state)
{
    (void)state;
    static int obj, holder;
    lg_object_new(&obj, "Task");
    lg_ref_get(&obj, &holder);
    lg_ref_put(&obj, &holder);
    assert_int_equal(lg_ref_get_token(&obj, &holder), 0);
    assert_int_equal(lg_checkpoint(), 0);
    assert_int_equal(lg_leak_check(), 0);
    lg_object_free(&obj);
    assert_int_equal(seen.news + seen.gets + seen.puts + seen.frees + seen.tokens, 0);
}

static void every_call_reaches_the_embedders_table(void **state)
{
    (void)state;
    static int obj, holder, other, slot;
    __atomic_store_n(&lifeguard_api, &table, __ATOMIC_RELEASE);
    lg_object_new(&obj, "Task");
    assert_int_equal(seen.news, 1);
    assert_ptr_equal(seen.obj, &obj);
    lg_object_name(&obj, "eth%d", 3);
    assert_string_equal(seen.name, "eth3");
    lg_ref_get(&obj, &holder);
    assert_int_equal(seen.gets, 1);
    assert_ptr_equal(seen.holder, &holder);
    lg_ref_move(&obj, &holder, &other);
    assert_int_equal(seen.moves, 1);
    assert_ptr_equal(seen.to, &other);
    lg_ref_put(&obj, &other);
    assert_int_equal(seen.puts, 1);
    lg_ref_token_t t = lg_ref_get_token(&obj, &holder);
    assert_int_equal(t, 99);
    lg_ref_put_token(&obj, &holder, t);
    assert_int_equal(seen.tokens, 11);
    lg_weak_set(&slot, &obj);
    assert_int_equal(seen.weak_sets, 1);
    lg_weak_use(&slot, &obj);
    assert_int_equal(seen.weak_uses, 1);
    lg_weak_clear(&slot);
    assert_int_equal(seen.weak_sets, 2);
    assert_null(seen.obj);
    lg_refcount_helper("dev_hold");
    assert_string_equal(seen.name, "dev_hold");
    assert_int_equal(lg_checkpoint(), 42);
    assert_int_equal(lg_check_since(5, "x"), 5);
    assert_int_equal(lg_leak_check(), 7);
    lg_object_free(&obj);
    assert_int_equal(seen.frees, 1);
}

static void refcount_reports_saturation_and_lookups(void **state)
{
    (void)state;
    static struct { lg_refcount_t ref; } o;
    __atomic_store_n(&lifeguard_api, &table, __ATOMIC_RELEASE);
    lg_refcount_init(&o.ref, &o, "Obj");
    assert_true(lg_refcount_get_unless_zero(&o.ref, &o, NULL));
    assert_int_equal(seen.unless_zero, 1);
    assert_int_equal(lg_refcount_read(&o.ref), 2);
    assert_false(lg_refcount_put(&o.ref, &o, NULL));
    assert_true(lg_refcount_put(&o.ref, &o, NULL));
    assert_false(lg_refcount_get_unless_zero(&o.ref, &o, NULL)); /* zero: no reference, no annotation */
    assert_int_equal(seen.unless_zero, 1);
    assert_int_equal(seen.saturated, 0);
    assert_false(lg_refcount_put(&o.ref, &o, NULL)); /* below zero */
    assert_int_equal(seen.saturated, 1);
    assert_int_equal(seen.why, LG_SATURATED_PUT_BELOW_ZERO);
    assert_int_equal(lg_refcount_read(&o.ref), LG_REFCOUNT_SATURATED);
    assert_false(lg_refcount_put(&o.ref, &o, NULL)); /* saturated already: said once */
    assert_int_equal(seen.saturated, 1);
    lg_refcount_t r = LG_REFCOUNT_INIT(INT32_MAX);
    lg_refcount_get(&r, &o, NULL);
    assert_int_equal(seen.why, LG_SATURATED_OVERFLOW);
    lg_refcount_t z = LG_REFCOUNT_INIT(0);
    lg_refcount_get(&z, &o, NULL);
    assert_int_equal(seen.why, LG_SATURATED_GET_FROM_ZERO);
    assert_int_equal(lg_refcount_read(&z), LG_REFCOUNT_SATURATED);
}

static void an_older_table_gets_no_call_past_its_size(void **state)
{
    (void)state;
    static int obj, holder, other;
    static struct lg_api old;
    old = table;
    old.size = (uint32_t)offsetof(struct lg_api, object_name); /* a version-1 runtime */
    old.object_name = NULL, old.ref_move = NULL, old.ref_get_token = NULL, old.ref_put_token = NULL;
    __atomic_store_n(&lifeguard_api, &old, __ATOMIC_RELEASE);
    lg_object_name(&obj, "x");
    lg_ref_move(&obj, &holder, &other);
    assert_int_equal(seen.names + seen.moves, 0);
    assert_int_equal(lg_ref_get_token(&obj, &holder), 0); /* falls back to a plain get */
    assert_int_equal(seen.gets, 1);
    lg_ref_put_token(&obj, &holder, 0);
    assert_int_equal(seen.puts, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(nothing_is_called_before_the_table_is_set, reset),
        cmocka_unit_test_setup(every_call_reaches_the_embedders_table, reset),
        cmocka_unit_test_setup(refcount_reports_saturation_and_lookups, reset),
        cmocka_unit_test_setup(an_older_table_gets_no_call_past_its_size, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
