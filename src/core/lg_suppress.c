/* lg_suppress.c — matching findings against the suppression rules. */
#include "lg_suppress.h"

#define MAX_RULES 256
#define RULE_TEXT 128

typedef struct rule {
    char kind[32];            /* a finding kind or "*" */
    char pattern[RULE_TEXT];
    uint64_t hits;
} rule;

static rule rules[MAX_RULES];
static uint32_t rule_count;

static bool copy_bounded(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap) return false;
    lg_mem_copy(dst, src, n);
    dst[n] = 0;
    return true;
}

static bool kind_known(const char *kind)
{
    if (lg_str_cmp(kind, "*") == 0) return true;
    for (int k = 0; k < LG_KIND_COUNT; k++)
        if (lg_str_cmp(kind, lg_kind_name((lg_kind)k)) == 0) return true;
    return false;
}

bool lg_suppress_add(const char *kind, const char *pattern)
{
    if (rule_count >= MAX_RULES || !kind_known(kind)) return false;
    rule *r = &rules[rule_count];
    if (!copy_bounded(r->kind, sizeof(r->kind), kind, lg_str_len(kind)) ||
        !copy_bounded(r->pattern, sizeof(r->pattern), pattern, lg_str_len(pattern)))
        return false;
    rule_count++;
    return true;
}

static void line_error(char *err, size_t err_len, uint32_t line_no, const char *why)
{
    lg_buf b;
    lg_buf_init(&b, err, err_len);
    lg_buf_printf(&b, "suppressions line %u: %s", line_no, why);
    lg_buf_cstr(&b);
}

bool lg_suppress_parse(const char *text, size_t len, char *err, size_t err_len)
{
    uint32_t line_no = 0;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && text[i] != '\n') i++;
        size_t end = i++;
        line_no++;
        while (start < end && (text[start] == ' ' || text[start] == '\t')) start++;
        while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r')) end--;
        if (start == end || text[start] == '#') continue;
        size_t colon = start;
        while (colon < end && text[colon] != ':') colon++;
        if (colon == end || colon == start || colon + 1 == end) {
            line_error(err, err_len, line_no, "expected KIND:PATTERN");
            return false;
        }
        char kind[32], pattern[RULE_TEXT];
        if (!copy_bounded(kind, sizeof(kind), text + start, colon - start) || !kind_known(kind)) {
            line_error(err, err_len, line_no, "unknown finding kind");
            return false;
        }
        if (!copy_bounded(pattern, sizeof(pattern), text + colon + 1, end - colon - 1)) {
            line_error(err, err_len, line_no, "pattern longer than 127 bytes");
            return false;
        }
        if (!lg_suppress_add(kind, pattern)) {
            line_error(err, err_len, line_no, "too many rules (256 at most)");
            return false;
        }
    }
    return true;
}

/* '*' matches any run; everything else matches itself. */
static bool glob_match(const char *pat, const char *s)
{
    const char *star = 0, *resume = 0;
    while (*s) {
        if (*pat == '*') {
            star = ++pat;
            resume = s;
        } else if (*pat == *s) {
            pat++, s++;
        } else if (star) {
            pat = star;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*') pat++;
    return *pat == 0;
}

static bool contains(const char *hay, const char *needle)
{
    size_t n = lg_str_len(needle);
    for (; *hay; hay++)
        if (lg_str_eq_n(hay, needle, n)) return true;
    return n == 0;
}

static bool has_star(const char *s)
{
    for (; *s; s++)
        if (*s == '*') return true;
    return false;
}

/* A rule names a function as its source does: a clone the compiler made
 * of it (get.constprop.0, get.part.1) matches the rule "get" too. */
static bool function_matches(const char *pattern, bool glob, const char *fn)
{
    if (glob ? glob_match(pattern, fn) : lg_str_cmp(fn, pattern) == 0) return true;
    size_t n = lg_str_len(fn), base = lg_fn_base_len(fn, n);
    if (base == n || base == 0) return false;
    if (!glob) return lg_str_len(pattern) == base && lg_str_eq_n(fn, pattern, base);
    char name[256];
    if (base >= sizeof name) return false;
    lg_mem_copy(name, fn, base);
    name[base] = 0;
    return glob_match(pattern, name);
}

static bool rule_matches_frame(const rule *r, uintptr_t pc)
{
    const char *fn = lg_pal_function_of(pc - 1);
    lg_module_info mod;
    bool known = lg_pal_module_of(pc, &mod);
    bool glob = has_star(r->pattern);
    if (fn && function_matches(r->pattern, glob, fn)) return true;
    return known && (glob ? glob_match(r->pattern, mod.path) : contains(mod.path, r->pattern));
}

static char program[256];

void lg_suppress_set_program(const char *path)
{
    size_t n = path ? lg_str_len(path) : 0;
    if (!copy_bounded(program, sizeof(program), path ? path : "", n)) program[0] = 0;
}

/* No stack (stacks=0): the program is the one module the finding has. */
static bool suppressed_by_program(const char *name)
{
    if (!program[0]) return false;
    for (uint32_t i = 0; i < rule_count; i++) {
        rule *r = &rules[i];
        if (r->kind[0] != '*' && lg_str_cmp(r->kind, name) != 0) continue;
        if (has_star(r->pattern) ? glob_match(r->pattern, program) : contains(program, r->pattern)) {
            r->hits++;
            return true;
        }
    }
    return false;
}

bool lg_suppressed(lg_kind kind, lg_stack_id key)
{
    if (!rule_count) return false;
    if (!key) return suppressed_by_program(lg_kind_name(kind));
    uintptr_t pcs[LG_MAX_FRAMES];
    uint32_t depth = lg_depot_get(key, pcs, LG_MAX_FRAMES);
    const char *name = lg_kind_name(kind);
    for (uint32_t i = 0; i < rule_count; i++) {
        rule *r = &rules[i];
        if (r->kind[0] != '*' && lg_str_cmp(r->kind, name) != 0) continue;
        for (uint32_t f = 0; f < depth; f++) {
            if (rule_matches_frame(r, pcs[f])) {
                r->hits++;
                return true;
            }
        }
    }
    return false;
}

uint32_t lg_suppress_count(void)
{
    return rule_count;
}

uint64_t lg_suppress_hits(uint32_t i, const char **kind, const char **pattern)
{
    if (i >= rule_count) return 0;
    *kind = rules[i].kind;
    *pattern = rules[i].pattern;
    return rules[i].hits;
}
