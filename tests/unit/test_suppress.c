/* test_suppress.c — suppression files: syntax errors and matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/lg_suppress.h"

static void bad_lines_are_named(void **state)
{
    (void)state;
    char err[128];
    const char *bad_kind = "# comment\n\nleak:foo\nlaek:bar\n";
    assert_false(lg_suppress_parse(bad_kind, strlen(bad_kind), err, sizeof err));
    assert_string_equal(err, "suppressions line 4: unknown finding kind");
    const char *no_colon = "leak\n";
    assert_false(lg_suppress_parse(no_colon, strlen(no_colon), err, sizeof err));
    assert_string_equal(err, "suppressions line 1: expected KIND:PATTERN");
}

__attribute__((noinline)) static void marker_function(void) { __asm__ volatile(""); }

static void matches_function_names_and_modules(void **state)
{
    (void)state;
    char err[128];
    const char *rules = "double-free:marker_*\n";
    assert_true(lg_suppress_parse(rules, strlen(rules), err, sizeof err));
    uintptr_t pcs[] = {(uintptr_t)marker_function + 1}; /* a "return address" just past the start */
    lg_stack_id in_marker = lg_depot_put(pcs, 1);
    assert_true(lg_suppressed(LG_DOUBLE_FREE, in_marker));
    assert_false(lg_suppressed(LG_LEAK, in_marker));
    assert_true(lg_suppress_add("leak", "test_suppress")); /* module path substring */
    assert_true(lg_suppressed(LG_LEAK, in_marker));
    uintptr_t elsewhere[] = {(uintptr_t)lg_suppress_parse + 1};
    assert_false(lg_suppressed(LG_DOUBLE_FREE, lg_depot_put(elsewhere, 1)));
}

/* What gcc -O2 names a clone of clone_target (a constant argument propagated). */
__attribute__((noinline)) static void clone_target(void) __asm__("clone_target.constprop.0");
static void clone_target(void) { __asm__ volatile(""); }

static void clones_match_their_function(void **state)
{
    (void)state;
    assert_int_equal(lg_fn_base_len("get.constprop.0", 15), 3);
    assert_int_equal(lg_fn_base_len("get.isra.0.part.1", 17), 3);
    assert_int_equal(lg_fn_base_len("get.cold", 8), 3);
    assert_int_equal(lg_fn_base_len("get.local.0", 11), 11); /* not a clone suffix */
    assert_int_equal(lg_fn_base_len("get", 3), 3);
    uintptr_t pcs[] = {(uintptr_t)clone_target + 1};
    lg_stack_id in_clone = lg_depot_put(pcs, 1);
    assert_false(lg_suppressed(LG_INVALID_FREE, in_clone));
    assert_true(lg_suppress_add("invalid-free", "clone_targe"));  /* a prefix is not the name */
    assert_false(lg_suppressed(LG_INVALID_FREE, in_clone));
    assert_true(lg_suppress_add("invalid-free", "clone_target")); /* the name the source gives it */
    assert_true(lg_suppressed(LG_INVALID_FREE, in_clone));
    assert_false(lg_suppressed(LG_HEAP_OVERFLOW, in_clone));
    assert_true(lg_suppress_add("heap-overflow", "clone_tar*et")); /* a glob, against the name too */
    assert_true(lg_suppressed(LG_HEAP_OVERFLOW, in_clone));
    assert_false(lg_suppressed(LG_USE_AFTER_FREE, in_clone));
    assert_true(lg_suppress_add("use-after-free", "clone_target.constprop.0")); /* and the clone's own name */
    assert_true(lg_suppressed(LG_USE_AFTER_FREE, in_clone));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_lines_are_named),
        cmocka_unit_test(matches_function_names_and_modules),
        cmocka_unit_test(clones_match_their_function),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
