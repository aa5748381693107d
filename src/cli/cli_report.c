/* cli_report.c — `lifeguard report [--format text|json|sarif|html|suppressions]
 * [--srcroot DIR] [--full-stacks] [--baseline OLD.json] [-o FILE] REPORT.json`:
 * a JSON report (as `run --json` writes it) rendered in another format;
 * with --baseline only the findings OLD did not have, exit 1 when there are
 * any.  Also the end of `run`: its --sarif, --html and --gen-suppressions. */
#define _GNU_SOURCE
#include "cli_report.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: lifeguard report [--format text|json|sarif|html|suppressions] [--srcroot DIR]\n"
    "                        [--full-stacks] [--baseline OLD.json] [-o FILE] REPORT.json\n";

typedef enum { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_HTML, FMT_SUPPRESSIONS } report_format;

static report_format parse_format(const char *s)
{
    static const char *const names[] = {"text", "json", "sarif", "html", "suppressions"};
    for (size_t i = 0; i < CLI_ARRAY_LEN(names); i++)
        if (strcmp(s, names[i]) == 0) return (report_format)i;
    cli_die("report: unknown format '%s' (text, json, sarif, html or suppressions)", s);
}

/* An absolute, existing directory, for URIs and source lines. */
static char *resolve_srcroot(const char *flag, const char *dir)
{
    char *real = realpath(dir, NULL);
    if (!real) cli_die("%s: source root '%s': %s", flag, dir, strerror(errno));
    return real;
}

char *cli_default_srcroot(void)
{
    char *cwd = getcwd(NULL, 0);
    return cwd ? cwd : cli_strdup("/");
}

static void render(json_t *doc, report_format fmt, const cli_render_opts *o, cli_str *out)
{
    switch (fmt) {
    case FMT_TEXT: cli_render_text(doc, o, out); break;
    case FMT_SARIF: cli_render_sarif(doc, o, out); break;
    case FMT_HTML: cli_render_html(doc, o, out); break;
    case FMT_SUPPRESSIONS: cli_render_suppressions(doc, out); break;
    case FMT_JSON: {
        char *dump = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (dump) cli_str_puts(out, dump);
        cli_str_puts(out, "\n");
        free(dump);
        break;
    }
    }
}

static const char *take_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != 0) return NULL;
    if (*i + 1 >= argc) cli_die("report: %s needs a value", name);
    return argv[++*i];
}

int cli_cmd_report(int argc, char **argv)
{
    report_format fmt = FMT_TEXT;
    const char *srcroot = NULL, *baseline = NULL, *out_path = NULL, *path = NULL, *v;
    bool full = false, fmt_given = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if ((v = take_value(argc, argv, &i, "--format"))) fmt = parse_format(v), fmt_given = true;
        else if (strcmp(a, "--gen-suppressions") == 0) fmt = FMT_SUPPRESSIONS, fmt_given = true;
        else if ((v = take_value(argc, argv, &i, "--srcroot"))) srcroot = v;
        else if ((v = take_value(argc, argv, &i, "--baseline"))) baseline = v;
        else if ((v = take_value(argc, argv, &i, "-o"))) out_path = v;
        else if (strcmp(a, "--full-stacks") == 0) full = true;
        else if (a[0] == '-' && a[1]) cli_die("report: unknown option '%s' (see lifeguard report --help)", a);
        else if (path) cli_die("report takes one REPORT.json, got '%s' and '%s'", path, a);
        else path = a;
    }
    if (!path) cli_die("report: no REPORT.json given (%s)", "lifeguard report [--format F] REPORT.json");
    (void)fmt_given;

    cli_render_opts o = {.full_stacks = full};
    char *root = srcroot ? resolve_srcroot("report: --srcroot", srcroot) : cli_default_srcroot();
    o.srcroot = root;
    json_t *doc = cli_report_load(path, "report");
    size_t left = 0;
    if (baseline) {
        json_t *old = cli_report_load(baseline, "report: --baseline");
        left = cli_baseline_filter(old, doc);
        json_decref(old);
    }
    cli_str out = {0};
    render(doc, fmt, &o, &out);
    if (baseline && fmt == FMT_TEXT)
        cli_str_printf(&out, "lifeguard: %zu finding%s not in the baseline %s\n", left, left == 1 ? "" : "s", baseline);
    int rc = 0;
    if (out_path) {
        if (!cli_write_file(out_path, out.data ? out.data : "", out.len))
            cli_die("report: cannot write '%s': %s", out_path, strerror(errno));
    } else if ((out.len && fwrite(out.data, 1, out.len, stdout) != out.len) || fflush(stdout) != 0) {
        cli_error("report: cannot write the report: %s", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    if (!rc && baseline && left) rc = 1;
    cli_str_free(&out);
    json_decref(doc);
    free(root);
    return rc;
}

bool cli_run_render(const char *json_text, size_t len, const cli_run_outputs *o)
{
    json_error_t jerr;
    json_t *doc = json_loadb(json_text, len, 0, &jerr);
    if (!doc) {
        cli_error("run: the symbolized JSON report does not parse: %s", jerr.text);
        return false;
    }
    bool ok = true;
    struct {
        const char *path, *flag;
        report_format fmt;
    } files[] = {{o->sarif_path, "--sarif", FMT_SARIF}, {o->html_path, "--html", FMT_HTML}};
    for (size_t i = 0; i < CLI_ARRAY_LEN(files); i++) {
        if (!files[i].path) continue;
        cli_str out = {0};
        render(doc, files[i].fmt, &o->render, &out);
        if (!cli_write_file(files[i].path, out.data ? out.data : "", out.len)) {
            cli_error("run: %s: cannot write '%s': %s", files[i].flag, files[i].path, strerror(errno));
            ok = false;
        }
        cli_str_free(&out);
    }
    if (o->gen_suppressions && json_array_size(json_object_get(doc, "findings"))) {
        cli_str out = {0};
        cli_str_puts(&out, "lifeguard: suppressions for these findings (--gen-suppressions):\n");
        cli_render_suppressions(doc, &out);
        cli_write_all(o->log_fd, out.data, out.len);
        cli_str_free(&out);
    }
    json_decref(doc);
    return ok;
}
