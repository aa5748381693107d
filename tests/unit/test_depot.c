/* test_depot.c — the stack depot: one id per distinct stack, from many threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/lg_core.h"

static void same_stack_same_id(void **state)
{
    (void)state;
    uintptr_t a[] = {0x1000, 0x2000, 0x3000};
    uintptr_t b[] = {0x1000, 0x2000, 0x3001};
    lg_stack_id ia = lg_depot_put(a, 3), ib = lg_depot_put(b, 3);
    assert_true(ia != 0 && ib != 0 && ia != ib);
    assert_int_equal(lg_depot_put(a, 3), ia);
    assert_int_equal(lg_depot_put(a, 2), lg_depot_put(a, 2));
    assert_true(lg_depot_put(a, 2) != ia);
    uintptr_t pcs[LG_MAX_FRAMES];
    assert_int_equal(lg_depot_get(ia, pcs, LG_MAX_FRAMES), 3);
    assert_true(pcs[0] == 0x1000 && pcs[1] == 0x2000 && pcs[2] == 0x3000);
    assert_int_equal(lg_depot_get(ia, pcs, 2), 2);
    assert_int_equal(lg_depot_put(a, 0), 0);
    assert_int_equal(lg_depot_get(0, pcs, LG_MAX_FRAMES), 0);
}

/* A stack built frame by frame on a stored suffix is the same stack as
 * stored whole; each step's id is the id of that suffix stored whole. */
static void frames_match_put(void **state)
{
    (void)state;
    uintptr_t full[] = {0x11, 0x22, 0x33, 0x44, 0x55};
    lg_stack_id whole = lg_depot_put(full, 5), id = 0;
    for (int i = 4; i >= 0; i--) {
        id = lg_depot_frame(id, full[i]);
        assert_int_equal(id, lg_depot_put(full + i, 5 - (uint32_t)i));
    }
    assert_int_equal(id, whole);
    lg_stack_id outer = lg_depot_put(full + 3, 2);
    assert_int_equal(lg_depot_frame(lg_depot_frame(lg_depot_frame(outer, 0x33), 0x22), 0x11), whole);

    /* Another inner part on the same callers: a different stack, whose
     * frames read back in order. */
    id = lg_depot_frame(lg_depot_frame(outer, 0x33), 0x99);
    assert_true(id != whole);
    uintptr_t pcs[LG_MAX_FRAMES];
    assert_int_equal(lg_depot_get(id, pcs, LG_MAX_FRAMES), 4);
    assert_true(pcs[0] == 0x99 && pcs[1] == 0x33 && pcs[2] == 0x44 && pcs[3] == 0x55);
}

static lg_stack_id seen[4][1000];

static void *insert_many(void *arg)
{
    long t = (long)arg;
    for (uintptr_t i = 0; i < 1000; i++) {
        uintptr_t pcs[4] = {i, i * 3, i * 7, 42};
        seen[t][i] = lg_depot_put(pcs, 4);
    }
    return NULL;
}

static void concurrent_inserts_agree(void **state)
{
    (void)state;
    pthread_t th[4];
    for (long t = 0; t < 4; t++) pthread_create(&th[t], NULL, insert_many, (void *)t);
    for (int t = 0; t < 4; t++) pthread_join(th[t], NULL);
    for (int i = 0; i < 1000; i++) {
        assert_true(seen[0][i] != 0);
        for (int t = 1; t < 4; t++) assert_int_equal(seen[t][i], seen[0][i]);
    }
}

/* Stores through a thread's memo give the ids lg_depot_put gives, whatever
 * the last stack was: the same, one sharing its outer frames, a deeper or
 * a shallower one, one sharing nothing, an empty one. */
static void memo_store_matches_put(void **state)
{
    (void)state;
    static lg_depot_memo memo;
    uint32_t seed = 12345;
    uintptr_t pcs[LG_MAX_FRAMES];
    for (int round = 0; round < 20000; round++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t depth = (seed >> 8) % 40, vary = (seed >> 16) % 6;
        /* Outer frames from a fixed chain, the innermost vary ones from a
         * small set, so that stacks recur and share suffixes. */
        for (uint32_t i = 0; i < depth; i++) pcs[i] = 0x400000 + 16 * (depth - i);
        for (uint32_t i = 0; i < vary && i < depth; i++) pcs[i] = 0x500000 + 16 * ((seed >> (2 * i)) & 3) + i;
        lg_stack_id via_memo = lg_depot_store(&memo, pcs, depth);
        assert_int_equal(via_memo, lg_depot_put(pcs, depth));
        if (depth) assert_true(via_memo != 0);
    }
}

/* lg_depot_store_hashed takes the caller's hash as a hint only: with the
 * same hash for every stack (every stack in one set of the recent ones), a
 * hash of the stack's real frames, and a hash that changes for one stack,
 * each store gives the id lg_depot_put gives. */
static void hashed_store_checks_frames(void **state)
{
    (void)state;
    static lg_depot_memo memo;
    uintptr_t pcs[LG_MAX_FRAMES];
    for (int mode = 0; mode < 3; mode++) {
        uint32_t seed = 777u + (uint32_t)mode;
        for (int round = 0; round < 20000; round++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t depth = 1 + (seed >> 8) % 34, pick = (seed >> 16) % 24;
            for (uint32_t i = 0; i < depth; i++) pcs[i] = 0x600000 + 16 * (depth - i);
            /* 24 stacks that differ in their innermost frames, recurring */
            for (uint32_t i = 0; i < 4 && i < depth; i++) pcs[i] = 0x700000 + 32 * ((pick >> i) & 7) + i;
            uint64_t hash = mode == 0   ? 42
                            : mode == 1 ? (pcs[0] ^ (uint64_t)depth << 40) * 0x9e3779b97f4a7c15ull
                                        : (uint64_t)round * 0x9e3779b97f4a7c15ull;
            lg_stack_id id = lg_depot_store_hashed(&memo, pcs, depth, hash);
            assert_int_equal(id, lg_depot_put(pcs, depth));
            assert_true(id != 0);
        }
    }
    assert_int_equal(lg_depot_store_hashed(&memo, pcs, 0, 42), 0);
}

/* A stack among the recent ones and another with the same hash and depth
 * that differs in one frame, at every position of every depth the recent
 * stacks keep: the frame compare (in blocks of 8, 4, 2 and 1 frames) must
 * see each difference. */
static void recent_compare_sees_every_frame(void **state)
{
    (void)state;
    static lg_depot_memo memo;
    uintptr_t pcs[LG_MAX_FRAMES], other[LG_MAX_FRAMES], between[LG_MAX_FRAMES];
    for (uint32_t depth = 1; depth <= LG_DEPOT_RECENT_FRAMES; depth++)
        for (uint32_t at = 0; at < depth; at++) {
            for (uint32_t i = 0; i < depth; i++) {
                pcs[i] = other[i] = 0x800000 + 16 * (depth - i) + 4096 * at;
                between[i] = pcs[i] + 0x100000;
            }
            other[at] += 8;
            uint64_t hash = 0x5bd1e995ull * (depth * 64 + at) << 20;
            lg_stack_id id = lg_depot_put(pcs, depth), id_between = lg_depot_put(between, depth);
            /* A stack between them, so that pcs is not the last one stored:
             * its second miss fills a recent slot. */
            for (int twice = 0; twice < 2; twice++) {
                assert_int_equal(lg_depot_store_hashed(&memo, pcs, depth, hash), id);
                assert_int_equal(lg_depot_store_hashed(&memo, between, depth, ~hash), id_between);
            }
            assert_int_equal(lg_depot_store_hashed(&memo, other, depth, hash), lg_depot_put(other, depth));
            assert_int_equal(lg_depot_store_hashed(&memo, between, depth, ~hash), id_between);
            assert_int_equal(lg_depot_store_hashed(&memo, pcs, depth, hash), id);
        }
}

/* The buckets grow in levels as the depot fills: a small depot keeps to
 * the first level's few pages, and every frame stored before a level was
 * added is still found, by any number of threads inserting at once while
 * the depot grows past two levels. */
#define GROW_FRAMES 150000u
static lg_stack_id grow_ids[3][GROW_FRAMES], grow_caller;

static void *insert_growing(void *arg)
{
    long t = (long)arg;
    for (uint32_t k = 0; k < GROW_FRAMES; k++) /* the same frames in the same order: they race on each */
        grow_ids[t][k] = lg_depot_frame(k & 1 ? grow_caller : 0, 0x900000 + 16 * (uintptr_t)k);
    return NULL;
}

static void depot_grows_in_levels(void **state)
{
    (void)state;
    /* Run first: only a few frames stored so far, so only the first
     * level's 4096 buckets (16 KiB) are counted. */
    lg_stack_id first = grow_caller = lg_depot_put((const uintptr_t[]){0x123, 0x456}, 2);
    assert_true(first != 0);
    assert_true(lg_depot_memory() <= (4096u * 4 + 64 * 16));
    pthread_t th[3];
    for (long t = 0; t < 3; t++) pthread_create(&th[t], NULL, insert_growing, (void *)t);
    for (int t = 0; t < 3; t++) pthread_join(th[t], NULL);
    assert_true(lg_depot_memory() >= ((size_t)1 << 20) * 4); /* the last level's buckets */
    uintptr_t pcs[3];
    for (uint32_t k = 0; k < GROW_FRAMES; k++) {
        assert_true(grow_ids[0][k] != 0);
        assert_int_equal(grow_ids[1][k], grow_ids[0][k]);
        assert_int_equal(grow_ids[2][k], grow_ids[0][k]);
        assert_int_equal(lg_depot_frame(k & 1 ? first : 0, 0x900000 + 16 * (uintptr_t)k), grow_ids[0][k]);
        assert_int_equal(lg_depot_get(grow_ids[0][k], pcs, 3), k & 1 ? 3 : 1);
        assert_int_equal(pcs[0], 0x900000 + 16 * (uintptr_t)k);
    }
    assert_int_equal(lg_depot_put((const uintptr_t[]){0x123, 0x456}, 2), first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(depot_grows_in_levels),
        cmocka_unit_test(same_stack_same_id),
        cmocka_unit_test(frames_match_put),
        cmocka_unit_test(concurrent_inserts_agree),
        cmocka_unit_test(memo_store_matches_put),
        cmocka_unit_test(hashed_store_checks_frames),
        cmocka_unit_test(recent_compare_sees_every_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
