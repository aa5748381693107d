/* test_leaks_own_maps.c — the registry of the runtime's own mappings that
 * the leak scan leaves out of its roots (lg_pal_own_maps), and the heap's
 * lock-free lookups the scan uses while it holds every heap lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/lg_heap.h"

static uintptr_t table[4096][2];

static bool listed(const void *p, size_t size)
{
    size_t n = lg_pal_own_maps(table, 4096);
    for (size_t i = 0; i < n; i++)
        if (table[i][0] == (uintptr_t)p && table[i][1] >= (uintptr_t)p + size) return true;
    return false;
}

static void maps_are_listed_until_unmapped(void **state)
{
    (void)state;
    void *a = lg_pal_map(100);
    void *b = lg_pal_map(3 << 20);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(listed(a, 100));
    assert_true(listed(b, 3 << 20));
    size_t n = lg_pal_own_maps(table, 4096);
    for (size_t i = 0; i < n; i++)
        if (table[i][0] == (uintptr_t)a) assert_int_equal(table[i][1] % lg_pal_page_size(), 0); /* whole pages */
    lg_pal_unmap(a, 100);
    assert_false(listed(a, 100));
    assert_true(listed(b, 3 << 20));
    lg_pal_unmap(b, 3 << 20);
    assert_false(listed(b, 3 << 20));
}

static void locked_lookups_find_live_blocks(void **state)
{
    (void)state;
    lg_options_defaults(&lg_opt);
    memcpy(lg_opt.guard, "off", 4); /* the size classes are under test, not the guarded tier */
    assert_true(lg_heap_init());
    char *small = lg_heap_alloc(40, 16, 0, 1);
    char *large = lg_heap_alloc(1 << 20, 16, 0, 1);
    assert_non_null(small);
    assert_non_null(large);
    lg_block b;
    lg_heap_lock_all();
    assert_true(lg_heap_find_live_locked((uintptr_t)small + 17, &b));
    assert_int_equal(b.user, (uintptr_t)small);
    assert_true(lg_heap_find_live_locked((uintptr_t)small + 40, &b)); /* one past the end */
    assert_false(lg_heap_find_live_locked((uintptr_t)small + 41, &b));
    assert_false(lg_heap_find_live_locked((uintptr_t)small - 1, &b));
    assert_true(lg_heap_find_live_locked((uintptr_t)large + 12345, &b));
    assert_int_equal(b.user, (uintptr_t)large);
    uintptr_t lo, hi;
    lg_heap_range(&lo, &hi);
    assert_true((uintptr_t)small >= lo && (uintptr_t)small < hi);
    lg_heap_unlock_all();
    lg_heap_free(small, 0, 1, "free");
    lg_heap_lock_all();
    assert_false(lg_heap_find_live_locked((uintptr_t)small, &b));
    assert_true(lg_heap_find_locked((uintptr_t)small, &b)); /* still a slot */
    lg_heap_unlock_all();
    lg_heap_free(large, 0, 1, "free");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maps_are_listed_until_unmapped),
        cmocka_unit_test(locked_lookups_find_live_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
