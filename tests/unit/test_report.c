/* test_report.c — a worded finding's record and its two renderers: every
 * sort of part comes out in the text in wording order and in its own JSON
 * section; the key stack names the suppression stack; a record too big for
 * its storage still writes its text but leaves the JSON document whole
 * (the finding is counted, not stored); long lines are cut as before. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/lg_core.h"

static char text_path[] = "/tmp/lg-test-report-text-XXXXXX";
static char json_path[] = "/tmp/lg-test-report-json-XXXXXX";

static char *slurp(const char *path)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static int setup(void **state)
{
    (void)state;
    lg_options_defaults(&lg_opt);
    int fd = mkstemp(text_path);
    if (fd < 0) return -1;
    lg_report_channel = fd;
    fd = mkstemp(json_path);
    if (fd < 0) return -1;
    close(fd);
    snprintf(lg_report_json_path, sizeof(lg_report_json_path), "%s", json_path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close(lg_report_channel);
    unlink(text_path);
    unlink(json_path);
    return 0;
}

/* The text written since the last call. */
static const char *new_text(void)
{
    static long seen;
    const char *all = slurp(text_path);
    const char *t = all + seen;
    seen = (long)strlen(all);
    return t;
}

/* a, then b, in s. */
static void assert_in_order(const char *s, const char *a, const char *b)
{
    const char *pa = strstr(s, a), *pb = pa ? strstr(pa + strlen(a), b) : NULL;
    if (!pa || !pb) fail_msg("'%s' then '%s' not found in:\n%s", a, b, s);
}

static lg_stack_id some_stack(uintptr_t pc)
{
    uintptr_t pcs[2] = {pc, pc + 16};
    return lg_depot_put(pcs, 2);
}

static void every_part_in_both_renderings(void **state)
{
    (void)state;
    lg_stack_id access = some_stack(0x1000), alloc = some_stack(0x2000), held = some_stack(0x3000);
    lg_report *r = lg_report_begin(LG_REF_LEAK, access, "Thing#%d leaked", 1);
    assert_non_null(r);
    lg_report_object(r, 0xabc0, "Thing", 1, 2);
    lg_report_note(r, "first note");
    lg_report_stack_of_thread(r, "access", access, "the access", 42);
    lg_report_holder_begin(r, 0x5000, "Owner", 7, 2, "Owner#7 holds %d", 2);
    lg_report_holder_stack(r, held, "acquired here");
    lg_report_note(r, "a note inside a holder");
    lg_report_holder_stack(r, held, "acquired there too");
    lg_report_holder_end(r);
    lg_report_holder_stack(r, held, "outside any holder: dropped");
    lg_report_holder_begin(r, 0, NULL, 0, 1, "an anonymous one");
    lg_report_holder_end(r);
    lg_report_cycle_member(r, "Thing", 1, 0xabc0);
    lg_report_cycle_member(r, "Owner", 7, 0x5000);
    lg_report_stack(r, "alloc", alloc, "allocated here");
    lg_report_address(r, 0xabc8);
    lg_report_block(r, 0xabc0, 32);
    lg_report_access_type(r, "write");
    lg_report_field_u64(r, "blocks", 3);
    lg_report_field_str(r, "weak_candidate", "Owner#7 -> Thing#1");
    lg_report_end(r);

    const char *t = new_text();
    assert_in_order(t, "ERROR: lifeguard: ref-leak: Thing#1 leaked\n", "  object Thing#1 at 0xabc0, refcount 2\n");
    assert_in_order(t, "  object Thing#1", "  first note\n");
    assert_in_order(t, "  first note\n", "  the access, by thread 42:\n    #0 0x1000");
    assert_in_order(t, "  the access, by thread 42:", "  Owner#7 holds 2\n    acquired here:\n      #0 0x3000");
    assert_in_order(t, "    acquired here:", "  a note inside a holder\n    acquired there too:\n");
    assert_in_order(t, "acquired there too:", "  an anonymous one\n  cycle: Thing#1 at 0xabc0\n  -> holds Owner#7 at 0x5000\n");
    assert_in_order(t, "-> holds Owner#7", "  allocated here:\n    #0 0x2000");
    assert_null(strstr(t, "outside any holder"));

    const char *j = slurp(json_path);
    assert_in_order(j, "{\"kind\": \"ref-leak\", \"message\": \"Thing#1 leaked\", \"address\": \"0xabc8\"",
                    ", \"access\": {\"type\": \"write\"}, \"block\": {\"address\": \"0xabc0\", \"size\": 32}");
    assert_in_order(j, "\"size\": 32}", ", \"object\": {\"address\": \"0xabc0\", \"type\": \"Thing\", \"id\": 1, \"refcount\": 2}");
    assert_in_order(j, "\"refcount\": 2}", ", \"blocks\": 3, \"weak_candidate\": \"Owner#7 -> Thing#1\", \"severity\": \"error\"");
    assert_in_order(j, "\"severity\": \"error\"", ", \"suppression_stack\": \"access\"");
    assert_in_order(j, "\"suppression_stack\": \"access\"", ", \"notes\": [\"first note\", \"a note inside a holder\"]");
    assert_in_order(j, "\"notes\": [", ", \"stacks\": {\"access\": [{\"pc\": \"0x1000\"");
    assert_in_order(j, "\"stacks\": {\"access\": [", "], \"alloc\": [{\"pc\": \"0x2000\"");
    assert_in_order(j, "\"alloc\": [", ", \"threads\": {\"access\": 42}");
    assert_in_order(j, "\"threads\": {\"access\": 42}",
                    ", \"holders\": [{\"holder\": \"0x5000\", \"holder_type\": \"Owner\", \"holder_id\": 7, \"count\": 2, "
                    "\"description\": \"Owner#7 holds 2\", \"stacks\": [[{\"pc\": \"0x3000\"");
    assert_in_order(j, "\"description\": \"Owner#7 holds 2\"",
                    "]]}, {\"holder\": \"0x0\", \"count\": 1, \"description\": \"an anonymous one\", \"stacks\": []}]");
    assert_in_order(j, "\"an anonymous one\"",
                    ", \"cycle\": [{\"type\": \"Thing\", \"id\": 1, \"address\": \"0xabc0\"}, {\"type\": \"Owner\", \"id\": 7, "
                    "\"address\": \"0x5000\"}]}");
    /* Two stacks of the first holder, none dropped outside it joined it. */
    const char *h = strstr(j, "\"holders\": [");
    const char *anon = strstr(h, "\"an anonymous one\"");
    int frames = 0;
    for (const char *p = h; (p = strstr(p, "\"pc\": \"0x3000\"")) && p < anon; p++) frames++;
    assert_int_equal(frames, 2);
}

/* A finding with no parts but its message: no empty sections. */
static void empty_sections_are_left_out(void **state)
{
    (void)state;
    lg_report *r = lg_report_begin(LG_SEGV, 0, "nothing else");
    lg_report_not_error(r);
    lg_report_end(r);
    assert_in_order(new_text(), "WARNING: lifeguard: segv: nothing else\n", "\n");
    const char *j = slurp(json_path);
    assert_non_null(strstr(j, "{\"kind\": \"segv\", \"message\": \"nothing else\", \"severity\": \"warning\"}"));
}

/* More parts than the record holds: the text shows what fitted, the JSON
 * document stays whole without the finding, which is still counted. */
static void a_record_too_big_keeps_the_document_whole(void **state)
{
    (void)state;
    uint64_t before = lg_report_finding_count();
    lg_report *r = lg_report_begin(LG_LEAK, 0, "too big");
    for (int i = 0; i < 3000; i++) lg_report_note(r, "note %d", i);
    lg_report_end(r);
    assert_int_equal(lg_report_finding_count(), before + 1);
    const char *t = new_text();
    assert_non_null(strstr(t, "  note 0\n"));
    assert_null(strstr(t, "  note 2999\n"));
    const char *j = slurp(json_path);
    assert_null(strstr(j, "\"message\": \"too big\""));
    assert_non_null(strstr(j, "\"summary\": {"));
}

/* A message, note or holder description is cut at 511 bytes, as before. */
static void long_lines_are_cut(void **state)
{
    (void)state;
    char line[700];
    memset(line, 'x', sizeof(line) - 1);
    line[sizeof(line) - 1] = 0;
    lg_report *r = lg_report_begin(LG_LEAK, 0, "%s", line);
    lg_report_note(r, "%s", line);
    lg_report_end(r);
    const char *t = new_text();
    char cut[520];
    memset(cut, 'x', 511);
    cut[511] = '\n';
    cut[512] = 0;
    assert_non_null(strstr(t, cut));
    assert_null(strstr(t, line + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_part_in_both_renderings),
        cmocka_unit_test(empty_sections_are_left_out),
        cmocka_unit_test(a_record_too_big_keeps_the_document_whole),
        cmocka_unit_test(long_lines_are_cut),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
