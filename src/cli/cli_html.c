/* cli_html.c — a JSON report as one self-contained HTML page: no script,
 * no network, every finding a collapsible section (<details>) with its
 * stacks, the source lines of the program's own frames where the files are
 * readable, and for reference findings the holder graph (objects and
 * holders as nodes, references as edges with their counts, the cycle in
 * red) drawn by Graphviz's `dot` as inline SVG, or as a plain list when
 * `dot` is not installed. */
#define _GNU_SOURCE
#include "cli_report.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define SOURCE_CONTEXT 2 /* lines shown above and below a frame's line */

static void put_esc(cli_str *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': cli_str_puts(out, "&lt;"); break;
        case '>': cli_str_puts(out, "&gt;"); break;
        case '&': cli_str_puts(out, "&amp;"); break;
        case '"': cli_str_puts(out, "&quot;"); break;
        case '\'': cli_str_puts(out, "&#x27;"); break;
        default: cli_str_putn(out, s, 1);
        }
    }
}

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fafafa}"
    "h1{font-size:1.4em;margin:0 0 .3em}.meta{color:#555;margin:0 0 1em}"
    "table.kinds{border-collapse:collapse;margin-bottom:1em}table.kinds td{border:1px solid #ccc;padding:2px 8px}"
    "section.finding{background:#fff;border:1px solid #ddd;border-left:6px solid #c0392b;margin:0 0 1em;padding:.4em .8em}"
    "section.warning{border-left-color:#d68910}"
    "section.finding>details>summary{cursor:pointer;font-weight:600;font-size:1.05em}"
    ".kind{font-family:monospace;background:#c0392b;color:#fff;padding:1px 6px;border-radius:3px;margin-right:.5em}"
    "section.warning .kind{background:#d68910}"
    "ul.notes{margin:.4em 0;padding-left:1.2em}dl.facts{margin:.4em 0}dl.facts dt{font-weight:600;float:left;width:7em}"
    "dl.facts dd{margin-left:7.5em}details.stack{margin:.3em 0 .3em .5em}details.stack>summary{cursor:pointer;color:#1f4e79}"
    "ol.frames{margin:.2em 0;padding-left:2.5em;font-family:monospace;font-size:13px}ol.frames li.other{color:#777}"
    ".fn{font-weight:600}.loc{color:#196f3d}.mod{color:#888}"
    "pre.src{background:#f4f4f4;border:1px solid #e2e2e2;margin:.2em 0 .4em;padding:.2em .5em;font-size:12px}"
    "pre.src .hit{background:#fde2e2;display:inline-block;width:100%}"
    ".graph{margin:.5em 0}.graph svg{max-width:100%;height:auto}ul.holders li{margin:.2em 0}"
    "p.hidden{color:#777;font-size:12px;margin:.1em 0 .3em 2.5em}";

/* ---- source lines -------------------------------------------------------------- */
typedef struct source_file {
    char *path;
    char *text; /* NULL: unreadable */
    size_t len;
    struct source_file *next;
} source_file;

static source_file *sources;

static const source_file *source_get(const char *file, const char *srcroot)
{
    char *path = file[0] == '/' || !srcroot ? cli_strdup(file) : cli_printf("%s/%s", srcroot, file);
    for (source_file *s = sources; s; s = s->next) {
        if (strcmp(s->path, path) == 0) {
            free(path);
            return s;
        }
    }
    source_file *s = cli_alloc(sizeof(*s));
    memset(s, 0, sizeof(*s));
    s->path = path;
    struct stat st;
    FILE *f = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (16 << 20) ? fopen(path, "re") : NULL;
    if (f) {
        cli_str text = {0};
        if (cli_read_all(f, &text)) {
            s->text = text.data;
            s->len = text.len;
        } else {
            cli_str_free(&text);
        }
        fclose(f);
    }
    s->next = sources;
    sources = s;
    return s;
}

static void sources_free(void)
{
    while (sources) {
        source_file *next = sources->next;
        free(sources->path);
        free(sources->text);
        free(sources);
        sources = next;
    }
}

static void put_source(cli_str *out, const char *file, long long line, const char *srcroot)
{
    const source_file *s = source_get(file, srcroot);
    if (!s->text || line <= 0) return;
    long long first = line > SOURCE_CONTEXT ? line - SOURCE_CONTEXT : 1, n = 1;
    const char *p = s->text, *end = s->text + s->len;
    bool any = false;
    while (p < end && n <= line + SOURCE_CONTEXT) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (n >= first) {
            if (!any) cli_str_puts(out, "<pre class=\"src\">");
            any = true;
            char *text = cli_strndup(p, (size_t)(stop - p));
            cli_str_printf(out, "%s%5lld  ", n == line ? "<span class=\"hit\">" : "", n);
            put_esc(out, text);
            cli_str_puts(out, n == line ? "</span>\n" : "\n");
            free(text);
        }
        p = stop + 1;
        n++;
    }
    if (any) cli_str_puts(out, "</pre>");
}

/* ---- stacks ------------------------------------------------------------------------ */
static void put_frame(cli_str *out, json_t *f, const cli_render_opts *o)
{
    const char *fn = cli_str_field(f, "function"), *file = cli_str_field(f, "file");
    const char *module = cli_str_field(f, "module"), *off = cli_str_field(f, "offset");
    long long line = (long long)json_integer_value(json_object_get(f, "line"));
    bool own = cli_frame_is_own(f);
    cli_str_printf(out, "<li%s>", own ? "" : " class=\"other\"");
    size_t k;
    json_t *in;
    json_array_foreach(json_object_get(f, "inlined"), k, in)
    {
        cli_str_puts(out, "<span class=\"fn\">");
        put_esc(out, cli_str_field(in, "function"));
        cli_str_puts(out, "</span> (inlined) ");
        if (cli_str_field(in, "file")) {
            cli_str_puts(out, "<span class=\"loc\">");
            put_esc(out, cli_str_field(in, "file"));
            cli_str_printf(out, ":%lld</span>", (long long)json_integer_value(json_object_get(in, "line")));
        }
        cli_str_puts(out, "<br>");
    }
    cli_str_puts(out, "<span class=\"fn\">");
    put_esc(out, fn ? fn : "??");
    cli_str_puts(out, "</span>");
    if (file) {
        cli_str_puts(out, " <span class=\"loc\">");
        put_esc(out, file);
        if (line > 0) cli_str_printf(out, ":%lld", line);
        cli_str_puts(out, "</span>");
    }
    if (module) {
        cli_str_puts(out, " <span class=\"mod\">(");
        put_esc(out, module);
        cli_str_puts(out, "+");
        put_esc(out, off ? off : "?");
        cli_str_puts(out, ")</span>");
    }
    if (own && file) put_source(out, file, line, o->srcroot);
    cli_str_puts(out, "</li>");
}

static void put_stack(cli_str *out, const char *title, json_t *frames, const cli_render_opts *o, bool open)
{
    cli_str_printf(out, "<details class=\"stack\"%s><summary>", open ? " open" : "");
    put_esc(out, title);
    cli_str_printf(out, " (%zu frame%s)</summary><ol class=\"frames\" start=\"0\">", json_array_size(frames),
                   json_array_size(frames) == 1 ? "" : "s");
    size_t shown = cli_stack_shown(frames, o->full_stacks);
    for (size_t i = 0; i < shown; i++) put_frame(out, json_array_get(frames, i), o);
    cli_str_puts(out, "</ol>");
    if (shown < json_array_size(frames))
        cli_str_printf(out, "<p class=\"hidden\">%zu frame%s below main or the thread's start routine hidden "
                            "(report --full-stacks shows them)</p>",
                       json_array_size(frames) - shown, json_array_size(frames) - shown == 1 ? "" : "s");
    if (!json_array_size(frames)) cli_str_puts(out, "<p class=\"hidden\">no stack recorded (stacks=0?)</p>");
    cli_str_puts(out, "</details>");
}

/* ---- the holder graph ---------------------------------------------------------------- */
static void dot_quoted(cli_str *out, const char *s)
{
    cli_str_puts(out, "\"");
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\') cli_str_puts(out, "\\");
        if (*s == '\n') cli_str_puts(out, "\\n");
        else cli_str_putn(out, s, 1);
    }
    cli_str_puts(out, "\"");
}

static char *obj_name(json_t *o, const char *type_key, const char *id_key)
{
    const char *type = cli_str_field(o, type_key);
    if (!type) return NULL;
    return cli_printf("%s#%lld", type, (long long)json_integer_value(json_object_get(o, id_key)));
}

static char *holder_label(json_t *h)
{
    char *name = obj_name(h, "holder_type", "holder_id");
    if (name) return name;
    const char *addr = cli_str_field(h, "holder");
    if (!addr || strcmp(addr, "0x0") == 0) {
        /* Anonymous references are grouped by where they were taken. */
        json_t *own = cli_stack_own_frame(json_array_get(json_object_get(h, "stacks"), 0));
        const char *fn = own ? cli_str_field(own, "function") : NULL;
        return fn ? cli_printf("anonymous\n(taken in %s)", fn) : cli_strdup("anonymous");
    }
    return cli_printf("holder %s", addr);
}

/* The graph in dot's language; false when the finding has none. */
static bool graph_source(json_t *f, cli_str *dot)
{
    json_t *holders = json_object_get(f, "holders"), *cycle = json_object_get(f, "cycle");
    json_t *object = json_object_get(f, "object");
    if (!json_array_size(holders) && !json_array_size(cycle)) return false;
    cli_str_puts(dot, "digraph holders {\n  rankdir=LR; bgcolor=\"transparent\";\n"
                      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3f8\", fontname=\"sans-serif\", "
                      "fontsize=11];\n  edge [fontname=\"sans-serif\", fontsize=10];\n");
    char *oname = obj_name(object, "type", "id");
    if (oname) {
        cli_str_puts(dot, "  ");
        dot_quoted(dot, oname);
        cli_str_puts(dot, " [fillcolor=\"#fde2e2\", penwidth=2];\n");
    }
    size_t i;
    json_t *v;
    json_array_foreach(cycle, i, v)
    {
        char *a = obj_name(v, "type", "id");
        char *b = obj_name(json_array_get(cycle, (i + 1) % json_array_size(cycle)), "type", "id");
        cli_str_puts(dot, "  ");
        dot_quoted(dot, a);
        cli_str_puts(dot, " -> ");
        dot_quoted(dot, b);
        cli_str_puts(dot, " [color=\"#c0392b\", penwidth=2, fontcolor=\"#c0392b\", label=\"cycle\"];\n");
        free(a);
        free(b);
    }
    /* A cycle's holders are its members, each holding the next: the red
     * edges above already draw them. */
    json_array_foreach(holders, i, v)
    {
        if (!oname || json_array_size(cycle)) break;
        char *h = holder_label(v);
        cli_str_puts(dot, "  ");
        dot_quoted(dot, h);
        cli_str_puts(dot, " -> ");
        dot_quoted(dot, oname);
        cli_str_printf(dot, " [label=\"%lld\"];\n", (long long)json_integer_value(json_object_get(v, "count")));
        free(h);
    }
    cli_str_puts(dot, "}\n");
    free(oname);
    return true;
}

static bool dot_missing;

/* dot's SVG for the source, or NULL (dot absent or failing). */
static char *run_dot(const cli_str *src)
{
    if (dot_missing) return NULL;
    char in_path[] = "/tmp/lifeguard-dot.XXXXXX";
    const char *tmpdir = getenv("TMPDIR");
    char *tmpl = tmpdir && *tmpdir ? cli_printf("%s/lifeguard-dot.XXXXXX", tmpdir) : cli_strdup(in_path);
    int fd = mkstemp(tmpl);
    if (fd < 0 || !cli_write_all(fd, src->data, src->len)) {
        if (fd >= 0) close(fd), unlink(tmpl);
        free(tmpl);
        return NULL;
    }
    close(fd);
    int pipefd[2];
    char *svg = NULL;
    if (pipe2(pipefd, O_CLOEXEC) == 0) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        char *argv[] = {"dot", "-Tsvg", tmpl, NULL};
        pid_t pid;
        int err = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        if (err == 0) {
            FILE *f = fdopen(pipefd[0], "r");
            cli_str text = {0};
            bool ok = f && cli_read_all(f, &text);
            if (f) fclose(f);
            else close(pipefd[0]);
            int status;
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            char *start = ok && text.data ? strstr(text.data, "<svg") : NULL;
            if (start && WIFEXITED(status) && WEXITSTATUS(status) == 0) svg = cli_strdup(start);
            else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) dot_missing = true;
            cli_str_free(&text);
        } else {
            close(pipefd[0]);
            dot_missing = true;
        }
    }
    unlink(tmpl);
    free(tmpl);
    return svg;
}

static void put_graph(cli_str *out, json_t *f)
{
    cli_str src = {0};
    if (!graph_source(f, &src)) return;
    char *svg = run_dot(&src);
    cli_str_puts(out, "<div class=\"graph\">");
    if (svg) {
        cli_str_puts(out, svg);
        free(svg);
    } else {
        /* The same graph as a list of its edges. */
        cli_str_puts(out, "<p>Holder graph (install Graphviz's <code>dot</code> to see it drawn):</p><ul class=\"holders\">");
        json_t *object = json_object_get(f, "object");
        char *oname = obj_name(object, "type", "id");
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(f, "cycle"), i, v)
        {
            json_t *cyc = json_object_get(f, "cycle");
            char *a = obj_name(v, "type", "id"), *b = obj_name(json_array_get(cyc, (i + 1) % json_array_size(cyc)), "type", "id");
            cli_str_puts(out, "<li class=\"cycle\">");
            put_esc(out, a);
            cli_str_puts(out, " &rarr; ");
            put_esc(out, b);
            cli_str_puts(out, " (cycle)</li>");
            free(a);
            free(b);
        }
        json_array_foreach(json_object_get(f, "holders"), i, v)
        {
            if (json_array_size(json_object_get(f, "cycle"))) break;
            char *h = holder_label(v);
            cli_str_puts(out, "<li>");
            put_esc(out, h);
            cli_str_printf(out, " &rarr; %s: %lld reference%s</li>", oname ? oname : "the object",
                           (long long)json_integer_value(json_object_get(v, "count")),
                           json_integer_value(json_object_get(v, "count")) == 1 ? "" : "s");
            free(h);
        }
        free(oname);
        cli_str_puts(out, "</ul>");
    }
    cli_str_puts(out, "</div>");
    cli_str_free(&src);
}

/* ---- findings -------------------------------------------------------------------------- */
static void put_finding(cli_str *out, json_t *f, size_t index, const cli_render_opts *o)
{
    const char *severity = cli_str_field(f, "severity");
    bool warning = severity && strcmp(severity, "warning") == 0;
    cli_str_printf(out, "<section class=\"finding %s\" id=\"finding-%zu\"><details open><summary>",
                   warning ? "warning" : "error", index + 1);
    cli_str_printf(out, "%zu. <span class=\"kind\">", index + 1);
    put_esc(out, cli_str_field(f, "kind"));
    cli_str_puts(out, "</span>");
    put_esc(out, cli_str_field(f, "message"));
    cli_str_puts(out, "</summary><dl class=\"facts\">");
    const char *addr = cli_str_field(f, "address");
    if (addr) {
        cli_str_puts(out, "<dt>address</dt><dd>");
        put_esc(out, addr);
        cli_str_puts(out, "</dd>");
    }
    json_t *block = json_object_get(f, "block");
    if (block) {
        cli_str_puts(out, "<dt>block</dt><dd>");
        put_esc(out, cli_str_field(block, "address"));
        cli_str_printf(out, ", %lld bytes</dd>", (long long)json_integer_value(json_object_get(block, "size")));
    }
    json_t *object = json_object_get(f, "object");
    if (object) {
        char *name = obj_name(object, "type", "id");
        cli_str_puts(out, "<dt>object</dt><dd>");
        put_esc(out, name);
        cli_str_puts(out, " at ");
        put_esc(out, cli_str_field(object, "address"));
        cli_str_printf(out, ", refcount %lld</dd>", (long long)json_integer_value(json_object_get(object, "refcount")));
        free(name);
    }
    if (json_object_get(f, "blocks"))
        cli_str_printf(out, "<dt>blocks</dt><dd>%lld (%lld bytes)</dd>",
                       (long long)json_integer_value(json_object_get(f, "blocks")),
                       (long long)json_integer_value(json_object_get(f, "bytes")));
    cli_str_puts(out, "</dl>");
    size_t i;
    json_t *v;
    if (json_array_size(json_object_get(f, "notes"))) {
        cli_str_puts(out, "<ul class=\"notes\">");
        json_array_foreach(json_object_get(f, "notes"), i, v)
        {
            cli_str_puts(out, "<li>");
            put_esc(out, json_string_value(v));
            cli_str_puts(out, "</li>");
        }
        cli_str_puts(out, "</ul>");
    }
    put_graph(out, f);
    json_array_foreach(json_object_get(f, "holders"), i, v)
    {
        size_t k;
        json_t *s;
        const char *what = cli_str_field(v, "description") ? cli_str_field(v, "description") : "a holder";
        if (!json_array_size(json_object_get(v, "stacks"))) { /* stacks=0: the description alone */
            cli_str_puts(out, "<p class=\"holder\">");
            put_esc(out, what);
            cli_str_puts(out, "</p>");
        }
        json_array_foreach(json_object_get(v, "stacks"), k, s)
            put_stack(out, what, s, o, i == 0);
    }
    cli_named_stack st[16];
    size_t n = cli_finding_stacks(f, st, CLI_ARRAY_LEN(st));
    json_t *threads = json_object_get(f, "threads");
    for (size_t k = 0; k < n; k++) {
        json_t *tid = json_object_get(threads, st[k].name);
        char *title = tid ? cli_printf("%s, by thread %lld", st[k].title, (long long)json_integer_value(tid))
                          : cli_strdup(st[k].title);
        put_stack(out, title, st[k].frames, o, k == 0 || strcmp(st[k].name, "access") == 0);
        free(title);
    }
    cli_str_puts(out, "</details></section>\n");
}

void cli_render_html(json_t *doc, const cli_render_opts *o, cli_str *out)
{
    json_t *findings = json_object_get(doc, "findings");
    cli_str cmd = {0};
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "command"), i, v)
    {
        if (i) cli_str_puts(&cmd, " ");
        cli_str_puts(&cmd, json_string_value(v) ? json_string_value(v) : "");
    }
    cli_str_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width\"><title>lifeguard: ");
    put_esc(out, cmd.data ? cmd.data : "report");
    cli_str_printf(out, "</title><style>%s</style></head><body>\n<h1>lifeguard report</h1><p class=\"meta\">", style);
    put_esc(out, cmd.data ? cmd.data : "");
    json_t *summary = json_object_get(doc, "summary");
    size_t errors = 0;
    json_array_foreach(findings, i, v)
    {
        const char *severity = cli_str_field(v, "severity");
        errors += !(severity && strcmp(severity, "warning") == 0);
    }
    cli_str_printf(out, " &middot; pid %lld &middot; %zu finding%s, %zu error%s", (long long)json_integer_value(json_object_get(doc, "pid")),
                   json_array_size(findings), json_array_size(findings) == 1 ? "" : "s", errors, errors == 1 ? "" : "s");
    if (json_integer_value(json_object_get(summary, "suppressed")))
        cli_str_printf(out, ", %lld suppressed", (long long)json_integer_value(json_object_get(summary, "suppressed")));
    cli_str_puts(out, "</p>\n");
    json_t *by_kind = json_object_get(summary, "by_kind");
    if (json_object_size(by_kind)) {
        cli_str_puts(out, "<table class=\"kinds\"><tr>");
        const char *key;
        json_object_foreach(by_kind, key, v)
        {
            cli_str_puts(out, "<td>");
            put_esc(out, key);
            cli_str_printf(out, ": %lld</td>", (long long)json_integer_value(v));
        }
        cli_str_puts(out, "</tr></table>\n");
    }
    if (!json_array_size(findings)) cli_str_puts(out, "<p>No findings.</p>\n");
    json_array_foreach(findings, i, v) put_finding(out, v, i, o);
    cli_str_puts(out, "</body></html>\n");
    cli_str_free(&cmd);
    sources_free();
}
