/* test_heap_guard.c — the guarded tier and the fault reporter driven
 * directly: where a guarded block sits, what lookups say about its guard
 * page and its freed pages, and how lg_fault classifies and reports. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/lg_fault.h"
#include "core/lg_heap.h"

static size_t page;

static int setup(void **state)
{
    (void)state;
    lg_options_defaults(&lg_opt);
    memcpy(lg_opt.guard, "all", 4);
    lg_report_channel = open("/dev/null", O_WRONLY);
    page = (size_t)sysconf(_SC_PAGESIZE);
    return lg_heap_init() ? 0 : -1;
}

/* Whether the byte at addr can be read: the kernel says EFAULT otherwise. */
static bool accessible(uintptr_t addr)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    bool ok = write(fds[1], (const void *)addr, 1) == 1;
    close(fds[0]);
    close(fds[1]);
    return ok;
}

static void block_ends_at_its_guard_page(void **state)
{
    (void)state;
    char *p = lg_heap_alloc(64, LG_ALIGN_MALLOC, 0, 1);
    assert_non_null(p);
    assert_true(lg_guard_owns((uintptr_t)p));
    assert_int_equal(((uintptr_t)p + 64) % page, 0);
    memset(p, 1, 64);
    lg_block b;
    assert_true(lg_heap_find((uintptr_t)p + 64, &b)); /* the guard page names it */
    assert_true(b.user == (uintptr_t)p && b.size == 64 && b.size_class == LG_GUARD_CLASS);
    lg_fault f = {.addr = (uintptr_t)p + 64, .access = LG_ACCESS_WRITE, .tid = 1};
    assert_true(lg_fault_is_heap(&f));
    f.addr = (uintptr_t)p + 8; /* inside a live block: the program's own protection */
    assert_false(lg_fault_is_heap(&f));
    uint64_t before = lg_report_kind_count(LG_HEAP_OVERFLOW);
    f.addr = (uintptr_t)p + 64 + 100;
    assert_true(lg_fault_report(&f));
    assert_int_equal(lg_report_kind_count(LG_HEAP_OVERFLOW), before + 1);
    assert_true(lg_heap_free(p, 0, 1, "free"));
}

static void odd_blocks_start_at_the_guard_below(void **state)
{
    (void)state;
    lg_heap_cache *cache = lg_heap_cache_acquire();
    assert_non_null(cache);
    char *a = lg_heap_alloc_cached(cache, 40, LG_ALIGN_MALLOC, 7, 1);
    char *b = lg_heap_alloc_cached(cache, 40, LG_ALIGN_MALLOC, 7, 1);
    assert_true(lg_guard_owns((uintptr_t)a) && lg_guard_owns((uintptr_t)b));
    assert_int_equal(((uintptr_t)a + 48) % page, 0); /* 16-byte aligned end */
    assert_int_equal((uintptr_t)b % page, 0);
    lg_block found;
    assert_true(lg_heap_find((uintptr_t)b - 1, &found)); /* just below: b, not a */
    assert_true(found.user == (uintptr_t)b);
    assert_true(lg_heap_free_cached(cache, a, 0, 1, "free"));
    assert_true(lg_heap_free_cached(cache, b, 0, 1, "free"));
    lg_heap_cache_release(cache);
}

static void freed_pages_are_inaccessible_and_reported(void **state)
{
    (void)state;
    char *p = lg_heap_alloc(3000, LG_ALIGN_MALLOC, 0, 1);
    assert_non_null(p);
    memset(p, 2, 3000);
    assert_true(accessible((uintptr_t)p));
    assert_true(lg_heap_free(p, 0, 1, "free"));
    assert_false(accessible((uintptr_t)p));
    lg_fault f = {.addr = (uintptr_t)p + 10, .access = LG_ACCESS_READ, .tid = 1};
    assert_true(lg_fault_is_heap(&f));
    uint64_t before = lg_report_kind_count(LG_USE_AFTER_FREE);
    assert_true(lg_fault_report(&f));
    assert_int_equal(lg_report_kind_count(LG_USE_AFTER_FREE), before + 1);
    lg_quarantine_drain(); /* evicted: reusable, the exit checks do not touch its pages */
}

static void budget_spent_means_ordinary_blocks(void **state)
{
    (void)state;
    uint64_t saved = lg_opt.guard_blocks;
    size_t live, bytes, total;
    lg_guard_stats(&live, &bytes, &total);
    lg_opt.guard_blocks = live; /* no room */
    char *p = lg_heap_alloc(64, LG_ALIGN_MALLOC, 0, 1);
    assert_false(lg_guard_owns((uintptr_t)p));
    assert_true(lg_heap_free(p, 0, 1, "free"));
    lg_opt.guard_blocks = saved;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_ends_at_its_guard_page),
        cmocka_unit_test(odd_blocks_start_at_the_guard_below),
        cmocka_unit_test(freed_pages_are_inaccessible_and_reported),
        cmocka_unit_test(budget_spent_means_ordinary_blocks),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
