/* lg_options.c — option defaults and the "key=value:key=value" parser. */
#include "lg_core.h"

/* Defaults from the start: an embedder that never sets options still
 * reports (max_findings is not 0). */
#define OPT_INIT(name, type, def, help) .name = def,
lg_options lg_opt = {LG_OPTION_LIST(OPT_INIT)};
#undef OPT_INIT

#define OPT_DEFAULT_BOOL(name, def) opts->name = (def);
#define OPT_DEFAULT_UINT(name, def) opts->name = (def);
#define OPT_DEFAULT_STR(name, def) lg_mem_copy(opts->name, def, sizeof(def));
#define OPT_DEFAULT(name, type, def, help) OPT_DEFAULT_##type(name, def)

void lg_options_defaults(lg_options *opts)
{
    lg_mem_set(opts, 0, sizeof(*opts));
    LG_OPTION_LIST(OPT_DEFAULT)
}

static void set_error(char *err, size_t err_len, const char *fmt, const char *key, size_t key_len,
                      const char *value, size_t value_len)
{
    char tmp[128];
    lg_buf b;
    lg_buf_init(&b, err, err_len);
    /* fmt has two %s: the key and the value; both may be unterminated */
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 'k') {
            lg_buf_putn(&b, key, key_len < sizeof(tmp) ? key_len : sizeof(tmp));
            p++;
        } else if (p[0] == '%' && p[1] == 'v') {
            lg_buf_putn(&b, value, value_len < sizeof(tmp) ? value_len : sizeof(tmp));
            p++;
        } else {
            lg_buf_putc(&b, *p);
        }
    }
    lg_buf_cstr(&b);
}

static bool parse_bool(const char *v, size_t n, bool *out)
{
    if ((n == 1 && v[0] == '1') || (n == 4 && lg_str_eq_n(v, "true", 4)) ||
        (n == 3 && lg_str_eq_n(v, "yes", 3))) {
        *out = true;
        return true;
    }
    if ((n == 1 && v[0] == '0') || (n == 5 && lg_str_eq_n(v, "false", 5)) ||
        (n == 2 && lg_str_eq_n(v, "no", 2))) {
        *out = false;
        return true;
    }
    return false;
}

/* Range checks that the type alone cannot express. */
static bool in_range(const char *key, size_t key_len, uint64_t v)
{
    if (key_len == 11 && lg_str_eq_n(key, "stack_depth", 11)) return v >= 1 && v <= LG_MAX_FRAMES;
    if (key_len == 7 && lg_str_eq_n(key, "redzone", 7)) return v >= 16 && v <= 2048;
    if (key_len == 8 && lg_str_eq_n(key, "exitcode", 8)) return v <= 255;
    if (key_len == 13 && lg_str_eq_n(key, "quarantine_mb", 13)) return v <= (1u << 20);
    if (key_len == 6 && lg_str_eq_n(key, "log_fd", 6)) return v <= 65535;
    if (key_len == 11 && lg_str_eq_n(key, "guard_align", 11)) return v >= 1 && v <= 16 && !(v & (v - 1));
    if (key_len == 14 && lg_str_eq_n(key, "guard_max_size", 14)) return v <= 131072;
    if (key_len == 11 && lg_str_eq_n(key, "guard_first", 11)) return v <= 255;
    if (key_len == 17 && lg_str_eq_n(key, "guard_first_burst", 17)) return v <= LG_GUARD_BURST_MAX;
    if (key_len == 8 && lg_str_eq_n(key, "guard_mb", 8)) return v <= (1u << 20);
    if (key_len == 11 && lg_str_eq_n(key, "guard_batch", 11)) return v <= LG_GUARD_BATCH_MAX;
    if (key_len == 17 && lg_str_eq_n(key, "guard_sample_cost", 17)) return v <= 100;
    return true;
}

/* String options with a fixed set of values. */
static bool str_ok(const char *key, size_t key_len, const char *v, size_t n)
{
    if (key_len == 5 && lg_str_eq_n(key, "guard", 5))
        return (n == 5 && lg_str_eq_n(v, "sites", 5)) || (n == 3 && lg_str_eq_n(v, "all", 3)) ||
               (n == 3 && lg_str_eq_n(v, "off", 3));
    return true;
}

lg_guard_mode lg_options_guard_mode(const lg_options *opts)
{
    if (lg_str_cmp(opts->guard, "all") == 0) return LG_GUARD_MODE_ALL;
    if (lg_str_cmp(opts->guard, "off") == 0) return LG_GUARD_MODE_OFF;
    return LG_GUARD_MODE_SITES;
}

static bool set_one(lg_options *opts, const char *key, size_t key_len, const char *value, size_t value_len,
                    char *err, size_t err_len)
{
#define OPT_SET_BOOL(name)                                                                               \
    if (!parse_bool(value, value_len, &opts->name)) {                                                    \
        set_error(err, err_len, "option '%k' takes 0 or 1, not '%v'", key, key_len, value, value_len);   \
        return false;                                                                                    \
    }
#define OPT_SET_UINT(name)                                                                               \
    if (!lg_parse_u64(value, value_len, &opts->name) || !in_range(key, key_len, opts->name)) {           \
        set_error(err, err_len, "option '%k' has a bad value '%v' (see lifeguard --help)", key, key_len, \
                  value, value_len);                                                                     \
        return false;                                                                                    \
    }
#define OPT_SET_STR(name)                                                                                \
    if (value_len >= sizeof(opts->name)) {                                                               \
        set_error(err, err_len, "option '%k' has a value longer than 255 bytes", key, key_len, value, 0); \
        return false;                                                                                    \
    }                                                                                                    \
    if (!str_ok(key, key_len, value, value_len)) {                                                       \
        set_error(err, err_len, "option '%k' has a bad value '%v' (see lifeguard --help)", key, key_len, \
                  value, value_len);                                                                     \
        return false;                                                                                    \
    }                                                                                                    \
    lg_mem_copy(opts->name, value, value_len);                                                           \
    opts->name[value_len] = 0;
#define OPT_SET(name, type, def, help)                                                                   \
    if (key_len == sizeof(#name) - 1 && lg_str_eq_n(key, #name, key_len)) {                             \
        OPT_SET_##type(name) return true;                                                                \
    }
    LG_OPTION_LIST(OPT_SET)
    set_error(err, err_len, "unknown option '%k' (see lifeguard --help)", key, key_len, value, 0);
    return false;
}

/* Entries are separated by ':' or ',' (ASan's habit).  A bad entry is
 * skipped: the others are applied, and err lists what was skipped. */
bool lg_options_parse(lg_options *opts, const char *spec, char *err, size_t err_len)
{
    const char *p = spec;
    char one[192];
    lg_buf all;
    lg_buf_init(&all, err, err_len);
    unsigned bad = 0;
    while (p && *p) {
        const char *entry = p;
        while (*p && *p != ':' && *p != ',') p++;
        size_t entry_len = (size_t)(p - entry);
        if (*p) p++;
        if (entry_len == 0) continue; /* "a=1::b=2" and trailing ':' are harmless */
        size_t key_len = 0;
        while (key_len < entry_len && entry[key_len] != '=') key_len++;
        bool ok;
        if (key_len == entry_len || key_len == 0) {
            set_error(one, sizeof(one), "option entry '%k' is not key=value", entry, entry_len, "", 0);
            ok = false;
        } else {
            ok = set_one(opts, entry, key_len, entry + key_len + 1, entry_len - key_len - 1, one, sizeof(one));
        }
        if (!ok) {
            if (bad++) lg_buf_puts(&all, "; ");
            lg_buf_puts(&all, one);
        }
    }
    lg_buf_cstr(&all);
    return bad == 0;
}

void lg_options_each(lg_option_visit_fn visit, void *ctx)
{
#define OPT_VISIT(name, type, def, help) visit(#name, #type, #def, help, ctx);
    LG_OPTION_LIST(OPT_VISIT)
}
