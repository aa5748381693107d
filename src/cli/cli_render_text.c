/* cli_render_text.c — a JSON report back as sanitizer-style text (what
 * `report --baseline` prints), and as suppression rules, one per finding,
 * in the suppressions file's syntax (KIND:FUNCTION). */
#define _GNU_SOURCE
#include "cli_report.h"

#include <stdlib.h>
#include <string.h>

static void put_frame(cli_str *out, const char *indent, size_t i, json_t *f)
{
    const char *pc = cli_str_field(f, "pc"), *fn = cli_str_field(f, "function");
    const char *file = cli_str_field(f, "file"), *module = cli_str_field(f, "module");
    const char *off = cli_str_field(f, "offset");
    json_int_t line = json_integer_value(json_object_get(f, "line"));
    size_t k;
    json_t *in;
    json_array_foreach(json_object_get(f, "inlined"), k, in)
    {
        const char *ifn = cli_str_field(in, "function"), *ifile = cli_str_field(in, "file");
        cli_str_printf(out, "%s#%zu %s in %s", indent, i, pc ? pc : "0x0", ifn ? ifn : "??");
        if (ifile) cli_str_printf(out, " %s:%lld", ifile, (long long)json_integer_value(json_object_get(in, "line")));
        cli_str_puts(out, " (inlined)\n");
    }
    cli_str_printf(out, "%s#%zu %s", indent, i, pc ? pc : "0x0");
    if (fn) cli_str_printf(out, " in %s", fn);
    if (file) {
        cli_str_printf(out, " %s", file);
        if (line > 0) cli_str_printf(out, ":%lld", (long long)line);
    }
    if (module && off) cli_str_printf(out, " (%s+%s)\n", module, off);
    else cli_str_puts(out, " (<unknown module>)\n");
}

static void put_stack(cli_str *out, const char *indent, json_t *frames, bool full)
{
    size_t shown = cli_stack_shown(frames, full);
    for (size_t i = 0; i < shown; i++) put_frame(out, indent, i, json_array_get(frames, i));
    if (!json_array_size(frames)) cli_str_printf(out, "%s(no stack recorded: stacks=0?)\n", indent);
}

static void render_finding(json_t *f, json_t *doc, const cli_render_opts *o, cli_str *out)
{
    const char *severity = cli_str_field(f, "severity");
    const char *kind = cli_str_field(f, "kind"), *message = cli_str_field(f, "message");
    cli_str_printf(out, "==%lld==%s: lifeguard: %s: %s\n", (long long)json_integer_value(json_object_get(doc, "pid")),
                   severity && strcmp(severity, "warning") == 0 ? "WARNING" : "ERROR", kind ? kind : "?",
                   message ? message : "");
    json_t *obj = json_object_get(f, "object");
    if (obj)
        cli_str_printf(out, "  object %s#%lld at %s, refcount %lld\n", cli_str_field(obj, "type"),
                       (long long)json_integer_value(json_object_get(obj, "id")), cli_str_field(obj, "address"),
                       (long long)json_integer_value(json_object_get(obj, "refcount")));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(f, "notes"), i, v) cli_str_printf(out, "  %s\n", json_string_value(v));
    json_array_foreach(json_object_get(f, "cycle"), i, v)
        cli_str_printf(out, "  %s %s#%lld at %s\n", i ? "-> holds" : "cycle:", cli_str_field(v, "type"),
                       (long long)json_integer_value(json_object_get(v, "id")), cli_str_field(v, "address"));
    json_array_foreach(json_object_get(f, "holders"), i, v)
    {
        cli_str_printf(out, "  %s\n", cli_str_field(v, "description"));
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(v, "stacks"), k, s)
        {
            cli_str_puts(out, "    acquired here:\n");
            put_stack(out, "      ", s, o->full_stacks);
        }
    }
    cli_named_stack st[16];
    size_t n = cli_finding_stacks(f, st, CLI_ARRAY_LEN(st));
    json_t *threads = json_object_get(f, "threads");
    for (size_t k = 0; k < n; k++) {
        json_t *tid = json_object_get(threads, st[k].name);
        if (tid) cli_str_printf(out, "  %s, by thread %lld:\n", st[k].title, (long long)json_integer_value(tid));
        else cli_str_printf(out, "  %s:\n", st[k].title);
        put_stack(out, "    ", st[k].frames, o->full_stacks);
    }
    cli_str_puts(out, "\n");
}

/* The runtime's own last line (lg_report_summary_line), worded the same from
 * the findings shown: errors, warnings, the kinds in the runtime's order
 * (summary.by_kind's), then what was suppressed or dropped. */
static void render_summary(json_t *doc, size_t errors, cli_str *out)
{
    json_t *findings = json_object_get(doc, "findings"), *summary = json_object_get(doc, "summary");
    size_t shown = json_array_size(findings), warnings = shown - errors;
    cli_str_printf(out, "SUMMARY: lifeguard: %zu error%s", errors, errors == 1 ? "" : "s");
    if (warnings) cli_str_printf(out, ", %zu warning%s", warnings, warnings == 1 ? "" : "s");

    /* Kinds by first mention: the runtime's by_kind order, then any kind only the findings name. */
    const char *kinds[64];
    size_t counts[64], nkinds = 0, i, k;
    const char *key;
    json_t *v, *f;
    json_object_foreach(json_object_get(summary, "by_kind"), key, v)
    {
        if (nkinds < 64) counts[nkinds] = 0, kinds[nkinds++] = key;
    }
    json_array_foreach(findings, i, f)
    {
        const char *kind = cli_str_field(f, "kind");
        if (!kind) continue;
        for (k = 0; k < nkinds && strcmp(kinds[k], kind) != 0; k++) {
        }
        if (k == nkinds && nkinds < 64) counts[nkinds] = 0, kinds[nkinds++] = kind;
        if (k < nkinds) counts[k]++;
    }
    size_t present = 0;
    for (k = 0; k < nkinds; k++) present += counts[k] != 0;
    cli_str_printf(out, " (%zu kind%s", present, present == 1 ? "" : "s");
    const char *sep = ": ";
    for (k = 0; k < nkinds; k++) {
        if (!counts[k]) continue;
        cli_str_printf(out, "%s%s %zu", sep, kinds[k], counts[k]);
        sep = ", ";
    }
    cli_str_puts(out, ")");
    json_int_t suppressed = json_integer_value(json_object_get(summary, "suppressed"));
    json_int_t dropped = json_integer_value(json_object_get(summary, "dropped"));
    if (suppressed > 0) cli_str_printf(out, "; %lld suppressed", (long long)suppressed);
    if (dropped > 0) cli_str_printf(out, "; %lld beyond max_findings", (long long)dropped);
    cli_str_puts(out, "\n");
}

void cli_render_text(json_t *doc, const cli_render_opts *o, cli_str *out)
{
    size_t i, errors = 0;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f)
    {
        render_finding(f, doc, o, out);
        const char *severity = cli_str_field(f, "severity");
        errors += !(severity && strcmp(severity, "warning") == 0);
    }
    render_summary(doc, errors, out);
}

/* ---- suppressions ---------------------------------------------------------- */

/* The stack the runtime matches the suppressions against: the JSON names it
 * ("suppression_stack"); reference findings without one are matched against
 * their birth. */
static json_t *key_stack(json_t *finding)
{
    json_t *stacks = json_object_get(finding, "stacks");
    const char *name = cli_str_field(finding, "suppression_stack");
    json_t *s = name ? json_object_get(stacks, name) : NULL;
    if (!s) s = json_object_get(stacks, "birth");
    if (!s) s = json_object_get(stacks, "access");
    return s;
}

char *cli_finding_suppression(json_t *finding)
{
    const char *kind = cli_str_field(finding, "kind");
    json_t *stack = key_stack(finding);
    json_t *own = stack ? cli_stack_own_frame(stack) : NULL;
    const char *fn = own ? cli_str_field(own, "symbol") : NULL;
    if (!fn && own) fn = cli_str_field(own, "function");
    if (!kind || !fn || strpbrk(fn, ":\n")) return NULL;
    return cli_printf("%s:%s", kind, fn);
}

void cli_render_suppressions(json_t *doc, cli_str *out)
{
    size_t i;
    json_t *f;
    char **seen = cli_alloc((json_array_size(json_object_get(doc, "findings")) + 1) * sizeof(*seen));
    size_t nseen = 0;
    json_array_foreach(json_object_get(doc, "findings"), i, f)
    {
        char *rule = cli_finding_suppression(f);
        const char *message = cli_str_field(f, "message");
        if (!rule) {
            cli_str_printf(out, "# no rule for finding %zu (%s): no frame of the program's own code names it\n", i + 1,
                           message ? message : "?");
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < nseen; k++) dup |= strcmp(seen[k], rule) == 0;
        if (dup) {
            free(rule);
            continue;
        }
        /* The finding's message, without line breaks, above its rule. */
        cli_str_puts(out, "# ");
        for (const char *p = message ? message : ""; *p; p++) cli_str_putn(out, *p == '\n' ? " " : p, 1);
        cli_str_printf(out, "\n%s\n", rule);
        seen[nseen++] = rule;
    }
    for (size_t k = 0; k < nseen; k++) free(seen[k]);
    free(seen);
}
