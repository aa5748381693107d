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
 * without l stores multibyte characters: their width in bytes, at least,
 * is checked.
 *
 * glibc's three sets of entry points are interposed: the plain scanf & co
 * (older binaries), __isoc99_scanf & co (every program since C99) and
 * __isoc23_scanf & co (glibc 2.38, C23), each calling its own real v*
 * function.  Positional conversions (%2$d) are followed; an unknown
 * conversion, or positional ones mixed with plain ones, end the walk. */
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
    X(__isoc23_vfscanf, int, (FILE *, const char *, va_list))                        \
    X(__isoc23_vsscanf, int, (const char *, const char *, va_list))                  \
    X(__isoc23_vfwscanf, int, (FILE *, const wchar_t *, va_list))                    \
    X(__isoc23_vswscanf, int, (const wchar_t *, const wchar_t *, va_list))           \
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
    size_t position;  /* %N$d: N, the argument it stores to; 0: the next one */
    bool suppressed;  /* %*d: assigns nothing, takes no argument */
    bool literal;     /* %%: matches a '%', takes no argument */
} conversion;

static size_t int_bytes(int longs, int shorts)
{
    return shorts >= 2 ? 1 : shorts == 1 ? 2 : longs ? 8 : sizeof(int);
}

/* Parses one conversion after its '%'.  False: one the walk does not know
 * (or a positional one): stop. */
static size_t parse_number(const char **pp)
{
    size_t n = 0;
    for (const char *p = *pp; *p >= '0' && *p <= '9'; p++, *pp = p)
        if (n < 100000000) n = n * 10 + (size_t)(*p - '0');
    return n;
}

static bool parse_conversion(const char **pp, conversion *c)
{
    const char *p = *pp;
    c->store = STORE_NONE;
    c->bytes = 0;
    c->literal = false;
    c->position = 0;
    const char *digits = p;
    size_t number = parse_number(&p);
    if (*p == '$' && p > digits) { /* %N$: the N-th argument */
        if (number == 0) return false;
        c->position = number;
        p++;
    } else {
        p = digits;
    }
    c->suppressed = *p == '*';
    if (c->suppressed) p++;
    size_t width = parse_number(&p);
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
    case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'b': /* %b: C23 */
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
        /* In the wide family a %c without l stores each character as a
         * multibyte sequence: at least one byte each, so the width is
         * what is certainly written. */
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

/* The arguments of a positional format (%N$), fetched once in order:
 * every scanf argument is a pointer. */
#define SCAN_POSITIONS_MAX 64

/* Whether the first conversion that takes an argument names it (%N$):
 * only then does the walk need max_position's pass over the format. */
static bool positional(const char *fmt)
{
    for (const char *p = fmt; *p;) {
        if (*p++ != '%') continue;
        conversion c;
        if (!parse_conversion(&p, &c)) return false;
        if (!c.literal && !c.suppressed) return c.position != 0;
    }
    return false;
}

/* The highest position of a positional format; SIZE_MAX: one the walk
 * cannot follow (mixed with plain ones, or past SCAN_POSITIONS_MAX). */
static size_t max_position(const char *fmt)
{
    size_t max = 0;
    bool plain = false;
    for (const char *p = fmt; *p;) {
        if (*p++ != '%') continue;
        conversion c;
        if (!parse_conversion(&p, &c)) break;
        if (c.literal || c.suppressed) continue;
        if (!c.position) plain = true;
        else if (c.position > max) max = c.position;
    }
    if (max && (plain || max > SCAN_POSITIONS_MAX)) return SIZE_MAX;
    return max;
}

/* After the call: the destinations of the `assigned` conversions that
 * assigned (in format order, whatever their positions), and the %n
 * reached. */
static void walk_stores(const char *fmt, va_list ap_in, int assigned, const char *fn)
{
    if (assigned < 0) return; /* EOF before the first conversion */
    size_t positions = positional(fmt) ? max_position(fmt) : 0;
    if (positions == SIZE_MAX) return;
    va_list ap;
    va_copy(ap, ap_in);
    void *args[SCAN_POSITIONS_MAX];
    for (size_t i = 0; i < positions; i++) args[i] = va_arg(ap, void *);
    int seen = 0;
    for (const char *p = fmt; *p;) {
        if (*p++ != '%') continue;
        conversion c;
        if (!parse_conversion(&p, &c)) break;
        if (c.suppressed || c.literal) continue;
        if (!positions && c.position) break; /* a positional one after plain ones: mixed */
        void *dst = positions ? args[c.position - 1] : va_arg(ap, void *);
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
    if (s) rt_libc_string_read(s, SIZE_MAX, 1, fn);
}

static void check_wide_string(const wchar_t *s, const char *fn)
{
    if (s) rt_libc_string_read(s, SIZE_MAX, sizeof(wchar_t), fn);
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

/* Which of glibc's entry points the program called: each calls its own
 * real v* function.  A glibc older than 2.38 has no __isoc23_* (a
 * program that needs them does not load there): those fall back to the
 * C99 ones, which differ only in %b and 0b. */
enum scan_flavour { SCAN_PLAIN, SCAN_C99, SCAN_C23 };

typedef int (*scan_string_fn)(const char *, const char *, va_list);
typedef int (*scan_stream_fn)(FILE *, const char *, va_list);
typedef int (*wide_scan_string_fn)(const wchar_t *, const wchar_t *, va_list);
typedef int (*wide_scan_stream_fn)(FILE *, const wchar_t *, va_list);

#define PICK_REAL(flavour, plain, c99, c23)                                     \
    ((flavour) == SCAN_C23 && REAL(c23) ? REAL(c23)                             \
     : (flavour) != SCAN_PLAIN          ? REAL(c99)                             \
                                        : REAL(plain))

/* in: sscanf's input, NULL for a stream. */
static int scan(FILE *f, const char *in, enum scan_flavour flavour, const char *fmt, va_list ap, const char *fn)
{
    bool walk = walking(fmt);
    if (walk) {
        check_narrow_string(fmt, fn);
        if (in) check_narrow_string(in, fn);
    }
    int r;
    if (in) {
        scan_string_fn real = PICK_REAL(flavour, vsscanf, __isoc99_vsscanf, __isoc23_vsscanf);
        r = real(in, fmt, ap);
    } else {
        scan_stream_fn real = PICK_REAL(flavour, vfscanf, __isoc99_vfscanf, __isoc23_vfscanf);
        r = real(f, fmt, ap);
    }
    if (walk) walk_stores(fmt, ap, r, fn);
    return r;
}

static int wide_scan(FILE *f, const wchar_t *in, enum scan_flavour flavour, const wchar_t *fmt, va_list ap,
                     const char *fn)
{
    bool walk = walking(fmt);
    if (walk) {
        check_wide_string(fmt, fn);
        if (in) check_wide_string(in, fn);
    }
    int r;
    if (in) {
        wide_scan_string_fn real = PICK_REAL(flavour, vswscanf, __isoc99_vswscanf, __isoc23_vswscanf);
        r = real(in, fmt, ap);
    } else {
        wide_scan_stream_fn real = PICK_REAL(flavour, vfwscanf, __isoc99_vfwscanf, __isoc23_vfwscanf);
        r = real(f, fmt, ap);
    }
    if (walk) {
        char narrow[WIDE_FORMAT_CHARS];
        narrow_copy(fmt, narrow, sizeof(narrow));
        walk_stores(narrow, ap, r, fn);
    }
    return r;
}

/* ---- the entry points ------------------------------------------------------------ */

/* The twelve entry points of one flavour, defined under their assembler
 * names: PREFIX "scanf" is scanf, __isoc99_scanf or __isoc23_scanf. */
#define SCAN_ENTRY_POINTS(PREFIX, tag, FLAVOUR)                                                                 \
    int tag##_scanf(const char *fmt, ...) __asm__(PREFIX "scanf");                                              \
    int tag##_fscanf(FILE *f, const char *fmt, ...) __asm__(PREFIX "fscanf");                                   \
    int tag##_sscanf(const char *in, const char *fmt, ...) __asm__(PREFIX "sscanf");                            \
    int tag##_vscanf(const char *fmt, va_list ap) __asm__(PREFIX "vscanf");                                     \
    int tag##_vfscanf(FILE *f, const char *fmt, va_list ap) __asm__(PREFIX "vfscanf");                          \
    int tag##_vsscanf(const char *in, const char *fmt, va_list ap) __asm__(PREFIX "vsscanf");                   \
    int tag##_wscanf(const wchar_t *fmt, ...) __asm__(PREFIX "wscanf");                                         \
    int tag##_fwscanf(FILE *f, const wchar_t *fmt, ...) __asm__(PREFIX "fwscanf");                              \
    int tag##_swscanf(const wchar_t *in, const wchar_t *fmt, ...) __asm__(PREFIX "swscanf");                    \
    int tag##_vwscanf(const wchar_t *fmt, va_list ap) __asm__(PREFIX "vwscanf");                                \
    int tag##_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap) __asm__(PREFIX "vfwscanf");                     \
    int tag##_vswscanf(const wchar_t *in, const wchar_t *fmt, va_list ap) __asm__(PREFIX "vswscanf");           \
    RT_EXPORT int tag##_scanf(const char *fmt, ...) { WITH_ARGS(fmt, scan(stdin, NULL, FLAVOUR, fmt, ap, "scanf")); } \
    RT_EXPORT int tag##_fscanf(FILE *f, const char *fmt, ...)                                                  \
    {                                                                                                           \
        WITH_ARGS(fmt, scan(f, NULL, FLAVOUR, fmt, ap, "fscanf"));                                              \
    }                                                                                                           \
    RT_EXPORT int tag##_sscanf(const char *in, const char *fmt, ...)                                           \
    {                                                                                                           \
        WITH_ARGS(fmt, scan(NULL, in, FLAVOUR, fmt, ap, "sscanf"));                                             \
    }                                                                                                           \
    RT_EXPORT int tag##_vscanf(const char *fmt, va_list ap) { return scan(stdin, NULL, FLAVOUR, fmt, ap, "vscanf"); } \
    RT_EXPORT int tag##_vfscanf(FILE *f, const char *fmt, va_list ap)                                          \
    {                                                                                                           \
        return scan(f, NULL, FLAVOUR, fmt, ap, "vfscanf");                                                      \
    }                                                                                                           \
    RT_EXPORT int tag##_vsscanf(const char *in, const char *fmt, va_list ap)                                   \
    {                                                                                                           \
        return scan(NULL, in, FLAVOUR, fmt, ap, "vsscanf");                                                     \
    }                                                                                                           \
    RT_EXPORT int tag##_wscanf(const wchar_t *fmt, ...)                                                        \
    {                                                                                                           \
        WITH_ARGS(fmt, wide_scan(stdin, NULL, FLAVOUR, fmt, ap, "wscanf"));                                     \
    }                                                                                                           \
    RT_EXPORT int tag##_fwscanf(FILE *f, const wchar_t *fmt, ...)                                              \
    {                                                                                                           \
        WITH_ARGS(fmt, wide_scan(f, NULL, FLAVOUR, fmt, ap, "fwscanf"));                                        \
    }                                                                                                           \
    RT_EXPORT int tag##_swscanf(const wchar_t *in, const wchar_t *fmt, ...)                                    \
    {                                                                                                           \
        WITH_ARGS(fmt, wide_scan(NULL, in, FLAVOUR, fmt, ap, "swscanf"));                                       \
    }                                                                                                           \
    RT_EXPORT int tag##_vwscanf(const wchar_t *fmt, va_list ap)                                                \
    {                                                                                                           \
        return wide_scan(stdin, NULL, FLAVOUR, fmt, ap, "vwscanf");                                             \
    }                                                                                                           \
    RT_EXPORT int tag##_vfwscanf(FILE *f, const wchar_t *fmt, va_list ap)                                      \
    {                                                                                                           \
        return wide_scan(f, NULL, FLAVOUR, fmt, ap, "vfwscanf");                                                \
    }                                                                                                           \
    RT_EXPORT int tag##_vswscanf(const wchar_t *in, const wchar_t *fmt, va_list ap)                            \
    {                                                                                                           \
        return wide_scan(NULL, in, FLAVOUR, fmt, ap, "vswscanf");                                               \
    }

/* What older binaries call, what glibc's headers send C99 programs to,
 * and what glibc 2.38's send C23 programs to (-std=c2x). */
SCAN_ENTRY_POINTS("", plain, SCAN_PLAIN)
SCAN_ENTRY_POINTS("__isoc99_", c99, SCAN_C99)
SCAN_ENTRY_POINTS("__isoc23_", c23, SCAN_C23)
