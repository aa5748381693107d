/* refs_bench.c — what an lg_ref_get/lg_ref_put annotation adds to a
 * reference count's atomic increment/decrement pair, in ns per pair, with
 * one thread and with two threads on the same objects.
 *
 *   refs_bench [REPS]     (best of REPS timings per figure, default 7)
 *   refs_bench --fixed N [THREADS [own|token]]
 *                         (N annotated pairs on each of THREADS threads,
 *                          default 1, untimed: for an instruction count
 *                          under callgrind, which the machine's load does
 *                          not move (the difference of two N gives the cost
 *                          of one pair), or a profile of two threads; own:
 *                          each thread on objects of its own; token: the
 *                          token pair.  With REFS_BENCH_MARK set, each
 *                          thread prints where its stack is, for
 *                          bench/shared_lines.py)
 *
 * Prints one line per thread count:
 *   refs threads=1 runtime=absent plain_ns=4.80 annotated_ns=5.10 over_ns=0.30 token_ns=5.20 token_over_ns=0.40
 *        locked_floor_over_ns=0.20 own_over_ns=0.30
 * (token_*: the same pair annotated with lg_ref_get_token/lg_ref_put_token;
 * own_over_ns: the same with the annotations on 16 objects of each
 * thread's own, so that over_ns less own_over_ns is what sharing the
 * tracker's records costs, and own_over_ns at two threads less at one is
 * what running two at once costs the machine).
 * runtime is "present" when liblifeguard.so is loaded (LD_PRELOAD). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lifeguard.h"

#define OBJS 16
#define MAX_THREADS 2
#define TARGET_SECONDS 0.05

struct obj {
    long refs;
    char pad[56]; /* one object per cache line, as separate heap objects would be */
};

struct holder {
    int id;
};

static struct obj *objs[OBJS];
static struct obj *own_objs[MAX_THREADS][OBJS]; /* thread t's own (own_pairs) */

/* What any tracker that keeps an object's state under a lock of its own
 * must do at least: take the lock, write the state, release it, at the get
 * and at the put.  The state is on its own line, as the tracker's record
 * is apart from the program's object: two threads pass that line between
 * them on every call, and no design of this kind can add less. */
struct locked_state {
    int lock;
    long count, gets, puts;
} __attribute__((aligned(64)));

static struct locked_state states[OBJS];

static inline void state_lock(struct locked_state *st)
{
    while (__atomic_exchange_n(&st->lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&st->lock, __ATOMIC_RELAXED)) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
}

static inline void state_unlock(struct locked_state *st)
{
    __atomic_store_n(&st->lock, 0, __ATOMIC_RELEASE);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* noinline: the two loops are compiled alike, whatever gets inlined where. */
__attribute__((noinline)) static void plain_pairs(unsigned long iters, const struct holder *h)
{
    (void)h;
    for (unsigned long i = 0; i < iters; i++) {
        struct obj *o = objs[i % OBJS];
        __atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
        __atomic_fetch_sub(&o->refs, 1, __ATOMIC_ACQ_REL);
    }
}

__attribute__((noinline)) static void annotated_pairs(unsigned long iters, const struct holder *h)
{
    for (unsigned long i = 0; i < iters; i++) {
        struct obj *o = objs[i % OBJS];
        __atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
        lg_ref_get(o, h);
        lg_ref_put(o, h);
        __atomic_fetch_sub(&o->refs, 1, __ATOMIC_ACQ_REL);
    }
}

/* annotated_pairs with the annotations on objects of the thread's own: the
 * program's count is the shared one still (plain_pairs' cost), but no line
 * of the tracker's is written by two threads. */
__attribute__((noinline)) static void own_pairs(unsigned long iters, const struct holder *h)
{
    struct obj *const *mine = own_objs[h->id];
    for (unsigned long i = 0; i < iters; i++) {
        struct obj *o = objs[i % OBJS], *tracked = mine[i % OBJS];
        __atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
        lg_ref_get(tracked, h);
        lg_ref_put(tracked, h);
        __atomic_fetch_sub(&o->refs, 1, __ATOMIC_ACQ_REL);
    }
}

__attribute__((noinline)) static void token_pairs(unsigned long iters, const struct holder *h)
{
    for (unsigned long i = 0; i < iters; i++) {
        struct obj *o = objs[i % OBJS];
        __atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
        lg_ref_token_t t = lg_ref_get_token(o, h);
        lg_ref_put_token(o, h, t);
        __atomic_fetch_sub(&o->refs, 1, __ATOMIC_ACQ_REL);
    }
}

__attribute__((noinline)) static void locked_pairs(unsigned long iters, const struct holder *h)
{
    (void)h;
    for (unsigned long i = 0; i < iters; i++) {
        struct obj *o = objs[i % OBJS];
        struct locked_state *st = &states[i % OBJS];
        __atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
        state_lock(st);
        st->count++;
        st->gets++;
        state_unlock(st);
        state_lock(st);
        st->count--;
        st->puts++;
        state_unlock(st);
        __atomic_fetch_sub(&o->refs, 1, __ATOMIC_ACQ_REL);
    }
}

typedef void (*pairs_fn)(unsigned long, const struct holder *);

struct job {
    pairs_fn fn;
    unsigned long iters;
    struct holder holder;
    pthread_barrier_t *start;
    double seconds;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    volatile char here = 0;
    if (getenv("REFS_BENCH_MARK")) fprintf(stderr, "refs_bench: thread %d stack %p\n", j->holder.id, (const void *)&here);
    pthread_barrier_wait(j->start);
    double t0 = now();
    j->fn(j->iters, &j->holder);
    j->seconds = now() - t0;
    return NULL;
}

/* Every thread does iters pairs at once; returns the slowest thread's ns per pair. */
static double run(pairs_fn fn, int threads, unsigned long iters)
{
    pthread_t tid[MAX_THREADS];
    struct job jobs[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct job){fn, iters, {t}, &start, 0};
        pthread_create(&tid[t], NULL, worker, &jobs[t]);
    }
    double worst = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        if (jobs[t].seconds > worst)
            worst = jobs[t].seconds;
    }
    pthread_barrier_destroy(&start);
    return worst * 1e9 / (double)iters;
}

static unsigned long calibrate(pairs_fn fn, int threads)
{
    unsigned long iters = 1000;
    double ns;
    while ((ns = run(fn, threads, iters)) * (double)iters < 0.02e9)
        iters *= 4;
    return (unsigned long)(TARGET_SECONDS * 1e9 / ns) + 1;
}

/* The two loops' timings alternate, so a noisy spell of the machine (two
 * threads contending on a shared line are at its mercy) hits both alike;
 * the best of each is kept. */
static void best_pair(int threads, int reps, double *plain, double *annotated, double *token, double *locked,
                      double *own)
{
    unsigned long n_plain = calibrate(plain_pairs, threads), n_annotated = calibrate(annotated_pairs, threads);
    unsigned long n_token = calibrate(token_pairs, threads), n_locked = calibrate(locked_pairs, threads);
    unsigned long n_own = calibrate(own_pairs, threads);
    *plain = *annotated = *token = *locked = *own = 1e30;
    for (int r = 0; r < reps; r++) {
        double p = run(plain_pairs, threads, n_plain), a = run(annotated_pairs, threads, n_annotated);
        double t = run(token_pairs, threads, n_token), l = run(locked_pairs, threads, n_locked);
        double o = run(own_pairs, threads, n_own);
        if (p < *plain)
            *plain = p;
        if (a < *annotated)
            *annotated = a;
        if (t < *token)
            *token = t;
        if (l < *locked)
            *locked = l;
        if (o < *own)
            *own = o;
    }
}

static bool new_objects(struct obj **set, const char *type)
{
    for (int k = 0; k < OBJS; k++) {
        set[k] = calloc(1, sizeof(struct obj));
        if (!set[k])
            return false;
        set[k]->refs = 1;
        lg_object_new(set[k], type);
    }
    return true;
}

static void free_objects(struct obj **set)
{
    for (int k = 0; k < OBJS; k++) {
        lg_object_free(set[k]);
        free(set[k]);
    }
}

int main(int argc, char **argv)
{
    bool fixed = argc > 2 && strcmp(argv[1], "--fixed") == 0;
    int reps = argc > 1 && !fixed ? atoi(argv[1]) : 7;
    if (reps < 1)
        reps = 1;
    const char *runtime = dlsym(RTLD_DEFAULT, "lifeguard_api_v1") ? "present" : "absent";

    if (!new_objects(objs, "refs_bench_obj"))
        return 2;
    for (int t = 0; t < MAX_THREADS; t++)
        if (!new_objects(own_objs[t], "refs_bench_own"))
            return 2;
    if (fixed) {
        volatile char here = 0;
        if (getenv("REFS_BENCH_MARK")) fprintf(stderr, "refs_bench: thread main stack %p\n", (const void *)&here);
        int threads = argc > 3 ? atoi(argv[3]) : 1;
        const char *which = argc > 4 ? argv[4] : "";
        pairs_fn fn = strcmp(which, "own") == 0 ? own_pairs : strcmp(which, "token") == 0 ? token_pairs : annotated_pairs;
        if (threads < 1 || threads > MAX_THREADS)
            return 2;
        run(fn, threads, strtoul(argv[2], NULL, 10));
        return 0;
    }
    for (int threads = 1; threads <= MAX_THREADS; threads++) {
        double plain, annotated, token, locked, own;
        best_pair(threads, reps, &plain, &annotated, &token, &locked, &own);
        printf("refs threads=%d runtime=%s plain_ns=%.2f annotated_ns=%.2f over_ns=%.2f token_ns=%.2f token_over_ns=%.2f "
               "locked_floor_over_ns=%.2f own_over_ns=%.2f\n",
               threads, runtime, plain, annotated, annotated - plain, token, token - plain, locked - plain, own - plain);
        fflush(stdout);
    }
    free_objects(objs);
    for (int t = 0; t < MAX_THREADS; t++)
        free_objects(own_objs[t]);
    return 0;
}
