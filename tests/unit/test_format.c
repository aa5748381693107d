/* test_format.c — the core's text buffer and printf subset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/lg_core.h"

static void printf_subset(void **state)
{
    (void)state;
    char mem[128];
    lg_buf b;
    lg_buf_init(&b, mem, sizeof(mem));
    lg_buf_printf(&b, "%s|%d|%u|%zu|%lld|%llu|%x|%lx|%p|%c|%%", "str", -42, 42u, (size_t)7, -9000000000ll,
                  18000000000000000000ull, 0xbeefu, 0x7f00dead00ul, (void *)0x10, 'z');
    assert_string_equal(lg_buf_cstr(&b), "str|-42|42|7|-9000000000|18000000000000000000|beef|7f00dead00|0x10|z|%");
}

static void cut_text_keeps_wanted_length(void **state)
{
    (void)state;
    char mem[8];
    lg_buf b;
    lg_buf_init(&b, mem, sizeof(mem));
    lg_buf_puts(&b, "0123456789");
    assert_int_equal(b.len, 10);
    assert_string_equal(lg_buf_cstr(&b), "0123456");
}

static void json_strings_are_escaped(void **state)
{
    (void)state;
    char mem[64];
    lg_buf b;
    lg_buf_init(&b, mem, sizeof(mem));
    lg_buf_json_str(&b, "a\"b\\c\nd\x01");
    assert_string_equal(lg_buf_cstr(&b), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

static void parse_u64_rejects_garbage_and_overflow(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_true(lg_parse_u64("18446744073709551615", 20, &v));
    assert_true(v == UINT64_MAX);
    assert_false(lg_parse_u64("18446744073709551616", 20, &v));
    assert_false(lg_parse_u64("12a", 3, &v));
    assert_false(lg_parse_u64("", 0, &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(printf_subset),
        cmocka_unit_test(cut_text_keeps_wanted_length),
        cmocka_unit_test(json_strings_are_escaped),
        cmocka_unit_test(parse_u64_rejects_garbage_and_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
