/* test_bits.c — the core's portable pieces that user space does not run:
 * the soft 64-bit ctz/clz (riscv64 without Zbb), checked against the
 * compiler's builtins; lg_buf_udec's 16-bit-step division at its extremes
 * and the u64 parser's overflow edge, which on 32-bit targets avoid
 * libgcc's __udivdi3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/lg_core.h"

static void soft_bit_counts_match_the_builtins(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 64; i++) {
        uint64_t bit = 1ull << i;
        assert_int_equal(lg_ctz64_soft(bit), __builtin_ctzll(bit));
        assert_int_equal(lg_clz64_soft(bit), __builtin_clzll(bit));
        assert_int_equal(lg_ctz64_soft(bit | (1ull << 63)), __builtin_ctzll(bit | (1ull << 63)));
        assert_int_equal(lg_clz64_soft(bit | 1), __builtin_clzll(bit | 1));
    }
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t v = x >> (i % 64);
        if (!v) continue;
        assert_int_equal(lg_ctz64_soft(v), __builtin_ctzll(v));
        assert_int_equal(lg_clz64_soft(v), __builtin_clzll(v));
        assert_int_equal(lg_ctz64(v), __builtin_ctzll(v));
        assert_int_equal(lg_clz64(v), __builtin_clzll(v));
    }
}

static const char *udec(uint64_t v, char *out, size_t cap)
{
    lg_buf b;
    lg_buf_init(&b, out, cap);
    lg_buf_udec(&b, v);
    return lg_buf_cstr(&b);
}

static void decimal_digits_at_the_extremes(void **state)
{
    (void)state;
    char out[32];
    assert_string_equal(udec(0, out, sizeof(out)), "0");
    assert_string_equal(udec(9, out, sizeof(out)), "9");
    assert_string_equal(udec(10, out, sizeof(out)), "10");
    assert_string_equal(udec(65535, out, sizeof(out)), "65535");
    assert_string_equal(udec(65536, out, sizeof(out)), "65536");
    assert_string_equal(udec(4294967296ull, out, sizeof(out)), "4294967296");
    assert_string_equal(udec(UINT64_MAX, out, sizeof(out)), "18446744073709551615");
    assert_string_equal(udec(10000000000000000000ull, out, sizeof(out)), "10000000000000000000");
}

static void u64_parse_overflow_edge(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(lg_parse_u64("18446744073709551615", 20, &v));
    assert_true(v == UINT64_MAX);
    assert_false(lg_parse_u64("18446744073709551616", 20, &v));
    assert_false(lg_parse_u64("18446744073709551620", 20, &v));
    assert_false(lg_parse_u64("99999999999999999999", 20, &v));
    assert_true(lg_parse_u64("1844674407370955161", 19, &v));
    assert_true(v == 1844674407370955161ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(soft_bit_counts_match_the_builtins),
        cmocka_unit_test(decimal_digits_at_the_extremes),
        cmocka_unit_test(u64_parse_overflow_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
