/* test_refs.c — the reference tracker driven directly: counts and holders,
 * every finding kind (counted), the exit analysis (leaks, cycles, what
 * they keep alive), checkpoints, the JSON shape of a finding, many threads
 * on the same objects, and lg_refcount_t's saturation. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/lg_heap.h"
#include "core/lg_refs.h"
#include "core/lg_refs_internal.h" /* names, helpers and clone suffixes */
#include "lifeguard.h" /* lg_refcount_t; without the runtime its annotations do nothing */

#define A(x) ((uintptr_t)(x))

static uint64_t count_of(lg_kind kind)
{
    return lg_report_kind_count(kind);
}

static int setup(void **state)
{
    (void)state;
    lg_options_defaults(&lg_opt);
    lg_opt.max_findings = 1000000;
    lg_report_channel = open("/dev/null", O_WRONLY);
    return lg_heap_init() ? 0 : -1;
}

static int reset(void **state)
{
    (void)state;
    lg_refs_reset();
    lg_report_json_path[0] = 0;
    return 0;
}

static lg_refs_info info(uintptr_t obj, uintptr_t holder)
{
    lg_refs_info i;
    lg_refs_query(obj, holder, &i);
    return i;
}

/* The runtime's way with stacks=0: the object's lock alone when it serves,
 * else the tracker's full path (the runtime's bookkeeping around it),
 * counted here. */
static uint64_t handed_over;

static void full_get(uintptr_t obj, uintptr_t holder, lg_stack_id stack)
{
    __atomic_fetch_add(&handed_over, 1, __ATOMIC_RELAXED);
    lg_refs_get(obj, holder, stack);
}

static void full_put(uintptr_t obj, uintptr_t holder, lg_stack_id stack)
{
    __atomic_fetch_add(&handed_over, 1, __ATOMIC_RELAXED);
    lg_refs_put(obj, holder, stack);
}

static void get_or(uintptr_t obj, uintptr_t holder)
{
    lg_refs_get_or(obj, holder, 0, full_get);
}

static void put_or(uintptr_t obj, uintptr_t holder)
{
    lg_refs_put_or(obj, holder, 0, full_put);
}

/* ---- counts and holders ------------------------------------------------------ */

static void counts_follow_gets_and_puts(void **state)
{
    (void)state;
    static char obj[16], h1, h2;
    lg_refs_new(A(obj), "Task", 0);
    lg_refs_info i = info(A(obj), 0);
    assert_int_equal(i.state, LG_REFS_ALIVE);
    assert_int_equal(i.count, 1);
    assert_int_equal(i.holder_count, 1); /* the creator's, anonymous */
    assert_string_equal(i.type, "Task");
    lg_refs_get(A(obj), A(&h1), 0);
    lg_refs_get(A(obj), A(&h1), 0);
    lg_refs_get(A(obj), A(&h2), 0);
    i = info(A(obj), A(&h1));
    assert_int_equal(i.count, 4);
    assert_int_equal(i.holder_count, 2);
    assert_int_equal(i.holders, 3);
    lg_refs_put(A(obj), A(&h1), 0);
    lg_refs_put(A(obj), 0, 0);
    i = info(A(obj), A(&h1));
    assert_int_equal(i.count, 2);
    assert_int_equal(i.holder_count, 1);
    assert_int_equal(i.holder_gets, 2);
    assert_int_equal(i.holder_puts, 1);
    lg_refs_put(A(obj), A(&h1), 0);
    lg_refs_put(A(obj), A(&h2), 0);
    assert_int_equal(info(A(obj), 0).state, LG_REFS_ZERO);
    assert_int_equal(lg_refs_exit_report(), 0);
}

static void objects_are_numbered_per_type_in_birth_order(void **state)
{
    (void)state;
    static char a[8], b[8], c[8];
    lg_refs_new(A(a), "Numbered", 0);
    lg_refs_new(A(b), "NumberedOther", 0);
    lg_refs_new(A(c), "Numbered", 0);
    assert_int_equal(info(A(c), 0).id, info(A(a), 0).id + 1);
    assert_int_equal(info(A(b), 0).id, 1);
}

static void a_get_on_an_unknown_address_starts_an_implicit_object(void **state)
{
    (void)state;
    static char obj[8];
    lg_refs_get(A(obj), 0, 0);
    lg_refs_info i = info(A(obj), 0);
    assert_int_equal(i.state, LG_REFS_ALIVE);
    assert_int_equal(i.count, 1);
    assert_string_equal(i.type, "object");
    lg_refs_put(A(obj), 0, 0);
    assert_int_equal(info(A(obj), 0).state, LG_REFS_ZERO);
    uint64_t before = count_of(LG_REF_UNDERFLOW);
    lg_refs_put(A(0x10), 0, 0); /* never seen: nothing to check */
    assert_int_equal(count_of(LG_REF_UNDERFLOW), before);
}

/* Each object memoises the holder records it used last; a record forgotten
 * while idle (over REFS_IDLE_HOLDERS) must leave the memo, or its reuse for
 * another holder would be charged to the forgotten one. */
static void a_forgotten_holder_leaves_no_stale_memo(void **state)
{
    (void)state;
    static char obj[8], holders[REFS_IDLE_HOLDERS + 1], other;
    lg_refs_new(A(obj), "Memo", 0);
    for (uint32_t k = 0; k <= REFS_IDLE_HOLDERS; k++) { /* the last one is forgotten at its put */
        lg_refs_get(A(obj), A(&holders[k]), 0);
        lg_refs_put(A(obj), A(&holders[k]), 0);
    }
    lg_refs_get(A(obj), A(&other), 0); /* takes the forgotten record from the pool */
    uint64_t before = count_of(LG_REF_PUT_UNHELD);
    lg_refs_put(A(obj), A(&holders[REFS_IDLE_HOLDERS]), 0); /* holds nothing now */
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before + 1);
    assert_int_equal(info(A(obj), A(&other)).holder_count, 1);
    lg_refs_put(A(obj), A(&other), 0);
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before + 1);
    assert_int_equal(info(A(obj), A(&other)).holder_count, 0);
}

/* ---- findings, as they happen ------------------------------------------------------ */

/* lg_refs_get_or and lg_refs_put_or serve a known holder of a live object
 * themselves and hand everything else over, findings included. */
static void the_quick_path_serves_known_holders_and_hands_over_the_rest(void **state)
{
    (void)state;
    static char obj[16], unknown[16], h1, h2;
    handed_over = 0;
    get_or(A(unknown), A(&h1)); /* never born: an implicit object, by the full path */
    assert_int_equal(handed_over, 1);
    assert_int_equal(info(A(unknown), A(&h1)).holder_count, 1);
    lg_refs_new(A(obj), "Task", 0);
    get_or(A(obj), A(&h1)); /* a new holder: the shard's */
    assert_int_equal(handed_over, 2);
    get_or(A(obj), A(&h1)); /* in the memo now */
    put_or(A(obj), A(&h1));
    get_or(A(obj), 0);      /* the creator's, anonymous: in the memo since the birth */
    put_or(A(obj), 0);
    assert_int_equal(handed_over, 2);
    lg_refs_info i = info(A(obj), A(&h1));
    assert_int_equal(i.count, 2);
    assert_int_equal(i.holder_count, 1);
    assert_int_equal(i.holder_gets, 2);
    assert_int_equal(i.holder_puts, 1);
    uint64_t unheld = count_of(LG_REF_PUT_UNHELD), underflow = count_of(LG_REF_UNDERFLOW);
    uint64_t after = count_of(LG_REF_GET_AFTER_FREE);
    put_or(A(obj), A(&h2)); /* h2 holds nothing: reported by the full path */
    assert_int_equal(handed_over, 3);
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), unheld + 1);
    put_or(A(obj), A(&h1)); /* the count reaches zero: the full path */
    assert_int_equal(handed_over, 4);
    assert_int_equal(info(A(obj), 0).state, LG_REFS_ZERO);
    put_or(A(obj), 0);
    assert_int_equal(count_of(LG_REF_UNDERFLOW), underflow + 1);
    get_or(A(obj), 0);
    assert_int_equal(count_of(LG_REF_GET_AFTER_FREE), after + 1);
    assert_int_equal(handed_over, 6);
    lg_refs_stats st;
    lg_refs_get_stats(&st);
    assert_int_equal(st.gets, 5);
    assert_int_equal(st.puts, 5);
}

static void underflow_is_reported_and_the_count_stays_at_zero(void **state)
{
    (void)state;
    static char obj[8];
    lg_refs_new(A(obj), "Req", 0);
    lg_refs_put(A(obj), 0, 0);
    uint64_t before = count_of(LG_REF_UNDERFLOW);
    lg_refs_put(A(obj), 0, 0);
    assert_int_equal(count_of(LG_REF_UNDERFLOW), before + 1);
    assert_int_equal(info(A(obj), 0).count, 0);
    lg_refs_free(A(obj), 0);
    lg_refs_put(A(obj), 0, 0); /* destroyed since: still an underflow */
    assert_int_equal(count_of(LG_REF_UNDERFLOW), before + 2);
}

static void a_double_put_by_one_holder_is_caught_while_others_hold(void **state)
{
    (void)state;
    static char obj[8], a, b;
    lg_refs_new(A(obj), "Md", 0);
    lg_refs_get(A(obj), A(&a), 0);
    lg_refs_get(A(obj), A(&b), 0);
    uint64_t before = count_of(LG_REF_PUT_UNHELD);
    lg_refs_put(A(obj), A(&a), 0);
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before);
    lg_refs_put(A(obj), A(&a), 0);
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before + 1);
    assert_int_equal(info(A(obj), 0).count, 1); /* the program's count, followed */
    static char never;
    lg_refs_put(A(obj), A(&never), 0); /* a holder that never took one */
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before + 2);
}

static void get_after_zero_or_destroy_is_reported_once_per_object(void **state)
{
    (void)state;
    static char zero[8], dead[8];
    lg_refs_new(A(zero), "Conn", 0);
    lg_refs_put(A(zero), 0, 0);
    uint64_t before = count_of(LG_REF_GET_AFTER_FREE);
    lg_refs_get(A(zero), 0, 0);
    assert_int_equal(count_of(LG_REF_GET_AFTER_FREE), before + 1);
    assert_int_equal(info(A(zero), 0).state, LG_REFS_ALIVE); /* back to life, as the program has it */
    lg_refs_put(A(zero), 0, 0);
    lg_refs_get(A(zero), 0, 0);
    assert_int_equal(count_of(LG_REF_GET_AFTER_FREE), before + 1);
    lg_refs_put(A(zero), 0, 0);

    lg_refs_new(A(dead), "Conn", 0);
    lg_refs_put(A(dead), 0, 0);
    lg_refs_free(A(dead), 0);
    lg_refs_get(A(dead), 0, 0);
    assert_int_equal(count_of(LG_REF_GET_AFTER_FREE), before + 2);
    assert_int_equal(info(A(dead), 0).state, LG_REFS_DEAD);
}

static void destroy_while_held(void **state)
{
    (void)state;
    static char a[8], b[8], c[8], holder;
    uint64_t before = count_of(LG_REF_FREED_WHILE_HELD);
    lg_refs_new(A(a), "Inode", 0);
    lg_refs_free(A(a), 0); /* the creator's own reference goes with it */
    assert_int_equal(count_of(LG_REF_FREED_WHILE_HELD), before);
    lg_refs_new(A(b), "Inode", 0);
    lg_refs_get(A(b), A(&holder), 0);
    lg_refs_free(A(b), 0);
    assert_int_equal(count_of(LG_REF_FREED_WHILE_HELD), before + 1);
    lg_refs_new(A(c), "Inode", 0);
    lg_refs_get(A(c), 0, 0); /* two anonymous: one more than the destroyer's */
    lg_refs_free(A(c), 0);
    assert_int_equal(count_of(LG_REF_FREED_WHILE_HELD), before + 2);
    lg_refs_free(A(c), 0); /* destroyed twice (lg_object_free, then free): not a finding */
    assert_int_equal(count_of(LG_REF_FREED_WHILE_HELD), before + 2);
}

static void freeing_the_heap_block_destroys_the_objects_in_it(void **state)
{
    (void)state;
    char *block = lg_heap_alloc(64, 16, 0, 1);
    static char holder;
    lg_refs_new(A(block), "Outer", 0);
    lg_refs_new(A(block + 32), "Inner", 0); /* an object embedded in another's block */
    lg_refs_get(A(block + 32), A(&holder), 0);
    lg_block b;
    assert_true(lg_heap_find_live(A(block), &b));
    assert_true(b.meta->flags & LG_BLOCK_OBJECT);
    uint64_t before = count_of(LG_REF_FREED_WHILE_HELD);
    assert_true(lg_heap_free(block, 0, 1, "free"));
    assert_int_equal(info(A(block), 0).state, LG_REFS_DEAD);
    assert_int_equal(info(A(block + 32), 0).state, LG_REFS_DEAD);
    assert_int_equal(count_of(LG_REF_FREED_WHILE_HELD), before + 1); /* Inner was still held */
}

static void growth_is_a_warning_once_per_object(void **state)
{
    (void)state;
    static char obj[8];
    uint64_t old_limit = lg_opt.ref_growth_limit, errors = lg_report_error_count();
    lg_opt.ref_growth_limit = 10;
    uint64_t before = count_of(LG_REF_GROWTH);
    lg_refs_new(A(obj), "Idle", 0);
    for (int i = 0; i < 100; i++) lg_refs_get(A(obj), 0, 0);
    assert_int_equal(count_of(LG_REF_GROWTH), before + 1);
    assert_int_equal(lg_report_error_count(), errors);
    for (int i = 0; i < 101; i++) lg_refs_put(A(obj), 0, 0);
    lg_opt.ref_growth_limit = old_limit;
}

static void expect_freed_reports_what_is_still_counted(void **state)
{
    (void)state;
    static char alive[8], released[8], holder;
    lg_refs_new(A(alive), "Fs", 0);
    lg_refs_get(A(alive), A(&holder), 0);
    lg_refs_put(A(alive), 0, 0);
    lg_refs_new(A(released), "Fs", 0);
    lg_refs_put(A(released), 0, 0);
    uint64_t before = count_of(LG_STILL_ALIVE);
    lg_refs_expect_freed(A(released), "gone", 0);
    lg_refs_expect_freed(A(0x1234), "never tracked", 0);
    assert_int_equal(count_of(LG_STILL_ALIVE), before);
    lg_refs_expect_freed(A(alive), "unmounted", 0);
    assert_int_equal(count_of(LG_STILL_ALIVE), before + 1);
    lg_refs_put(A(alive), A(&holder), 0);
}

/* ---- exit ----------------------------------------------------------------------------- */

static void exit_reports_roots_and_cycles_once(void **state)
{
    (void)state;
    static char leaked[8], p[8], t[8], file[8], self[8], fine[8];
    lg_refs_new(A(fine), "Fine", 0);
    lg_refs_put(A(fine), 0, 0);
    lg_refs_new(A(leaked), "Leaked", 0);
    /* p <-> t, and t holds file: one cycle, file kept alive by it */
    lg_refs_new(A(p), "Proc", 0);
    lg_refs_new(A(t), "Task", 0);
    lg_refs_new(A(file), "File", 0);
    lg_refs_get(A(t), A(p), 0);
    lg_refs_get(A(p), A(t), 0);
    lg_refs_get(A(file), A(t), 0);
    lg_refs_put(A(p), 0, 0);
    lg_refs_put(A(t), 0, 0);
    lg_refs_put(A(file), 0, 0);
    /* an object holding itself */
    lg_refs_new(A(self), "Selfish", 0);
    lg_refs_get(A(self), A(self), 0);
    lg_refs_put(A(self), 0, 0);

    uint64_t leaks = count_of(LG_REF_LEAK), cycles = count_of(LG_REF_CYCLE);
    assert_int_equal(lg_refs_exit_report(), 5); /* alive at exit: all but fine */
    assert_int_equal(count_of(LG_REF_LEAK), leaks + 1);   /* only the root */
    assert_int_equal(count_of(LG_REF_CYCLE), cycles + 2); /* p <-> t, self */
}

static void leaks_and_cycles_of_the_same_way_share_a_finding(void **state)
{
    (void)state;
    static char objs[5][8];
    uintptr_t pcs[2] = {0x1000, 0x2000};
    lg_stack_id site = lg_depot_put(pcs, 2);
    for (int i = 0; i < 5; i++) {
        lg_refs_new(A(objs[i]), "Same", 0);
        lg_refs_get(A(objs[i]), 0, site);
        lg_refs_put(A(objs[i]), 0, 0);
    }
    /* and five process <-> task cycles built by the same code: one ref-cycle */
    static char procs[5][8], tasks[5][8];
    uintptr_t pcs2[2] = {0x3000, 0x4000};
    lg_stack_id attach = lg_depot_put(pcs2, 2);
    for (int i = 0; i < 5; i++) {
        lg_refs_new(A(procs[i]), "SameProc", 0);
        lg_refs_new(A(tasks[i]), "SameTask", 0);
        lg_refs_get(A(tasks[i]), A(procs[i]), site);
        lg_refs_get(A(procs[i]), A(tasks[i]), attach);
        lg_refs_put(A(procs[i]), 0, 0);
        lg_refs_put(A(tasks[i]), 0, 0);
    }
    uint64_t leaks = count_of(LG_REF_LEAK), cycles = count_of(LG_REF_CYCLE);
    assert_int_equal(lg_refs_exit_report(), 15);
    assert_int_equal(count_of(LG_REF_LEAK), leaks + 1);
    assert_int_equal(count_of(LG_REF_CYCLE), cycles + 1);
}

static void long_chains_and_big_cycles_need_no_recursion(void **state)
{
    (void)state;
    enum { N = 20000 };
    static char chain[N][8], ring[N][8];
    for (int i = 0; i < N; i++) {
        lg_refs_new(A(chain[i]), "Link", 0);
        lg_refs_new(A(ring[i]), "Ring", 0);
    }
    for (int i = 1; i < N; i++) {
        lg_refs_get(A(chain[i]), A(chain[i - 1]), 0);
        lg_refs_put(A(chain[i]), 0, 0);
    }
    for (int i = 0; i < N; i++) {
        lg_refs_get(A(ring[(i + 1) % N]), A(ring[i]), 0);
        lg_refs_put(A(ring[i]), 0, 0);
    }
    uint64_t leaks = count_of(LG_REF_LEAK), cycles = count_of(LG_REF_CYCLE);
    assert_int_equal(lg_refs_exit_report(), 2 * N);
    assert_int_equal(count_of(LG_REF_LEAK), leaks + 1);    /* chain[0]; the rest is kept by it */
    assert_int_equal(count_of(LG_REF_CYCLE), cycles + 1);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void findings_have_the_json_contract(void **state)
{
    (void)state;
    char path[] = "/tmp/lg-test-refs-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(lg_report_json_path, sizeof(lg_report_json_path), "%s", path);
    static char a[8], b[8], leak[8], holder;
    lg_refs_new(A(a), "JsonA", 0);
    lg_refs_new(A(b), "JsonB", 0);
    lg_refs_get(A(b), A(a), 0);
    lg_refs_get(A(a), A(b), 0);
    lg_refs_put(A(a), 0, 0);
    lg_refs_put(A(b), 0, 0);
    lg_refs_new(A(leak), "JsonLeak", 0);
    lg_refs_get(A(leak), A(&holder), 0);
    lg_refs_put(A(leak), 0, 0);
    lg_refs_exit_report();
    const char *doc = slurp(path);
    unlink(path);
    assert_non_null(doc);
    assert_non_null(strstr(doc, "\"kind\": \"ref-cycle\""));
    assert_non_null(strstr(doc, "\"cycle\": [{\"type\": \"JsonA\", \"id\": 1, \"address\": \"0x"));
    assert_non_null(strstr(doc, "}, {\"type\": \"JsonB\", \"id\": 1, \"address\": \"0x"));
    assert_non_null(strstr(doc, "\"kind\": \"ref-leak\""));
    assert_non_null(strstr(doc, "\"object\": {\"address\": \"0x"));
    assert_non_null(strstr(doc, "\"type\": \"JsonLeak\", \"id\": 1, \"refcount\": 1}"));
    assert_non_null(strstr(doc, "\"holders\": [{\"holder\": \"0x"));
    assert_non_null(strstr(doc, "\"holder_type\": \"JsonA\", \"holder_id\": 1, \"count\": 1"));
    assert_non_null(strstr(doc, "\"stacks\": ["));
    assert_non_null(strstr(doc, "\"weak_candidate\": \"JsonB#1 -> JsonA#1\""));
}

/* ---- checkpoints --------------------------------------------------------------------- */

static void check_since_counts_what_was_born_after_and_lives(void **state)
{
    (void)state;
    static char before_obj[8], after_obj[8], after_gone[8];
    bool stacks = lg_opt.stacks;
    lg_opt.stacks = false; /* heap blocks with no stack are the program's then */
    lg_refs_new(A(before_obj), "Old", 0);
    void *old_block = lg_heap_alloc(32, 16, 0, 1);
    uint64_t since = lg_refs_checkpoint();
    lg_refs_new(A(after_obj), "New", 0);
    lg_refs_new(A(after_gone), "New", 0);
    lg_refs_put(A(after_gone), 0, 0);
    void *kept = lg_heap_alloc(48, 16, 0, 1);
    void *freed = lg_heap_alloc(48, 16, 0, 1);
    lg_heap_free(freed, 0, 1, "free");
    char *with_object = lg_heap_alloc(40, 16, 0, 1);
    lg_refs_new(A(with_object), "InBlock", 0); /* counted once, as the object */
    uint64_t reports = count_of(LG_CHECKPOINT_LEAK);
    assert_int_equal(lg_refs_check_since(since, "test", 0), 3);
    assert_int_equal(count_of(LG_CHECKPOINT_LEAK), reports + 3); /* New, InBlock, the 48-byte block */
    lg_refs_put(A(after_obj), 0, 0);
    lg_refs_put(A(with_object), 0, 0);
    lg_heap_free(with_object, 0, 1, "free");
    lg_heap_free(kept, 0, 1, "free");
    assert_int_equal(lg_refs_check_since(since, "test", 0), 0);
    lg_heap_free(old_block, 0, 1, "free");
    lg_refs_put(A(before_obj), 0, 0);
    lg_opt.stacks = stacks;
}

/* ---- threads ----------------------------------------------------------------------------- */

#define THREADS 8
#define ROUNDS 20000
static char shared[4][8];

static void *hammer(void *arg)
{
    uintptr_t me = (uintptr_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        uintptr_t o = A(shared[(i + me) % 4]);
        if (me % 2) { /* the runtime's way with stacks=0 */
            get_or(o, me);
            get_or(o, 0);
            put_or(o, 0);
            put_or(o, me);
            continue;
        }
        lg_refs_get(o, me, 0);
        lg_refs_get(o, 0, 0);
        lg_refs_put(o, 0, 0);
        lg_refs_put(o, me, 0);
    }
    lg_refs_get(A(shared[0]), me, 0); /* one kept by each thread */
    return NULL;
}

static void many_threads_keep_counts_exact(void **state)
{
    (void)state;
    for (int k = 0; k < 4; k++) lg_refs_new(A(shared[k]), "Shared", 0);
    uint64_t errors = lg_report_error_count();
    pthread_t tid[THREADS];
    for (uintptr_t t = 0; t < THREADS; t++) pthread_create(&tid[t], NULL, hammer, (void *)(0x100 + t));
    for (int t = 0; t < THREADS; t++) pthread_join(tid[t], NULL);
    assert_int_equal(lg_report_error_count(), errors);
    lg_refs_info i = info(A(shared[0]), 0x100);
    assert_int_equal(i.count, 1 + THREADS);
    assert_int_equal(i.holders, 1 + THREADS);
    assert_int_equal(i.holder_count, 1);
    assert_int_equal(i.holder_gets, ROUNDS / 4 + 1);
    assert_int_equal(i.holder_puts, ROUNDS / 4);
    for (int k = 1; k < 4; k++) assert_int_equal(info(A(shared[k]), 0).count, 1);
    lg_refs_stats st;
    lg_refs_get_stats(&st);
    assert_int_equal(st.gets, (uint64_t)THREADS * (2 * ROUNDS + 1));
    assert_int_equal(st.puts, (uint64_t)THREADS * 2 * ROUNDS);
}

/* Two threads on one object's lock alone (both holders in its memo; plain
 * and token pairs in turn) while
 * a third creates and destroys objects in every shard (tables growing,
 * the dead forgotten, records reused) and a fourth freezes the tracker as
 * fork and the exit report do, and reads the counts. */
#define ONE_OBJECT_ROUNDS 200000
#define CHURN_SLOTS 40000
static char one_object[8], churned[CHURN_SLOTS][8];
static int churn_done;

static void *one_object_pairs(void *arg)
{
    uintptr_t me = (uintptr_t)arg;
    for (int i = 0; i < ONE_OBJECT_ROUNDS; i++) {
        if (i % 2) {
            uint64_t token = lg_refs_get_token(A(one_object), me, 0);
            assert_true(token != 0);
            lg_refs_put_token(A(one_object), me, token, 0);
        } else { /* the runtime's way with stacks=0 */
            get_or(A(one_object), me);
            put_or(A(one_object), me);
        }
    }
    return NULL;
}

static void *churn(void *arg)
{
    (void)arg;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < CHURN_SLOTS; i++) {
            lg_refs_new(A(churned[i]), "Churn", 0);
            lg_refs_get(A(churned[i]), 0x300, 0);
            lg_refs_put(A(churned[i]), 0x300, 0);
            lg_refs_put(A(churned[i]), 0, 0);
            if (i % 2) lg_refs_free(A(churned[i]), 0);
        }
    }
    __atomic_store_n(&churn_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void *freeze_and_read(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&churn_done, __ATOMIC_ACQUIRE)) {
        lg_refs_lock_all();
        lg_refs_unlock_all();
        lg_refs_stats st;
        lg_refs_get_stats(&st);
        lg_refs_info i = info(A(one_object), 0);
        assert_true(i.count >= 1 && i.count <= 3);
    }
    return NULL;
}

static void the_object_lock_path_stays_exact_beside_churn(void **state)
{
    (void)state;
    lg_refs_new(A(one_object), "One", 0);
    lg_refs_get(A(one_object), 0x100, 0); /* both holders known, then idle */
    lg_refs_put(A(one_object), 0x100, 0);
    lg_refs_get(A(one_object), 0x101, 0);
    lg_refs_put(A(one_object), 0x101, 0);
    uint64_t errors = lg_report_error_count();
    pthread_t tid[4];
    pthread_create(&tid[0], NULL, one_object_pairs, (void *)0x100);
    pthread_create(&tid[1], NULL, one_object_pairs, (void *)0x101);
    pthread_create(&tid[2], NULL, churn, NULL);
    pthread_create(&tid[3], NULL, freeze_and_read, NULL);
    for (int t = 0; t < 4; t++) pthread_join(tid[t], NULL);
    assert_int_equal(lg_report_error_count(), errors);
    for (uintptr_t h = 0x100; h <= 0x101; h++) {
        lg_refs_info i = info(A(one_object), h);
        assert_int_equal(i.count, 1);
        assert_int_equal(i.holders, 1); /* the creator's */
        assert_int_equal(i.holder_count, 0);
        assert_int_equal(i.holder_gets, ONE_OBJECT_ROUNDS + 1);
        assert_int_equal(i.holder_puts, ONE_OBJECT_ROUNDS + 1);
    }
    lg_refs_stats st;
    lg_refs_get_stats(&st);
    assert_int_equal(st.gets, 2 * (ONE_OBJECT_ROUNDS + 1) + 2 * CHURN_SLOTS);
    assert_int_equal(st.puts, 2 * (ONE_OBJECT_ROUNDS + 1) + 2 * 2 * CHURN_SLOTS);
    assert_int_equal(st.objects_born, 1 + 2 * CHURN_SLOTS);
}

/* ---- lg_refcount_t ------------------------------------------------------------------------- */

static void refcount_saturates_instead_of_wrapping(void **state)
{
    (void)state;
    static struct {
        lg_refcount_t ref;
    } o;
    lg_refcount_init(&o.ref, &o, "Counted");
    assert_int_equal(lg_refcount_read(&o.ref), 1);
    lg_refcount_get(&o.ref, &o, NULL);
    assert_false(lg_refcount_put(&o.ref, &o, NULL));
    assert_true(lg_refcount_put(&o.ref, &o, NULL));
    assert_false(lg_refcount_put(&o.ref, &o, NULL)); /* underflow: saturated, never true again */
    assert_int_equal(lg_refcount_read(&o.ref), LG_REFCOUNT_SATURATED);
    lg_refcount_get(&o.ref, &o, NULL);
    assert_false(lg_refcount_put(&o.ref, &o, NULL));
    assert_int_equal(lg_refcount_read(&o.ref), LG_REFCOUNT_SATURATED);

    lg_refcount_t zero = LG_REFCOUNT_INIT(0);
    lg_refcount_get(&zero, &zero, NULL); /* from zero: a use after free */
    assert_int_equal(lg_refcount_read(&zero), LG_REFCOUNT_SATURATED);
    lg_refcount_t max = LG_REFCOUNT_INIT(INT32_MAX);
    lg_refcount_get(&max, &max, NULL);
    assert_int_equal(lg_refcount_read(&max), LG_REFCOUNT_SATURATED);
}

/* ---- round 2: balance, tokens, hand-over, weak slots, names, helpers ------------- */

/* Fake call stacks made of this file's functions, innermost first: each
 * pc is its function's start + 1 (return addresses are looked up at pc - 1,
 * and these functions may be a single ret). */
__attribute__((noinline, used)) void fake_main(void) { __asm__ volatile(""); }
__attribute__((noinline, used)) void fake_open_dev(void) { __asm__ volatile(""); }
__attribute__((noinline, used)) void fake_close_dev(void) { __asm__ volatile(""); }
__attribute__((noinline, used)) void dev_hold(void) { __asm__ volatile(""); }
__attribute__((noinline, used)) void dev_release_ref(void) { __asm__ volatile(""); }

static lg_stack_id fake_stack(int depth, ...)
{
    uintptr_t pcs[8];
    va_list ap;
    va_start(ap, depth);
    for (int i = 0; i < depth; i++) pcs[i] = (uintptr_t)va_arg(ap, void (*)(void)) + 1;
    va_end(ap);
    return lg_depot_put(pcs, (uint32_t)depth);
}

static lg_refs_info site_info(uintptr_t obj)
{
    return info(obj, 0);
}

static void balance_pairs_puts_with_the_gets_that_share_their_callers(void **state)
{
    (void)state;
    static char obj[16];
    lg_stack_id birth = fake_stack(1, fake_main);
    lg_stack_id get = fake_stack(3, dev_hold, fake_open_dev, fake_main);
    lg_stack_id put_in_open = fake_stack(3, dev_release_ref, fake_open_dev, fake_main);
    lg_stack_id put_in_main = fake_stack(2, dev_release_ref, fake_main);
    lg_refs_new(A(obj), "Device", birth);
    for (int i = 0; i < 1000; i++) {
        lg_refs_get(A(obj), 0, get);
        if (i != 617) lg_refs_put(A(obj), 0, put_in_open);
    }
    lg_refs_put(A(obj), 0, put_in_main); /* most recent get first would charge this to open_dev */
    assert_int_equal(site_info(A(obj)).count, 1);
    char path[] = "/tmp/lg-balance-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    close(tmp);
    snprintf(lg_report_json_path, sizeof(lg_report_json_path), "%s", path);
    assert_int_equal(lg_refs_exit_report(), 1);
    const char *text = slurp(path);
    unlink(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "the leaked references were acquired in fake_open_dev"));
    assert_non_null(strstr(text, "1 anonymous reference acquired in fake_open_dev not released (acquired 1000× there, 999 of them released)"));
    assert_null(strstr(text, "acquired in fake_main not released"));
}

static void tokens_pair_exactly_and_catch_a_second_hand_back(void **state)
{
    (void)state;
    static char obj[16], holder;
    lg_refs_new(A(obj), "Device", 0);
    uint64_t a = lg_refs_get_token(A(obj), A(&holder), 0);
    uint64_t b = lg_refs_get_token(A(obj), A(&holder), 0);
    assert_true(a != 0 && b != 0 && a != b);
    uint64_t before = count_of(LG_REF_PUT_UNHELD);
    lg_refs_put_token(A(obj), A(&holder), a, 0);
    assert_int_equal(info(A(obj), A(&holder)).holder_count, 1);
    lg_refs_put_token(A(obj), A(&holder), a, 0); /* again: the holder still holds b, yet this is a double put */
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before + 1);
    assert_int_equal(info(A(obj), A(&holder)).count, 1); /* the count follows the program's */
    lg_refs_put_token(A(obj), A(&holder), b, 0);
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before + 1);
    assert_int_equal(info(A(obj), A(&holder)).holder_count, 0);
    assert_int_equal(info(A(obj), 0).count, 0); /* the double put took the creator's */
    static char other[16];
    lg_refs_new(A(other), "Device", 0);
    lg_refs_put_token(A(other), A(&holder), 0, 0); /* token 0: a plain put; never held: reported */
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before + 2);
}

static void a_move_changes_the_holder_not_the_count(void **state)
{
    (void)state;
    static char obj[16], queue, worker;
    lg_refs_new(A(obj), "Request", 0);
    lg_refs_move(A(obj), 0, A(&queue), 0);
    assert_int_equal(info(A(obj), 0).holder_count, 0);
    assert_int_equal(info(A(obj), A(&queue)).holder_count, 1);
    assert_int_equal(info(A(obj), 0).count, 1);
    lg_refs_move(A(obj), A(&queue), A(&worker), 0);
    assert_int_equal(info(A(obj), A(&worker)).holder_count, 1);
    uint64_t before = count_of(LG_REF_PUT_UNHELD);
    lg_refs_move(A(obj), A(&queue), A(&worker), 0); /* the queue holds nothing now */
    assert_int_equal(count_of(LG_REF_PUT_UNHELD), before + 1);
    assert_int_equal(info(A(obj), A(&worker)).holder_count, 1);
    lg_refs_put(A(obj), A(&worker), 0);
    assert_int_equal(info(A(obj), 0).state, LG_REFS_ZERO);
    assert_int_equal(lg_refs_exit_report(), 0);
}

static void a_proven_live_get_revives_a_zero_object_silently(void **state)
{
    (void)state;
    static char obj[16], dead[16];
    lg_refs_new(A(obj), "Entry", 0);
    lg_refs_put(A(obj), 0, 0); /* the tracker sees the racing final put first */
    assert_int_equal(info(A(obj), 0).state, LG_REFS_ZERO);
    uint64_t before = count_of(LG_REF_GET_AFTER_FREE);
    lg_refs_get_unless_zero(A(obj), 0, 0);
    assert_int_equal(count_of(LG_REF_GET_AFTER_FREE), before);
    assert_int_equal(info(A(obj), 0).state, LG_REFS_ALIVE);
    lg_refs_put(A(obj), 0, 0);
    lg_refs_new(A(dead), "Entry", 0);
    lg_refs_put(A(dead), 0, 0);
    lg_refs_free(A(dead), 0);
    lg_refs_get_unless_zero(A(dead), 0, 0); /* destroyed: no count could prove it live */
    assert_int_equal(count_of(LG_REF_GET_AFTER_FREE), before + 1);
}

static void saturation_and_puts_after_destruction_are_reported_once(void **state)
{
    (void)state;
    static char obj[16];
    lg_refs_new(A(obj), "Port", 0);
    uint64_t sat = count_of(LG_REF_SATURATED), paf = count_of(LG_REF_PUT_AFTER_FREE);
    lg_refs_saturated(A(obj), LG_REFS_SAT_OVERFLOW, 0);
    lg_refs_saturated(A(obj), LG_REFS_SAT_BELOW_ZERO, 0);
    assert_int_equal(count_of(LG_REF_SATURATED), sat + 1);
    lg_refs_get(A(obj), 0, 0);
    lg_refs_free(A(obj), 0); /* two anonymous references: freed while held */
    lg_refs_put(A(obj), 0, 0);
    lg_refs_put(A(obj), 0, 0);
    assert_int_equal(count_of(LG_REF_PUT_AFTER_FREE), paf + 1);
    assert_int_equal(info(A(obj), 0).count, 0);
}

static void weak_slots_report_dead_objects_and_unregistered_stores(void **state)
{
    (void)state;
    static char a[16], b[16], slot;
    lg_refs_new(A(a), "Conn", 0);
    lg_refs_new(A(b), "Conn", 0);
    uint64_t before = count_of(LG_REF_WEAK_STALE);
    lg_refs_weak_set(A(&slot), A(a), 0);
    lg_refs_weak_use(A(&slot), A(a), 0);
    assert_int_equal(count_of(LG_REF_WEAK_STALE), before);
    lg_refs_weak_use(A(&slot), A(b), 0); /* a store of b never registered */
    assert_int_equal(count_of(LG_REF_WEAK_STALE), before + 1);
    lg_refs_weak_use(A(&slot), A(b), 0); /* once per registration */
    assert_int_equal(count_of(LG_REF_WEAK_STALE), before + 1);
    lg_refs_weak_set(A(&slot), A(b), fake_stack(1, fake_main));
    lg_refs_weak_use(A(&slot), A(b), 0);
    assert_int_equal(count_of(LG_REF_WEAK_STALE), before + 1);
    lg_refs_put(A(b), 0, 0);
    lg_refs_free(A(b), 0);
    lg_refs_weak_use(A(&slot), A(b), fake_stack(1, fake_close_dev)); /* b died, the slot was not cleared */
    assert_int_equal(count_of(LG_REF_WEAK_STALE), before + 2);
    lg_refs_weak_set(A(&slot), 0, 0); /* cleared: nothing to check any more */
    lg_refs_weak_use(A(&slot), A(b), 0);
    assert_int_equal(count_of(LG_REF_WEAK_STALE), before + 2);
}

static void names_and_clone_suffixes(void **state)
{
    (void)state;
    static char obj[16];
    lg_refs_new(A(obj), "net_device", 0);
    lg_refs_name(A(obj), "eth0");
    refs_shard *s = refs_shard_of(A(obj));
    lg_lock(&s->lock);
    char name[80];
    refs_name(refs_obj_find(s, A(obj)), name, sizeof(name));
    lg_unlock(&s->lock);
    assert_string_equal(name, "net_device#1 \"eth0\"");
    assert_string_equal(refs_clean_function("open_dev.constprop.0"), "open_dev");
    assert_string_equal(refs_clean_function("open_dev.isra.0.part.1"), "open_dev");
    assert_string_equal(refs_clean_function("open_dev.cold"), "open_dev");
    assert_string_equal(refs_clean_function("open_dev"), "open_dev");
    assert_string_equal(refs_clean_function("a.b"), "a.b");
    assert_true(refs_is_helper("dget") && refs_is_helper("iput") && refs_is_helper("__iget"));
    assert_true(refs_is_helper("igrab") && refs_is_helper("blk_get_queue") && refs_is_helper("Py_DECREF"));
    assert_true(refs_is_helper("kobject_put.part.0") && refs_is_helper("dev_hold"));
    assert_false(refs_is_helper("input") || refs_is_helper("target") || refs_is_helper("open_dev") ||
                 refs_is_helper("budget"));
    assert_false(refs_is_helper("my_acquire"));
    lg_refs_helper("my_acquire");
    assert_true(refs_is_helper("my_acquire") && refs_is_helper("my_acquire.constprop.0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(counts_follow_gets_and_puts, reset),
        cmocka_unit_test_setup(objects_are_numbered_per_type_in_birth_order, reset),
        cmocka_unit_test_setup(a_get_on_an_unknown_address_starts_an_implicit_object, reset),
        cmocka_unit_test_setup(a_forgotten_holder_leaves_no_stale_memo, reset),
        cmocka_unit_test_setup(the_quick_path_serves_known_holders_and_hands_over_the_rest, reset),
        cmocka_unit_test_setup(underflow_is_reported_and_the_count_stays_at_zero, reset),
        cmocka_unit_test_setup(a_double_put_by_one_holder_is_caught_while_others_hold, reset),
        cmocka_unit_test_setup(get_after_zero_or_destroy_is_reported_once_per_object, reset),
        cmocka_unit_test_setup(destroy_while_held, reset),
        cmocka_unit_test_setup(freeing_the_heap_block_destroys_the_objects_in_it, reset),
        cmocka_unit_test_setup(growth_is_a_warning_once_per_object, reset),
        cmocka_unit_test_setup(expect_freed_reports_what_is_still_counted, reset),
        cmocka_unit_test_setup(exit_reports_roots_and_cycles_once, reset),
        cmocka_unit_test_setup(leaks_and_cycles_of_the_same_way_share_a_finding, reset),
        cmocka_unit_test_setup(long_chains_and_big_cycles_need_no_recursion, reset),
        cmocka_unit_test_setup(findings_have_the_json_contract, reset),
        cmocka_unit_test_setup(check_since_counts_what_was_born_after_and_lives, reset),
        cmocka_unit_test_setup(many_threads_keep_counts_exact, reset),
        cmocka_unit_test_setup(the_object_lock_path_stays_exact_beside_churn, reset),
        cmocka_unit_test_setup(refcount_saturates_instead_of_wrapping, reset),
        cmocka_unit_test_setup(balance_pairs_puts_with_the_gets_that_share_their_callers, reset),
        cmocka_unit_test_setup(tokens_pair_exactly_and_catch_a_second_hand_back, reset),
        cmocka_unit_test_setup(a_move_changes_the_holder_not_the_count, reset),
        cmocka_unit_test_setup(a_proven_live_get_revives_a_zero_object_silently, reset),
        cmocka_unit_test_setup(saturation_and_puts_after_destruction_are_reported_once, reset),
        cmocka_unit_test_setup(weak_slots_report_dead_objects_and_unregistered_stores, reset),
        cmocka_unit_test_setup(names_and_clone_suffixes, reset),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
