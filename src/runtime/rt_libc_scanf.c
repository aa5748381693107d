/* rt_libc_scanf.c — the scanf family, narrow and wide, checked.
 *
 * Before the call: the format, and sscanf's (swscanf's) input string, as
 * read.  After it, every destination the call assigned, in format order
 * (the return value counts them): %d & co as the integer their length
 * modifier says, %f & co as float, double or long double, %p a pointer,
 * %c its width in characters, %s and %[ the string stored with its
 * terminator, %m's allocated string as the char ** cell, %n when the
 * conversions before it all succeeded.  A bad write is reported and the
 * block healed, as for sprintf's destination.  In the wide family %c
 * without l stores multibyte characters of unknown length: not checked.
 *
 * Both glibc's entry points are interposed: __isoc99_scanf & co (what
 * glibc's headers send every program since C99 to) and the plain scanf &
 * co (what older binaries call), each calling its own real v* function.  A positional conversion (%2$d) or an
 * unknown one ends the walk. */
#define _GNU_SOURCE
#include "rt_libc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define REAL_LIST(X)                                                                 \
    X(vfscanf, int, (FILE *, const char *, va_list))                                 \
    X(vsscanf, int, (const char *, const char *, va_list))                           \
    X(__isoc99_vfscanf, int, (FILE *, const char *, va_list))                        \
    X(__isoc99_vsscanf, int, (const char *, const char *, va_list))                  \
    X(vfwscanf, int, (FILE *, const wchar_t *, va_list))                             \
    X(vswscanf, int, (const wchar_t *, const wchar_t *, va_list))                    \
    X(__isoc99_vfwscanf, int, (FILE *, const wchar_t *, va_list))                    \
    X(__isoc99_vswscanf, int, (const wchar_t *, const wchar_t *, va_list))           \
    X(strlen, size_t, (const char *))                                                \
    X(wcslen, size_t, (const wchar_t *))

REAL_LIST(REAL_PTR)

void rt_libc_scanf_init(void)
{
    REAL_LIST(REAL_RESOLVE)
}

/* ---- the walk ---------------------------------------------------------------------- */

enum store { STORE_NONE, STORE_FIXED, STORE_STRING, STORE_WSTRING, STORE_COUNT };

typedef struct conversion {
    enum store store;
    size_t bytes;     /* STORE_FIXED, STORE_COUNT: what is written */
    bool suppressed;  /* %*d: assigns nothing, takes no argument */
    bool literal;     /* %%: matches a '%', takes no argument */
} conversion;

static size_t int_bytes(int longs, int shorts)
{
    return shorts >= 2 ? 1 : shorts == 1 ? 2 : longs ? 8 : sizeof(int);
}

/* Parses one conversion after its '%'.  False: one the walk does not know
 * (or a positional one): stop. */
static bool parse_conversion(const char **pp, conversion *c, bool wide_family)
{
    const char *p = *pp;
    c->store = STORE_NONE;
    c->bytes = 0;
    c->literal = false;
    c->suppressed = *p == '*';
    if (c->suppressed) p++;
    size_t width = 0;
    while (*p >= '0' && *p <= '9') {
        if (width < 100000000) width = width * 10 + (size_t)(*p - '0');
        p++;
    }
    if (*p == '$') return false;
    bool allocating = false;
    if (*p == 'm') {
        allocating = true;
        p++;
    }
    int longs = 0, shorts = 0;
    bool long_double = false;
    for (;; p++) {
        if (*p == 'l') longs++;
        else if (*p == 'h') shorts++;
        else if (*p == 'L' || *p == 'q') { long_double = true; longs = 2; }
        else if (*p == 'j' || *p == 'z' || *p == 't') longs = 1;
        else break;
    }
    char conv = *p++;
    switch (conv) {
    case 'd': case 'i': case 'o': case 'u': case 'x': case 'X':
        c->store = STORE_FIXED;
        c->bytes = int_bytes(longs, shorts);
        break;
    case 'n':
        c->store = STORE_COUNT;
        c->bytes = int_bytes(longs, shorts);
        break;
    case 'a': case 'A': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
        c->store = STORE_FIXED;
        c->bytes = long_double ? sizeof(long double) : longs ? sizeof(double) : sizeof(float);
        break;
    case 'p':
        c->store = STORE_FIXED;
        c->bytes = sizeof(void *);
        break;
    case 'S': /* %S is %ls */
    case 's':
        if (conv == 'S') longs = 1;
        c->store = longs ? STORE_WSTRING : STORE_STRING;
        break;
    case '[':
        if (*p == '^') p++;
        if (*p == ']') p++;
        while (*p && *p != ']') p++;
        if (!*p) return false;
        p++;
        c->store = longs ? STORE_WSTRING : STORE_STRING;
        break;
    case 'C': /* %C is %lc */
    case 'c':
        if (conv == 'C') longs = 1;
        if (wide_family && !longs) { /* multibyte characters: their length is unknown */
            c->store = STORE_NONE;
            break;
        }
        c->store = STORE_FIXED;
        c->bytes = (width ? width : 1) * (longs ? sizeof(wchar_t) : 1);
        break;
    case '%':
        c->literal = true;
        *pp = p;
        return true;
    default: return false;
    }
    if (allocating && c->store != STORE_NONE) { /* the argument is the char ** cell */
        c->store = STORE_FIXED;
        c->bytes = sizeof(char *);
    }
    *pp = p;
    return true;
}

static void check_stored(const conversion *c, void *p, const char *fn)
{
    if (!p || !rt_libc_watched(p)) return;
    size_t n = 0;
    switch (c->store) {
    case STORE_FIXED: case STORE_COUNT: n = c->bytes; break;
    case STORE_STRING: n = (REAL(strlen) ? real_strlen(p) : 0) + 1; break;
    case STORE_WSTRING: n = ((REAL(wcslen) ? real_wcslen(p) : 0) + 1) * sizeof(wchar_t); break;
    default: return;
    }
    CHECK_WRITE_AFTER(p, n, fn);
}

/* After the call: the destinations of the `assigned` conversions that
 * assigned, and the %n reached. */
static void walk_stores(const char *fmt, va_list ap_in, int assigned, bool wide_family, const char *fn)
{
    if (assigned < 0) return; /* EOF before the first conversion */
    va_list ap;
    va_copy(ap, ap_in);
    int seen = 0;
    for (const char *p = fmt; *p;) {
        if (*p++ != '%') continue;
        conversion c;
        if (!parse_conversion(&p, &c, wide_family)) break;
        if (c.suppressed || c.literal) continue;
        void *dst = va_arg(ap, void *);
        if (c.store == STORE_COUNT) {
            if (seen <= assigned) check_stored(&c, dst, fn);
            continue;
        }
        if (seen++ >= assigned) break;
        check_stored(&c, dst, fn);
    }
    va_end(ap);
}

static bool walking(const void *fmt)
{
    return fmt && !rt_busy && lg_opt.check_libc;
}

static void check_narrow_string(const char *s, const char *fn)
{
    if (!s || !rt_libc_watched(s)) return;
    rt_libc_check_stale(s, fn);
    size_t max = rt_libc_readable(s); /* an unterminated string stops before a guard page */
    size_t n = 0;
    if (max == SIZE_MAX && REAL(strlen)) n = real_strlen(s);
    else
        while (n < max && s[n]) n++;
    CHECK_READ(s, n < max ? n + 1 : n, fn);
}

static void check_wide_string(const wchar_t *s, const char *fn)
{
    if (!s || !rt_libc_watched(s)) return;
    rt_libc_check_stale(s, fn);
    size_t max = rt_libc_readable(s) / sizeof(wchar_t);
    size_t n = 0;
    while (n < max && s[n]) n++;
    CHECK_READ(s, (n < max ? n + 1 : n) * sizeof(wchar_t), fn);
}

/* A wide format walked as its ASCII projection (the conversion letters are
 * ASCII); one longer than the copy as far as it goes. */
#define WIDE_FORMAT_CHARS 1024
static void narrow_copy(const wchar_t *fmt, char *out, size_t size)
{
    size_t i = 0;
    for (; i + 1 < size && fmt[i]; i++) out[i] = fmt[i] > 0 && fmt[i] < 0x80 ? (char)fmt[i] : '?';
    out[i] = 0;
}

/* ---- one core per family ---------------------------------------------------------- */

/* in: sscanf's input, NULL for a stream. */
static int scan(FILE *f, const char *in, bool c99, const char *fmt, va_list ap, const char *fn)
{
    bool walk = walking(fmt);
    if (walk) {
        check_narrow_string(fmt, fn);
        if (in) check_narrow_string(in, fn);
    }
    int r;
    if (in) r = c99 ? REAL(__isoc99_vsscanf)(in, fmt, ap) : REAL(vsscanf)(in, fmt, ap);
    else r = c99 ? REAL(__isoc99_vfscanf)(f, fmt, ap) : REAL(vfscanf)(f, fmt, ap);
    if (walk) walk_stores(fmt, ap, r, false, fn);
    return r;
}

static int wide_scan(FILE *f, const wchar_t *in, bool c99, const wchar_t *fmt, va_list ap, const char *fn)
{
    bool walk = walking(fmt);
    if (walk) {
        check_wide_string(fmt, fn);
        if (in) check_wide_string(in, fn);
    }
    int r;
    if (in) r = c99 ? REAL(__isoc99_vswscanf)(in, fmt, ap) : REAL(vswscanf)(in, fmt, ap);
    else r = c99 ? REAL(__isoc99_vfwscanf)(f, fmt, ap) : REAL(vfwscanf)(f, fmt, ap);
    if (walk) {
        char narrow[WIDE_FORMAT_CHARS];
        narrow_copy(fmt, narrow, sizeof(narrow));
        walk_stores(narrow, ap, r, true, fn);
    }
    return r;
}


/* ---- the entry points ------------------------------------------------------------ */

/* glibc's headers name scanf & co __isoc99_scanf & co: the plain
 * symbols are defined under their assembler names. */
int plain_scanf(const char *fmt, ...) __asm__("scanf");
int plain_fscanf(FILE *f, const char *fmt, ...) __asm__("fscanf");
int plain_sscanf(const char *in, const char *fmt, ...) __asm__("sscanf");
int plain_vscanf(const char *fmt, va_list ap) __asm__("vscanf");
int plain_vfscanf(FILE *f, const char *fmt, va_list ap) __asm__("vfscanf");
int plain_vsscanf(const char *in, const char *fmt, va_list ap) __asm__("vsscanf");
int plain_wscanf(const wchar_t *fmt, ...) __asm__("wscanf");
int plain_fwscanf(FILE *f, const wchar_t *fmt, ...) __asm__("fwscanf");
int plain_swscanf(const wchar_t *in, const wchar_t *fmt, ...) __asm__("swscanf");
int plain_vwscanf(const wchar_t *fmt, va_list ap) __asm__("vwscanf");
int plain_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap) __asm__("vfwscanf");
int plain_vswscanf(const wchar_t *in, const wchar_t *fmt, va_list ap) __asm__("vswscanf");
int __isoc99_scanf(const char *fmt, ...);
int __isoc99_fscanf(FILE *f, const char *fmt, ...);
int __isoc99_sscanf(const char *in, const char *fmt, ...);
int __isoc99_vscanf(const char *fmt, va_list ap);
int __isoc99_vfscanf(FILE *f, const char *fmt, va_list ap);
int __isoc99_vsscanf(const char *in, const char *fmt, va_list ap);
int __isoc99_wscanf(const wchar_t *fmt, ...);
int __isoc99_fwscanf(FILE *f, const wchar_t *fmt, ...);
int __isoc99_swscanf(const wchar_t *in, const wchar_t *fmt, ...);
int __isoc99_vwscanf(const wchar_t *fmt, va_list ap);
int __isoc99_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap);
int __isoc99_vswscanf(const wchar_t *in, const wchar_t *fmt, va_list ap);

RT_EXPORT int plain_scanf(const char *fmt, ...) { WITH_ARGS(fmt, scan(stdin, NULL, false, fmt, ap, "scanf")); }
RT_EXPORT int plain_fscanf(FILE *f, const char *fmt, ...) { WITH_ARGS(fmt, scan(f, NULL, false, fmt, ap, "fscanf")); }
RT_EXPORT int plain_sscanf(const char *in, const char *fmt, ...) { WITH_ARGS(fmt, scan(NULL, in, false, fmt, ap, "sscanf")); }
RT_EXPORT int plain_vscanf(const char *fmt, va_list ap) { return scan(stdin, NULL, false, fmt, ap, "vscanf"); }
RT_EXPORT int plain_vfscanf(FILE *f, const char *fmt, va_list ap) { return scan(f, NULL, false, fmt, ap, "vfscanf"); }
RT_EXPORT int plain_vsscanf(const char *in, const char *fmt, va_list ap) { return scan(NULL, in, false, fmt, ap, "vsscanf"); }

RT_EXPORT int __isoc99_scanf(const char *fmt, ...) { WITH_ARGS(fmt, scan(stdin, NULL, true, fmt, ap, "scanf")); }

RT_EXPORT int __isoc99_fscanf(FILE *f, const char *fmt, ...)
{
    WITH_ARGS(fmt, scan(f, NULL, true, fmt, ap, "fscanf"));
}

RT_EXPORT int __isoc99_sscanf(const char *in, const char *fmt, ...)
{
    WITH_ARGS(fmt, scan(NULL, in, true, fmt, ap, "sscanf"));
}

RT_EXPORT int __isoc99_vscanf(const char *fmt, va_list ap) { return scan(stdin, NULL, true, fmt, ap, "vscanf"); }

RT_EXPORT int __isoc99_vfscanf(FILE *f, const char *fmt, va_list ap)
{
    return scan(f, NULL, true, fmt, ap, "vfscanf");
}

RT_EXPORT int __isoc99_vsscanf(const char *in, const char *fmt, va_list ap)
{
    return scan(NULL, in, true, fmt, ap, "vsscanf");
}

RT_EXPORT int plain_wscanf(const wchar_t *fmt, ...) { WITH_ARGS(fmt, wide_scan(stdin, NULL, false, fmt, ap, "wscanf")); }

RT_EXPORT int plain_fwscanf(FILE *f, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, wide_scan(f, NULL, false, fmt, ap, "fwscanf"));
}

RT_EXPORT int plain_swscanf(const wchar_t *in, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, wide_scan(NULL, in, false, fmt, ap, "swscanf"));
}

RT_EXPORT int plain_vwscanf(const wchar_t *fmt, va_list ap) { return wide_scan(stdin, NULL, false, fmt, ap, "vwscanf"); }

RT_EXPORT int plain_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap)
{
    return wide_scan(f, NULL, false, fmt, ap, "vfwscanf");
}

RT_EXPORT int plain_vswscanf(const wchar_t *in, const wchar_t *fmt, va_list ap)
{
    return wide_scan(NULL, in, false, fmt, ap, "vswscanf");
}

RT_EXPORT int __isoc99_wscanf(const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, wide_scan(stdin, NULL, true, fmt, ap, "wscanf"));
}

RT_EXPORT int __isoc99_fwscanf(FILE *f, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, wide_scan(f, NULL, true, fmt, ap, "fwscanf"));
}

RT_EXPORT int __isoc99_swscanf(const wchar_t *in, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, wide_scan(NULL, in, true, fmt, ap, "swscanf"));
}

RT_EXPORT int __isoc99_vwscanf(const wchar_t *fmt, va_list ap)
{
    return wide_scan(stdin, NULL, true, fmt, ap, "vwscanf");
}

RT_EXPORT int __isoc99_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap)
{
    return wide_scan(f, NULL, true, fmt, ap, "vfwscanf");
}

RT_EXPORT int __isoc99_vswscanf(const wchar_t *in, const wchar_t *fmt, va_list ap)
{
    return wide_scan(NULL, in, true, fmt, ap, "vswscanf");
}
