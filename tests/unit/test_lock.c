/* test_lock.c — the Linux platform's lock (lg_linux.c) with lg_platform.h's
 * inline paths: mutual exclusion under contention, waiters woken (also when
 * a release by a plain store misses one: its nap is bounded), the fast
 * release refusing when a waiter is announced, errno kept. */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#define LG_PAL_LOCK_WORD /* lg_linux.c's lock: the inline paths are its own */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "core/lg_core.h"

static lg_lock_t lock = LG_LOCK_INIT;
static volatile uint64_t counter;

#define ROUNDS 20000

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A read, some work, a write: two holders at once lose increments. */
static void critical(void)
{
    uint64_t v = counter;
    for (volatile int k = 0; k < 20; k++) {
    }
    counter = v + 1;
}

static void *lock_rounds(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        lg_lock(&lock);
        critical();
        lg_unlock(&lock);
    }
    return NULL;
}

/* The tracker's way: the inline trylock, the fast release (lg_unlock when
 * it refuses), lg_lock when the trylock fails. */
static void *inline_rounds(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (!lg_trylock_inline(&lock)) lg_lock(&lock);
        critical();
        if (!lg_unlock_fast(&lock)) lg_unlock(&lock);
    }
    return NULL;
}

static void contended(void *(*a)(void *), void *(*b)(void *))
{
    pthread_t t[4];
    counter = 0;
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, i % 2 ? b : a, NULL), 0);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    assert_int_equal(counter, 4 * ROUNDS);
    assert_int_equal(lock.state, 0);
}

static void excludes_with_calls(void **state)
{
    (void)state;
    contended(lock_rounds, lock_rounds);
}

static void excludes_with_inline_paths(void **state)
{
    (void)state;
    contended(inline_rounds, inline_rounds);
}

static void excludes_with_both(void **state)
{
    (void)state;
    contended(lock_rounds, inline_rounds);
}

static int waiter_errno;

static void *wait_once(void *arg)
{
    (void)arg;
    errno = EDOM;
    lg_lock(&lock);
    waiter_errno = errno;
    counter++;
    lg_unlock(&lock);
    return NULL;
}

/* A waiter that went to sleep is announced (2): the fast release leaves
 * the lock held and says so; lg_unlock wakes it. */
static void fast_release_refuses_with_a_waiter(void **state)
{
    (void)state;
    counter = 0;
    assert_true(lg_trylock_inline(&lock));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_once, NULL), 0);
    while (__atomic_load_n(&lock.state, __ATOMIC_RELAXED) != 2) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    assert_false(lg_unlock_fast(&lock));
    assert_int_equal(lock.state, 2); /* still held */
    lg_unlock(&lock);
    pthread_join(t, NULL);
    assert_int_equal(counter, 1);
    assert_int_equal(waiter_errno, EDOM);
    assert_int_equal(lock.state, 0);
}

/* A release by a plain store that a waiter announced itself just before
 * (its wake lost): the waiter takes the lock after its nap, not never. */
static void a_missed_waiter_takes_the_lock_after_a_nap(void **state)
{
    (void)state;
    counter = 0;
    assert_true(lg_trylock_inline(&lock));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_once, NULL), 0);
    while (__atomic_load_n(&lock.state, __ATOMIC_RELAXED) != 2) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    uint64_t t0 = now_ns();
    __atomic_store_n(&lock.state, 0, __ATOMIC_RELEASE); /* as if the store had raced its announcement */
    struct timespec limit;
    clock_gettime(CLOCK_REALTIME, &limit);
    limit.tv_sec += 5;
    assert_int_equal(pthread_timedjoin_np(t, NULL, &limit), 0); /* a waiter that never wakes fails here */
    assert_int_equal(counter, 1);
    assert_true(now_ns() - t0 < 1000000000u); /* a nap is 1 ms */
    assert_int_equal(waiter_errno, EDOM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(excludes_with_calls),
        cmocka_unit_test(excludes_with_inline_paths),
        cmocka_unit_test(excludes_with_both),
        cmocka_unit_test(fast_release_refuses_with_a_waiter),
        cmocka_unit_test(a_missed_waiter_takes_the_lock_after_a_nap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
