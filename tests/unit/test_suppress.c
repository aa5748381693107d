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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_lines_are_named),
        cmocka_unit_test(matches_function_names_and_modules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
