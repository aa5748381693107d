/* cli_json.c — symbolizing a JSON report.
 *
 * Every object anywhere in the document that has "module" and "offset" is a
 * frame: it gains (or has replaced) "function", "file" and "line", and
 * "inlined": [{"function", "file", "line"}, ...] innermost first when calls
 * were inlined at its address, and "symbol", the runtime's symbol-table name,
 * when it is not the function's.  Keys keep their order; the frame's own
 * function is the real (out-of-line) one, as in the text report. */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Sets key to a string, quietly skipping text that is not UTF-8. */
static void set_string(json_t *obj, const char *key, const char *value)
{
    json_t *s = json_string(value);
    if (s) json_object_set_new(obj, key, s);
}

static void set_location(json_t *obj, const cli_loc *loc)
{
    if (loc->function) set_string(obj, "function", loc->function);
    if (loc->file) {
        set_string(obj, "file", loc->file);
        if (loc->line) json_object_set_new(obj, "line", json_integer(loc->line));
    }
}

static bool frame_offset(json_t *v, uint64_t *out)
{
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) return false;
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    const char *s = json_string_value(v);
    if (!s) return false;
    char *end;
    *out = strtoull(s, &end, 0);
    return end != s && *end == 0;
}

static void symbolize_frame(json_t *frame)
{
    const char *module = json_string_value(json_object_get(frame, "module"));
    uint64_t offset;
    if (!module || !frame_offset(json_object_get(frame, "offset"), &offset)) return;
    const cli_frame_info *info = cli_sym_lookup(module, offset);
    if (!info) return;
    /* The runtime's name is the symbol table's, the one suppressions match
     * (a clone such as f.constprop.0, a C++ name mangled): kept as "symbol"
     * when DWARF's differs. */
    const char *runtime_name = json_string_value(json_object_get(frame, "function"));
    if (runtime_name && !json_object_get(frame, "symbol") && info->where.function &&
        strcmp(runtime_name, info->where.function) != 0)
        set_string(frame, "symbol", runtime_name);
    set_location(frame, &info->where);
    if (info->n_inlined) {
        json_t *list = json_array();
        for (size_t i = 0; i < info->n_inlined; i++) {
            json_t *entry = json_object();
            set_string(entry, "function", info->inlined[i].function ? info->inlined[i].function : "??");
            set_location(entry, &info->inlined[i]);
            json_array_append_new(list, entry);
        }
        json_object_set_new(frame, "inlined", list);
    }
}

static void walk(json_t *v, int depth)
{
    if (depth > 64) return; /* reports nest a few levels; jansson's parser stops at 2048 */
    if (json_is_object(v)) {
        if (json_object_get(v, "module") && json_object_get(v, "offset")) {
            symbolize_frame(v);
            return;
        }
        const char *key;
        json_t *child;
        json_object_foreach(v, key, child) walk(child, depth + 1);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) walk(child, depth + 1);
    }
}

bool cli_json_symbolize_text(const char *text, size_t len, const char *name, cli_str *out, cli_str *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, 0, &jerr);
    if (!doc) {
        cli_str_printf(err, "%s: corrupt JSON report at line %d, column %d (byte %d): %s", name, jerr.line,
                       jerr.column, jerr.position, jerr.text);
        return false;
    }
    walk(doc, 0);
    char *dump = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!dump) {
        cli_str_printf(err, "%s: cannot render the symbolized JSON report", name);
        return false;
    }
    cli_str_puts(out, dump);
    cli_str_puts(out, "\n");
    free(dump);
    return true;
}

bool cli_json_error_count(const char *text, size_t len, long long *errors)
{
    json_t *doc = json_loadb(text, len, 0, NULL);
    if (!doc) return false;
    json_t *n = json_object_get(json_object_get(doc, "summary"), "errors");
    bool ok = json_is_integer(n);
    if (ok) *errors = json_integer_value(n);
    json_decref(doc);
    return ok;
}
