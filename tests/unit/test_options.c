/* test_options.c — LIFEGUARD_OPTIONS parsing: values, ranges, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/lg_core.h"

static void defaults(void **state)
{
    (void)state;
    lg_options o;
    lg_options_defaults(&o);
    assert_int_equal(o.exitcode, 1);
    assert_int_equal(o.quarantine_mb, 64);
    assert_true(o.stacks);
    assert_string_equal(o.log_path, "");
}

static void parses_every_type(void **state)
{
    (void)state;
    lg_options o;
    char err[128] = "";
    lg_options_defaults(&o);
    assert_true(lg_options_parse(&o, "exitcode=42:stacks=0:log_path=/tmp/x.log::halt_on_error=true:", err, sizeof err));
    assert_int_equal(o.exitcode, 42);
    assert_false(o.stacks);
    assert_true(o.halt_on_error);
    assert_string_equal(o.log_path, "/tmp/x.log");
}

static void errors_name_the_problem(void **state)
{
    (void)state;
    lg_options o;
    char err[128];
    lg_options_defaults(&o);
    assert_false(lg_options_parse(&o, "stacks=1:colour=blue", err, sizeof err));
    assert_string_equal(err, "unknown option 'colour' (see lifeguard --help)");
    assert_false(lg_options_parse(&o, "stacks=maybe", err, sizeof err));
    assert_string_equal(err, "option 'stacks' takes 0 or 1, not 'maybe'");
    assert_false(lg_options_parse(&o, "exitcode=300", err, sizeof err));
    assert_non_null(strstr(err, "'exitcode' has a bad value '300'"));
    assert_false(lg_options_parse(&o, "stack_depth=0", err, sizeof err));
    assert_int_equal(o.guard_first_burst, 64);
    assert_false(lg_options_parse(&o, "guard_first_burst=1025", err, sizeof err));
    assert_non_null(strstr(err, "'guard_first_burst' has a bad value '1025'"));
    assert_true(lg_options_parse(&o, "guard_first_burst=1024", err, sizeof err));
    assert_int_equal(o.guard_first_burst, 1024);
    assert_int_equal(o.guard_batch, 32);
    assert_false(lg_options_parse(&o, "guard_batch=65", err, sizeof err));
    assert_non_null(strstr(err, "'guard_batch' has a bad value '65'"));
    assert_true(lg_options_parse(&o, "guard_batch=0", err, sizeof err));
    assert_int_equal(o.guard_batch, 0);
    assert_false(lg_options_parse(&o, "redzone", err, sizeof err));
    assert_string_equal(err, "option entry 'redzone' is not key=value");
    assert_false(lg_options_parse(&o, "=3", err, sizeof err));
}

/* ASan's habits: ',' between entries; a bad entry skipped, the rest applied. */
static void commas_and_bad_entries(void **state)
{
    (void)state;
    lg_options o;
    char err[256];
    lg_options_defaults(&o);
    assert_true(lg_options_parse(&o, "exitcode=5,stacks=0:leaks=0", err, sizeof err));
    assert_int_equal(o.exitcode, 5);
    assert_false(o.stacks);
    assert_false(o.leaks);
    lg_options_defaults(&o);
    assert_false(lg_options_parse(&o, "colour=blue,exitcode=7:stacks=maybe:json_path=/r.json", err, sizeof err));
    assert_int_equal(o.exitcode, 7);
    assert_string_equal(o.json_path, "/r.json");
    assert_string_equal(err, "unknown option 'colour' (see lifeguard --help); option 'stacks' takes 0 or 1, not 'maybe'");
}

static int visits;
static void count_visit(const char *name, const char *type, const char *def, const char *help, void *ctx)
{
    (void)type, (void)def, (void)ctx;
    assert_true(name[0] && help[0]);
    visits++;
}

static void table_is_walkable(void **state)
{
    (void)state;
    lg_options_each(count_visit, NULL);
    assert_true(visits > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(parses_every_type),
        cmocka_unit_test(errors_name_the_problem),
        cmocka_unit_test(commas_and_bad_entries),
        cmocka_unit_test(table_is_walkable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
