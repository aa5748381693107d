/* test_heap.c — the checked allocator driven directly, with its findings
 * counted: layout, poison, quarantine, lookups, and each heap error. */
#include <fcntl.h>
#include <sys/mman.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/lg_heap.h"

static int setup(void **state)
{
    (void)state;
    lg_options_defaults(&lg_opt);
    memcpy(lg_opt.guard, "off", 4); /* the size classes are under test, not the guarded tier */
    lg_report_channel = open("/dev/null", O_WRONLY);
    return lg_heap_init() ? 0 : -1;
}

static void alloc_is_aligned_and_findable(void **state)
{
    (void)state;
    for (size_t size = 0; size < 5000; size += 13) {
        char *p = lg_heap_alloc(size, 16, 0, 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        lg_block b;
        assert_true(lg_heap_find_live((uintptr_t)p + size / 2, &b));
        assert_true(b.user == (uintptr_t)p && b.size == size);
        assert_int_equal(lg_heap_usable_size(p), size);
        memset(p, 0xab, size);
        assert_true(lg_heap_free(p, 0, 1, "free"));
    }
}

static void large_and_aligned_blocks(void **state)
{
    (void)state;
    char *big = lg_heap_alloc(3 << 20, 16, 0, 1);
    assert_non_null(big);
    memset(big, 1, 3 << 20);
    lg_block b;
    assert_true(lg_heap_find((uintptr_t)big + 12345, &b));
    assert_int_equal(b.size_class, LG_LARGE_CLASS);
    assert_true(lg_heap_free(big, 0, 1, "free"));
    void *a = lg_heap_alloc(100, 8192, 0, 1);
    assert_int_equal((uintptr_t)a % 8192, 0);
    assert_true(lg_heap_free(a, 0, 1, "free"));
}

static void freed_memory_holds_a_poison_that_names_it(void **state)
{
    (void)state;
    void **p = lg_heap_alloc(16, 16, 0, 1);
    uintptr_t block = (uintptr_t)p;
    assert_true(lg_heap_free(p, 0, 1, "free"));
    uintptr_t word = (uintptr_t)p[0]; /* a read out of freed memory, on purpose */
    uint32_t qtag, size_class, slot;
    assert_true(lg_poison_decode(word, &qtag));
    assert_true(lg_poison_decode(word + 0x40, &qtag)); /* field offsets stay in the window */
    assert_true(lg_quarantine_lookup(qtag, &size_class, &slot));
    lg_block b;
    assert_true(lg_heap_find(block, &b));
    assert_int_equal(b.slot, slot);
    assert_int_equal(b.meta->state, LG_BLOCK_QUARANTINED);
}

static void heap_errors_are_reported_and_refused(void **state)
{
    (void)state;
    char *p = lg_heap_alloc(64, 16, 0, 1);
    uint64_t before = lg_report_kind_count(LG_INVALID_FREE);
    assert_false(lg_heap_free(p + 16, 0, 1, "free"));
    assert_int_equal(lg_report_kind_count(LG_INVALID_FREE), before + 1);
    assert_true(lg_heap_free(p, 0, 1, "free"));
    before = lg_report_kind_count(LG_DOUBLE_FREE);
    assert_false(lg_heap_free(p, 0, 1, "free"));
    assert_int_equal(lg_report_kind_count(LG_DOUBLE_FREE), before + 1);

    char *q = lg_heap_alloc(10, 16, 0, 1);
    q[10] = 'x'; /* one byte into the right redzone */
    before = lg_report_kind_count(LG_HEAP_OVERFLOW);
    assert_true(lg_heap_free(q, 0, 1, "free"));
    assert_int_equal(lg_report_kind_count(LG_HEAP_OVERFLOW), before + 1);

    void **s = lg_heap_alloc(32, 16, 0, 1);
    lg_heap_free(s, 0, 1, "free");
    before = lg_report_kind_count(LG_STALE_POINTER);
    assert_false(lg_heap_free(s[1], 0, 1, "free"));
    assert_int_equal(lg_report_kind_count(LG_STALE_POINTER), before + 1);
}

static void write_after_free_found_at_eviction(void **state)
{
    (void)state;
    lg_quarantine_drain(); /* what earlier tests freed (a large block weighs its pages) would evict p at once */
    lg_opt.quarantine_mb = 1;
    char *p = lg_heap_alloc(40, 16, 0, 1);
    lg_heap_free(p, 0, 1, "free");
    p[5] ^= 0x5a; /* on purpose: a changed byte, whatever the poison holds there */
    uint64_t before = lg_report_kind_count(LG_WRITE_AFTER_FREE);
    for (int i = 0; i < 40; i++) lg_heap_free(lg_heap_alloc(64 << 10, 16, 0, 1), 0, 1, "free");
    assert_int_equal(lg_report_kind_count(LG_WRITE_AFTER_FREE), before + 1);
    lg_opt.quarantine_mb = 64;
}

static void slots_are_reused_only_after_quarantine(void **state)
{
    (void)state;
    lg_opt.quarantine_mb = 1;
    char *first = lg_heap_alloc(24, 16, 0, 1);
    lg_heap_free(first, 0, 1, "free");
    char *second = lg_heap_alloc(24, 16, 0, 1);
    assert_ptr_not_equal(first, second);
    lg_heap_free(second, 0, 1, "free");
    lg_quarantine_drain();
    lg_opt.quarantine_mb = 64;
}

/* free and realloc keep a large block's metadata pointer after the table
 * lock is dropped: the table's growth must not move the records. */
static void large_records_stay_put_while_the_table_grows(void **state)
{
    (void)state;
    enum { MANY = 5000 };
    static void *held[MANY];
    char *first = lg_heap_alloc(200000, 16, 0, 1);
    lg_block before, after;
    assert_true(lg_heap_find((uintptr_t)first, &before));
    for (int i = 0; i < MANY; i++) assert_non_null(held[i] = lg_heap_alloc(140000, 16, 0, 1));
    assert_true(lg_heap_find((uintptr_t)first, &after));
    assert_ptr_equal(before.meta, after.meta);
    for (int i = 0; i < MANY; i++) assert_true(lg_heap_free(held[i], 0, 1, "free"));
    assert_true(lg_heap_free(first, 0, 1, "free"));
    lg_quarantine_drain();
}

/* Whether the page at p is in memory (whatever its protection). */
static bool resident(const void *p)
{
    unsigned char in = 0;
    uintptr_t page = (uintptr_t)p & ~(uintptr_t)4095;
    assert_int_equal(mincore((void *)page, 4096, &in), 0);
    return in & 1;
}

/* A large block out of the quarantine leaves its mapping, pages and all,
 * to the next large block it can hold; what the new block does not use is
 * given back, and the new block still ends against an inaccessible page. */
static void large_mapping_is_reused_after_quarantine(void **state)
{
    (void)state;
    lg_quarantine_drain();
    char *first = lg_heap_alloc(500 << 10, 16, 0, 1);
    memset(first, 1, 500 << 10);
    lg_block b;
    assert_true(lg_heap_free(first, 0, 1, "free"));
    assert_true(lg_heap_find((uintptr_t)first, &b));
    assert_int_equal(b.meta->state, LG_BLOCK_QUARANTINED);
    assert_true(resident(first + (250 << 10))); /* kept, inaccessible, while quarantined */
    lg_quarantine_drain();

    char *second = lg_heap_alloc(400 << 10, 16, 0, 1);
    assert_true(lg_heap_find((uintptr_t)second, &b));
    assert_int_equal(b.slot_start, (uintptr_t)first); /* both start their mapping's capacity */
    assert_true(resident(second + (200 << 10)));      /* a fresh mapping would not have it yet */
    assert_true(b.slot_end == (uintptr_t)second + (400 << 10));
    assert_false(resident(second + (450 << 10)));     /* first's pages past second's end: given back */
    assert_true(lg_heap_free(second, 0, 1, "free"));
    lg_quarantine_drain();
}

/* Slots out of the quarantine that stay unused in their class's stack of
 * free ids give their pages back when the classes are swept (every few
 * gives of any class); a page shared with a live block stays, and the
 * live block keeps its bytes and its redzones. */
static void idle_class_pages_are_given_back(void **state)
{
    (void)state;
    enum { COUNT = 2000, SIZE = 700, KEEP_EVERY = 100 }; /* 768-byte slots: no other test fills that class */
    static char *blocks[COUNT];
    lg_quarantine_drain();
    for (int i = 0; i < COUNT; i++) {
        blocks[i] = lg_heap_alloc(SIZE, 16, 0, 1);
        memset(blocks[i], i & 0x7f, SIZE);
    }
    for (int i = 0; i < COUNT; i++)
        if (i % KEEP_EVERY) assert_true(lg_heap_free(blocks[i], 0, 1, "free"));
    lg_quarantine_drain();
    /* Gives of another class, enough for every class to be swept twice. */
    for (int i = 0; i < 2000; i++) {
        assert_true(lg_heap_free(lg_heap_alloc(24, 16, 0, 1), 0, 1, "free"));
        lg_quarantine_drain();
    }
    int still = 0;
    for (int i = 0; i < COUNT; i++)
        if (i % KEEP_EVERY && resident(blocks[i] + SIZE / 2)) still++;
    assert_true(still < COUNT / 4); /* all but the top of the stack (64 KiB) and the live blocks' pages */
    uint64_t overflows = lg_report_kind_count(LG_HEAP_OVERFLOW);
    for (int i = 0; i < COUNT; i += KEEP_EVERY) {
        assert_true(resident(blocks[i]));
        for (int k = 0; k < SIZE; k++) assert_int_equal(blocks[i][k], i & 0x7f);
        assert_true(lg_heap_free(blocks[i], 0, 1, "free"));
    }
    assert_int_equal(lg_report_kind_count(LG_HEAP_OVERFLOW), overflows); /* redzones intact */
    lg_quarantine_drain();
}

/* A realloc that would stay in place, racing another thread's free of
 * the same block that won: the realloc moves (its free of the old block,
 * which the runtime makes next, is the double free reported) and leaves
 * the freed block's record as the free made it. */
static void realloc_racing_a_free_moves(void **state)
{
    (void)state;
    for (int large = 0; large < 2; large++) {
        size_t size = large ? 200000 : 100;
        char *p = lg_heap_alloc(size, 16, 0, 1);
        lg_block b;
        assert_true(lg_heap_find((uintptr_t)p, &b)); /* what realloc saw: a live block */
        assert_true(lg_heap_free(p, 0, 2, "free"));  /* thread 2's free */
        char *q = lg_heap_realloc_cached(NULL, &b, size + 8, 0, 1);
        assert_non_null(q);
        assert_ptr_not_equal(q, p);
        assert_int_equal(b.meta->state, LG_BLOCK_QUARANTINED);
        assert_int_equal(b.meta->free_tid, 2);
        uint64_t before = lg_report_kind_count(LG_DOUBLE_FREE);
        assert_false(lg_heap_free(p, 0, 1, "realloc"));
        assert_int_equal(lg_report_kind_count(LG_DOUBLE_FREE), before + 1);
        assert_true(lg_heap_free(q, 0, 1, "free"));
    }
}

/* The path the runtime takes: a thread's cache of reusable slots. */
static void thread_cache_reuses_slots_and_keeps_checks(void **state)
{
    (void)state;
    lg_opt.quarantine_mb = 1;
    lg_heap_cache *c = lg_heap_cache_acquire();
    assert_non_null(c);
    struct lg_heap_stats before, after;
    lg_heap_stats(&before);

    char *victim = lg_heap_alloc_cached(c, 40, 16, 0, 1);
    assert_true(lg_heap_free_cached(c, victim, 0, 1, "free"));
    victim[3] ^= 0x5a; /* a write after free, on purpose (a changed byte, whatever the poison holds there) */
    uint64_t waf = lg_report_kind_count(LG_WRITE_AFTER_FREE);

    uintptr_t first = 0;
    bool reused = false;
    for (int i = 0; i < 20000; i++) { /* 20000 x 144-byte slots through a 1 MiB quarantine */
        char *p = lg_heap_alloc_cached(c, 100, 16, 0, 1);
        assert_non_null(p);
        memset(p, 1, 100);
        if (!first) first = (uintptr_t)p;
        else if ((uintptr_t)p == first) reused = true;
        assert_true(lg_heap_free_cached(c, p, 0, 1, "free"));
    }
    assert_true(reused); /* memory past the quarantine is used again */
    assert_int_equal(lg_report_kind_count(LG_WRITE_AFTER_FREE), waf + 1);

    char *q = lg_heap_alloc_cached(c, 24, 16, 0, 1);
    q[24] = 'x'; /* into the right redzone */
    uint64_t ovf = lg_report_kind_count(LG_HEAP_OVERFLOW), df = lg_report_kind_count(LG_DOUBLE_FREE);
    assert_true(lg_heap_free_cached(c, q, 0, 1, "free"));
    assert_int_equal(lg_report_kind_count(LG_HEAP_OVERFLOW), ovf + 1);
    assert_false(lg_heap_free_cached(c, q, 0, 1, "free"));
    assert_int_equal(lg_report_kind_count(LG_DOUBLE_FREE), df + 1);

    lg_heap_stats(&after);
    assert_int_equal(after.total_allocs - before.total_allocs, 20002);
    assert_int_equal(after.total_frees - before.total_frees, 20002);
    lg_heap_cache_release(c); /* its slots and counts go back to the heap */
    lg_heap_stats(&after);
    assert_int_equal(after.total_allocs - before.total_allocs, 20002);
    lg_quarantine_drain();
    lg_opt.quarantine_mb = 64;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_is_aligned_and_findable),
        cmocka_unit_test(large_and_aligned_blocks),
        cmocka_unit_test(freed_memory_holds_a_poison_that_names_it),
        cmocka_unit_test(heap_errors_are_reported_and_refused),
        cmocka_unit_test(write_after_free_found_at_eviction),
        cmocka_unit_test(slots_are_reused_only_after_quarantine),
        cmocka_unit_test(thread_cache_reuses_slots_and_keeps_checks),
        cmocka_unit_test(large_records_stay_put_while_the_table_grows),
        cmocka_unit_test(large_mapping_is_reused_after_quarantine),
        cmocka_unit_test(realloc_racing_a_free_moves),
        cmocka_unit_test(idle_class_pages_are_given_back),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
