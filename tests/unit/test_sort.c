/* test_sort.c — lg_sort: order, permutation, element sizes, context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/lg_core.h"

typedef struct wide {
    uint64_t key;
    uint64_t payload[4];
} wide;

static bool u64_before(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return *(const uint64_t *)a < *(const uint64_t *)b;
}

static bool wide_after(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return ((const wide *)a)->key > ((const wide *)b)->key;
}

static bool byte_before(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    return *(const unsigned char *)a < *(const unsigned char *)b;
}

static bool index_before(const void *a, const void *b, void *ctx)
{
    const uint64_t *keys = ctx;
    return keys[*(const uint32_t *)a] < keys[*(const uint32_t *)b];
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void sorts_words_of_every_length(void **state)
{
    (void)state;
    uint64_t seed = 88172645463325252ull;
    static uint64_t v[5000];
    for (size_t n = 0; n <= 5000; n = n < 20 ? n + 1 : n * 3) {
        uint64_t sum = 0, sorted_sum = 0;
        for (size_t i = 0; i < n; i++) sum += v[i] = next_random(&seed) % 1000;
        lg_sort(v, n, sizeof(*v), u64_before, NULL);
        for (size_t i = 0; i < n; i++) {
            sorted_sum += v[i];
            if (i) assert_true(v[i - 1] <= v[i]);
        }
        assert_int_equal(sum, sorted_sum); /* a permutation, not a rewrite */
    }
}

static void sorts_wide_elements_descending_with_payload(void **state)
{
    (void)state;
    wide w[257];
    for (size_t i = 0; i < 257; i++) w[i] = (wide){(i * 7919) % 257, {i, i, i, i}};
    lg_sort(w, 257, sizeof(*w), wide_after, NULL);
    for (size_t i = 0; i < 257; i++) {
        assert_int_equal(w[i].key, 256 - i);
        assert_int_equal((w[i].payload[0] * 7919) % 257, w[i].key); /* moved whole */
    }
}

static void sorts_odd_sized_elements(void **state)
{
    (void)state;
    unsigned char b[] = {9, 3, 7, 1, 8, 2, 6, 4, 5, 0};
    lg_sort(b, sizeof(b), 1, byte_before, NULL);
    for (unsigned i = 0; i < sizeof(b); i++) assert_int_equal(b[i], i);
}

static void passes_the_context(void **state)
{
    (void)state;
    uint64_t keys[] = {50, 10, 40, 20, 30};
    uint32_t order[] = {0, 1, 2, 3, 4};
    lg_sort(order, 5, sizeof(*order), index_before, keys);
    uint32_t want[] = {1, 3, 4, 2, 0};
    for (int i = 0; i < 5; i++) assert_int_equal(order[i], want[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorts_words_of_every_length),
        cmocka_unit_test(sorts_wide_elements_descending_with_payload),
        cmocka_unit_test(sorts_odd_sized_elements),
        cmocka_unit_test(passes_the_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
