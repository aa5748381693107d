/* cli_text.c — symbolizing a text report line by line.
 *
 * A frame line, as the runtime writes it:
 *     <indent>#N 0xPC[ in NAME] (MODULE+0xOFFSET)
 * becomes
 *     <indent>#N 0xPC in FUNCTION FILE:LINE (MODULE+0xOFFSET)
 * preceded by one line per call inlined at that address, innermost first,
 * all with the same #N.  Every other line passes through unchanged, and so
 * does a frame line that is already symbolized, so the step can be rerun. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct frame_line {
    size_t indent_len;
    const char *num, *pc, *name, *module, *off; /* name: the runtime's, or NULL */
    size_t num_len, pc_len, name_len, module_len, off_len;
    uint64_t offset;
} frame_line;

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static size_t hex_run(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && is_hex(s[i])) i++;
    return i;
}

static uint64_t hex_value(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        v = v * 16 + (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* "FUNCTION FILE:LINE": the name part of a line this step already wrote. */
static bool has_file_line(const char *name, size_t len)
{
    size_t i = len;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9') i--;
    if (i == len || i == 0 || name[i - 1] != ':') return false;
    return memchr(name, ' ', i) != NULL;
}

/* Whether s[open..len) is "(MODULE+0xOFFSET)"; fills f's module and offset. */
static bool module_at(const char *s, size_t len, size_t open, frame_line *f)
{
    const char *inner = s + open + 1;
    size_t inner_len = len - 1 - (open + 1);
    size_t plus = inner_len; /* just past the last "+" that starts "+0x" */
    while (plus > 0 && !(inner[plus - 1] == '+' && inner_len - plus >= 2 && inner[plus] == '0' &&
                         inner[plus + 1] == 'x'))
        plus--;
    if (plus <= 1) return false;
    f->module = inner;
    f->module_len = plus - 1;
    f->off = inner + plus;
    f->off_len = inner_len - plus;
    if (f->off_len < 3 || f->off_len > 18 || hex_run(f->off + 2, f->off_len - 2) != f->off_len - 2) return false;
    f->offset = hex_value(f->off + 2, f->off_len - 2);
    return true;
}

static bool parse_frame_line(const char *s, size_t len, frame_line *f)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    f->indent_len = i;
    if (i >= len || s[i] != '#') return false;
    f->num = s + i++;
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (!digits) return false;
    f->num_len = (size_t)(s + i - f->num);
    if (len - i < 4 || s[i] != ' ' || s[i + 1] != '0' || s[i + 2] != 'x') return false;
    f->pc = s + i + 1;
    size_t pc_digits = hex_run(s + i + 3, len - i - 3);
    if (!pc_digits) return false;
    f->pc_len = 2 + pc_digits;
    i += 3 + pc_digits;

    /* "(MODULE+0xOFFSET)" closes the line.  Both a path and a function name
     * may hold " (" ("/tmp/dir (x)/lib.so", "f<void (*)(int)>"): the module
     * is taken at the first " (/" (modules are absolute paths), else at the
     * last " (". */
    if (s[len - 1] != ')') return false;
    size_t open = 0;
    for (size_t k = i; k + 2 < len && !open; k++)
        if (s[k] == ' ' && s[k + 1] == '(' && s[k + 2] == '/' && module_at(s, len, k + 1, f)) open = k + 1;
    for (size_t k = len - 1; !open && k > i; k--)
        if (s[k - 1] == ' ' && s[k] == '(' && module_at(s, len, k, f)) open = k;
    if (!open) return false;

    /* Between the pc and " (": nothing, or " in NAME". */
    size_t mid_len = (open - 1) - i;
    f->name = NULL;
    f->name_len = 0;
    if (mid_len) {
        if (mid_len < 5 || memcmp(s + i, " in ", 4) != 0) return false;
        f->name = s + i + 4;
        f->name_len = mid_len - 4;
    }
    return true;
}

static void put_frame(cli_str *out, const char *line, const frame_line *f, const char *fn, size_t fn_len,
                      const cli_loc *loc)
{
    cli_str_putn(out, line, f->indent_len);
    cli_str_putn(out, f->num, f->num_len);
    cli_str_putn(out, " ", 1);
    cli_str_putn(out, f->pc, f->pc_len);
    if (fn) {
        cli_str_puts(out, " in ");
        cli_str_putn(out, fn, fn_len);
    }
    if (loc->file) {
        cli_str_puts(out, " ");
        cli_str_puts(out, loc->file);
        if (loc->line) cli_str_printf(out, ":%u", loc->line);
    }
    cli_str_puts(out, " (");
    cli_str_putn(out, f->module, f->module_len);
    cli_str_puts(out, "+");
    cli_str_putn(out, f->off, f->off_len);
    cli_str_puts(out, ")\n");
}

bool cli_text_full_stacks;

/* Frames below main or a thread's start routine: once one is met, the rest
 * of that stack is dropped (the runtime already does this for the frames it
 * can name; DWARF names the others). */
static bool below_bottom;

static bool is_bottom(const char *fn, bool *show)
{
    static const char *const thread_roots[] = {"start_thread", "clone3", "__clone3", "clone", "__clone"};
    *show = fn && strcmp(fn, "main") == 0;
    if (!fn || *show) return *show;
    for (size_t i = 0; i < CLI_ARRAY_LEN(thread_roots); i++)
        if (strcmp(fn, thread_roots[i]) == 0) return true;
    return false;
}

void cli_text_line(const char *line, size_t len, cli_str *out)
{
    frame_line f;
    const cli_frame_info *info = NULL;
    bool is_frame = parse_frame_line(line, len, &f);
    if (!is_frame || (f.num_len == 2 && f.num[1] == '0')) below_bottom = false;
    if (is_frame && below_bottom && !cli_text_full_stacks) return;
    if (is_frame && !(f.name && has_file_line(f.name, f.name_len))) {
        char *module = cli_strndup(f.module, f.module_len);
        info = cli_sym_lookup(module, f.offset);
        free(module);
    }
    bool show = true;
    if (is_frame && !cli_text_full_stacks && info && is_bottom(info->where.function, &show)) {
        below_bottom = true;
        if (!show) return;
    }
    if (!info) {
        cli_str_putn(out, line, len);
        cli_str_putn(out, "\n", 1);
        return;
    }
    for (size_t i = 0; i < info->n_inlined; i++) {
        const char *fn = info->inlined[i].function ? info->inlined[i].function : "??";
        put_frame(out, line, &f, fn, strlen(fn), &info->inlined[i]);
    }
    if (info->where.function)
        put_frame(out, line, &f, info->where.function, strlen(info->where.function), &info->where);
    else
        put_frame(out, line, &f, f.name, f.name_len, &info->where);
}
