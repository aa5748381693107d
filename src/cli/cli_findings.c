/* cli_findings.c — reading a symbolized JSON report for the renderers
 * (SARIF, HTML, text, suppressions, baseline): loading and checking the
 * document, walking a finding's stacks, telling the program's own frames
 * from the C library's, and the frames that stand for a finding. */
#define _GNU_SOURCE
#include "cli.h"
#include "cli_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

json_t *cli_report_load(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0) cli_die("%s: cannot open report '%s': %s", what, path, strerror(errno));
    if (S_ISDIR(st.st_mode)) cli_die("%s: cannot open report '%s': it is a directory", what, path);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        cli_die("%s: '%s' is not a JSON report: line %d, column %d: %s", what, path, jerr.line, jerr.column, jerr.text);
    const char *tool = json_string_value(json_object_get(doc, "tool"));
    if (!json_is_object(doc) || !tool || strcmp(tool, "lifeguard") != 0 ||
        !json_is_array(json_object_get(doc, "findings")))
        cli_die("%s: '%s' is not a lifeguard report (no \"tool\": \"lifeguard\" and \"findings\")", what, path);
    return doc;
}

/* The order in which a finding's stacks are shown and searched: the bad
 * operation first, then its block's or object's history. */
static const char *const stack_order[] = {"access", "free", "alloc", "zero_put", "last_put", "holder_last_put", "birth"};

size_t cli_finding_stacks(json_t *finding, cli_named_stack *out, size_t max)
{
    json_t *stacks = json_object_get(finding, "stacks");
    size_t n = 0;
    for (size_t i = 0; i < CLI_ARRAY_LEN(stack_order) && n < max; i++) {
        json_t *s = json_object_get(stacks, stack_order[i]);
        if (json_is_array(s)) out[n++] = (cli_named_stack){stack_order[i], s, NULL};
    }
    const char *key;
    json_t *s;
    json_object_foreach(stacks, key, s)
    {
        bool known = false;
        for (size_t i = 0; i < CLI_ARRAY_LEN(stack_order); i++) known |= strcmp(key, stack_order[i]) == 0;
        if (!known && json_is_array(s) && n < max) out[n++] = (cli_named_stack){key, s, NULL};
    }
    json_t *titles = json_object_get(finding, "stack_titles");
    for (size_t i = 0; i < n; i++) {
        const char *title = json_string_value(json_object_get(titles, out[i].name));
        out[i].title = title && *title ? title : cli_stack_title(out[i].name);
    }
    return n;
}

const char *cli_stack_title(const char *name)
{
    static const struct {
        const char *name, *title;
    } titles[] = {
        {"access", "the bad operation"},
        {"alloc", "allocated here"},
        {"free", "freed here"},
        {"birth", "born here"},
        {"last_put", "its last put"},
        {"zero_put", "the put that brought the count to zero"},
        {"holder_last_put", "the holder's previous put"},
    };
    for (size_t i = 0; i < CLI_ARRAY_LEN(titles); i++)
        if (strcmp(name, titles[i].name) == 0) return titles[i].title;
    return name;
}

const char *cli_str_field(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

bool cli_frame_is_own(json_t *frame)
{
    const char *module = cli_str_field(frame, "module");
    const char *file = cli_str_field(frame, "file");
    if (!module) return false;
    static const char *const system_dirs[] = {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/libexec/"};
    for (size_t i = 0; i < CLI_ARRAY_LEN(system_dirs); i++)
        if (has_prefix(module, system_dirs[i])) return false;
    const char *base = strrchr(module, '/');
    base = base ? base + 1 : module;
    if (has_prefix(base, "liblifeguard")) return false;
    /* lifeguard.h's inline wrappers, when the compiler kept them out of line. */
    if (file && (ends_with(file, "/lifeguard.h") || strcmp(file, "lifeguard.h") == 0)) return false;
    return true;
}

bool cli_frame_is_bottom(json_t *frame, bool *show_it)
{
    const char *fn = cli_str_field(frame, "function");
    if (!fn) return false;
    if (strcmp(fn, "main") == 0) {
        *show_it = true;
        return true;
    }
    static const char *const thread_roots[] = {"start_thread", "clone3", "__clone3", "clone", "__clone"};
    for (size_t i = 0; i < CLI_ARRAY_LEN(thread_roots); i++) {
        if (strcmp(fn, thread_roots[i]) == 0) {
            *show_it = false;
            return true;
        }
    }
    return false;
}

size_t cli_stack_shown(json_t *stack, bool full)
{
    size_t n = json_array_size(stack);
    if (full) return n;
    for (size_t i = 0; i < n; i++) {
        bool show = false;
        if (cli_frame_is_bottom(json_array_get(stack, i), &show)) return i + (show ? 1 : 0);
    }
    return n;
}

json_t *cli_stack_own_frame(json_t *stack)
{
    size_t i;
    json_t *f;
    json_array_foreach(stack, i, f) if (cli_frame_is_own(f) && cli_str_field(f, "function")) return f;
    return NULL;
}

json_t *cli_finding_primary_stack(json_t *finding)
{
    cli_named_stack st[16];
    size_t n = cli_finding_stacks(finding, st, CLI_ARRAY_LEN(st));
    /* A reference finding's culprit is where the outstanding references were
     * taken: the first holder's acquisition site, when there is one. */
    const char *kind = cli_str_field(finding, "kind");
    json_t *holders = json_object_get(finding, "holders");
    if (kind && has_prefix(kind, "ref-") && json_array_size(holders)) {
        json_t *hs = json_object_get(json_array_get(holders, 0), "stacks");
        json_t *first = json_array_get(hs, 0);
        if (json_array_size(first) && cli_stack_own_frame(first)) return first;
    }
    for (size_t i = 0; i < n; i++)
        if (cli_stack_own_frame(st[i].frames)) return st[i].frames;
    return n ? st[0].frames : NULL;
}

json_t *cli_finding_primary_frame(json_t *finding)
{
    json_t *stack = cli_finding_primary_stack(finding);
    json_t *f = stack ? cli_stack_own_frame(stack) : NULL;
    return f ? f : json_array_get(stack, 0);
}

char *cli_finding_signature(json_t *finding)
{
    cli_str s = {0};
    const char *kind = cli_str_field(finding, "kind");
    cli_str_puts(&s, kind ? kind : "?");
    json_t *object = json_object_get(finding, "object");
    const char *type = cli_str_field(object, "type");
    if (type) cli_str_printf(&s, " %s", type);
    /* The culprit frames: from the first of the program's own, at most four,
     * by function (lines move when code is edited; addresses every run). */
    json_t *stack = cli_finding_primary_stack(finding);
    json_t *own = stack ? cli_stack_own_frame(stack) : NULL;
    size_t start = 0, i;
    json_t *f;
    json_array_foreach(stack, i, f) if (f == own) start = i;
    size_t shown = cli_stack_shown(stack, false);
    for (i = start; i < shown && i < start + 4; i++) {
        f = json_array_get(stack, i);
        const char *fn = cli_str_field(f, "function");
        cli_str_printf(&s, " <- %s", fn ? fn : "?");
    }
    if (!s.data) cli_str_puts(&s, "");
    return s.data;
}
