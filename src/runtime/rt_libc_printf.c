/* rt_libc_printf.c — the printf family, checked.
 *
 * Before the call, the format is walked with a copy of the arguments: each
 * %s (and %ls) string is checked up to its terminator or its precision,
 * each %n target as the int it writes, and the format string itself.
 * After the call, the destination of sprintf/snprintf/vsprintf/vsnprintf
 * is checked for the bytes written (the return value says how many; a bad
 * write is reported and the block healed).  The real v* function is then
 * called with the program's own va_list; the _FORTIFY_SOURCE entry points
 * (__printf_chk ...) go to glibc's __v*_chk, so its own checks still run.
 *
 * A conversion the walker does not know (one registered with
 * register_printf_function) ends the walk: the arguments after it are not
 * checked, never misread.
 *
 * Every entry point hands its va_list to one core per family (to_stream,
 * to_fd, to_string, to_allocated, and the wide to_wide_stream and
 * to_wide_string), which walks, calls the real function and checks what
 * was written. */
#define _GNU_SOURCE
#include <features.h>
#undef __USE_EXTERN_INLINES /* optimized builds: stdio.h would define vprintf inline */

#include "rt_libc.h"

#include <stdarg.h>
#include <stdio.h>
#include <wchar.h>

#define REAL_LIST(X)                                                                \
    X(vfprintf, int, (FILE *, const char *, va_list))                               \
    X(vsprintf, int, (char *, const char *, va_list))                               \
    X(vsnprintf, int, (char *, size_t, const char *, va_list))                      \
    X(vdprintf, int, (int, const char *, va_list))                                  \
    X(vasprintf, int, (char **, const char *, va_list))                             \
    X(__vfprintf_chk, int, (FILE *, int, const char *, va_list))                    \
    X(__vsprintf_chk, int, (char *, int, size_t, const char *, va_list))            \
    X(__vsnprintf_chk, int, (char *, size_t, int, size_t, const char *, va_list))   \
    X(__vdprintf_chk, int, (int, int, const char *, va_list))                       \
    X(__vasprintf_chk, int, (char **, int, const char *, va_list))                 \
    X(vfwprintf, int, (FILE *, const wchar_t *, va_list))                          \
    X(vswprintf, int, (wchar_t *, size_t, const wchar_t *, va_list))               \
    X(__vfwprintf_chk, int, (FILE *, int, const wchar_t *, va_list))               \
    X(__vswprintf_chk, int, (wchar_t *, size_t, int, size_t, const wchar_t *, va_list)) \
    X(strchrnul, char *, (const char *, int))

REAL_LIST(REAL_PTR)

void rt_libc_printf_init(void)
{
    REAL_LIST(REAL_RESOLVE)
}

/* ---- the walk ------------------------------------------------------------------ */

/* How an argument is fetched: its class in the calling convention. */
enum arg_class { ARG_NONE, ARG_INT, ARG_LONG, ARG_DOUBLE, ARG_LDOUBLE, ARG_PTR };

/* What is done with a pointer argument. */
enum arg_use { USE_NONE, USE_STRING, USE_WSTRING, USE_WRITE };

#define MAX_POSITIONAL 64

typedef struct conversion {
    enum arg_class cls;
    enum arg_use use;
    int precision;      /* -1: none */
    int precision_arg;  /* positional: the argument holding the precision (1-based), 0: none */
    unsigned char n_bytes; /* %n: the size of what it writes */
    int arg;            /* positional: its argument (1-based) */
} conversion;

static void check_string(const char *s, int precision, const char *fn)
{
    if (s) rt_libc_string_read(s, precision >= 0 ? (size_t)precision : SIZE_MAX, 1, fn); /* NULL prints "(null)" */
}

static void check_wstring(const wchar_t *s, int precision, const char *fn)
{
    if (s) rt_libc_string_read(s, precision >= 0 ? (size_t)precision : SIZE_MAX, sizeof(wchar_t), fn);
}

static void use_pointer(const conversion *c, void *p, const char *fn)
{
    switch (c->use) {
    case USE_STRING: check_string(p, c->precision, fn); break;
    case USE_WSTRING: check_wstring(p, c->precision, fn); break;
    case USE_WRITE: {
        lg_block b; /* not healed: glibc writes it after this */
        if (p) check(p, c->n_bytes, true, fn, &b);
        break;
    }
    default: break;
    }
}

static inline int parse_number(const char **pp)
{
    const char *p = *pp;
    int v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v < 100000000) v = v * 10 + (*p - '0');
        p++;
    }
    *pp = p;
    return v;
}

/* "N$" after a number: returns N and advances, or 0. */
static inline int parse_position(const char **pp)
{
    const char *p = *pp;
    if (*p < '1' || *p > '9') return 0;
    int n = parse_number(&p);
    if (*p != '$') return 0;
    *pp = p + 1;
    return n;
}

/* Parses one conversion after its '%'.  Returns false for one the walk
 * does not know.  *width_arg, c->precision_arg: positional '*' arguments;
 * star_width/star_precision: sequential '*' arguments to fetch first. */
static bool parse_conversion(const char **pp, conversion *c, int *width_arg, bool *star_width, bool *star_precision)
{
    const char *p = *pp;
    c->cls = ARG_NONE;
    c->use = USE_NONE;
    c->precision = -1;
    c->precision_arg = 0;
    c->arg = parse_position(&p);
    *width_arg = 0;
    *star_width = *star_precision = false;
    while (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '0' || *p == '\'' || *p == 'I') p++;
    if (*p == '*') {
        p++;
        *width_arg = parse_position(&p);
        *star_width = !*width_arg;
    } else {
        parse_number(&p);
    }
    if (*p == '.') {
        p++;
        if (*p == '*') {
            p++;
            c->precision_arg = parse_position(&p);
            *star_precision = !c->precision_arg;
        } else {
            c->precision = parse_number(&p);
        }
    }
    int longs = 0, shorts = 0;
    bool long_double = false, wide = false;
    for (;; p++) {
        if (*p == 'l') longs++;
        else if (*p == 'h') shorts++;
        else if (*p == 'L' || *p == 'q') { long_double = true; longs = 2; }
        else if (*p == 'j' || *p == 'z' || *p == 'Z' || *p == 't') longs = 1;
        else break;
    }
    wide = longs > 0;
    char conv = *p;
    if (!conv) return false;
    *pp = p + 1;
    switch (conv) {
    case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'b': case 'B':
        c->cls = longs ? ARG_LONG : ARG_INT;
        return true;
    case 'c': c->cls = ARG_INT; return true;
    case 'C': c->cls = ARG_INT; return true;
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
        c->cls = long_double ? ARG_LDOUBLE : ARG_DOUBLE;
        return true;
    case 's':
        c->cls = ARG_PTR;
        c->use = wide ? USE_WSTRING : USE_STRING;
        return true;
    case 'S':
        c->cls = ARG_PTR;
        c->use = USE_WSTRING;
        return true;
    case 'p': c->cls = ARG_PTR; return true;
    case 'n':
        c->cls = ARG_PTR;
        c->use = USE_WRITE;
        c->n_bytes = shorts >= 2 ? 1 : shorts == 1 ? 2 : longs ? 8 : 4;
        return true;
    case 'm': case '%': return true;
    default: return false;
    }
}

static void fetch(enum arg_class cls, va_list *ap, void **ptr, int *as_int)
{
    *ptr = NULL;
    switch (cls) {
    case ARG_INT: *as_int = va_arg(*ap, int); break;
    case ARG_LONG: *as_int = (int)va_arg(*ap, long); break;
    case ARG_DOUBLE: (void)va_arg(*ap, double); break;
    case ARG_LDOUBLE: (void)va_arg(*ap, long double); break;
    case ARG_PTR: *ptr = va_arg(*ap, void *); break;
    default: break;
    }
}

/* Positional formats ("%2$s %1$d"): the class of every argument first,
 * then fetched in order, then the conversions checked. */
static void walk_positional(const char *fmt, va_list *ap, const char *fn)
{
    enum arg_class cls[MAX_POSITIONAL + 1] = {0};
    conversion convs[MAX_POSITIONAL];
    int nconv = 0, max_arg = 0;
    for (const char *p = fmt; *p;) {
        if (*p++ != '%') continue;
        conversion c;
        int width_arg;
        bool star_w, star_p;
        if (!parse_conversion(&p, &c, &width_arg, &star_w, &star_p)) break;
        if (c.cls == ARG_NONE) continue;
        if (!c.arg || c.arg > MAX_POSITIONAL || star_w || star_p || width_arg > MAX_POSITIONAL ||
            c.precision_arg > MAX_POSITIONAL || nconv == MAX_POSITIONAL)
            return; /* mixed or too many: not checked */
        if (width_arg) cls[width_arg] = ARG_INT;
        if (c.precision_arg) cls[c.precision_arg] = ARG_INT;
        cls[c.arg] = c.cls;
        if (c.arg > max_arg) max_arg = c.arg;
        if (width_arg > max_arg) max_arg = width_arg;
        if (c.precision_arg > max_arg) max_arg = c.precision_arg;
        convs[nconv++] = c;
    }
    void *ptrs[MAX_POSITIONAL + 1];
    int ints[MAX_POSITIONAL + 1];
    for (int i = 1; i <= max_arg; i++) {
        if (cls[i] == ARG_NONE) return; /* a gap: its class is unknown */
        fetch(cls[i], ap, &ptrs[i], &ints[i]);
    }
    for (int i = 0; i < nconv; i++) {
        conversion *c = &convs[i];
        if (c->precision_arg) c->precision = ints[c->precision_arg] < 0 ? -1 : ints[c->precision_arg];
        if (c->use != USE_NONE) use_pointer(c, ptrs[c->arg], fn);
    }
}

/* The conversions of fmt against the arguments (fmt itself not checked). */
static void walk_conversions(const char *fmt, va_list ap_in, const char *fn)
{
    va_list ap;
    va_copy(ap, ap_in);
    for (const char *p = fmt; *p;) {
        if (REAL(strchrnul)) { /* vectorised: the literal text between conversions is most of a format */
            p = real_strchrnul(p, '%');
            if (!*p++) break;
        } else if (*p++ != '%') {
            continue;
        }
        conversion c;
        int width_arg;
        bool star_w, star_p;
        const char *at = p;
        if (!parse_conversion(&p, &c, &width_arg, &star_w, &star_p)) break;
        if (c.arg || width_arg || c.precision_arg) {
            if (at == fmt + 1) walk_positional(fmt, &ap, fn); /* positional from the start */
            break;
        }
        if (c.cls == ARG_NONE) continue;
        if (star_w) (void)va_arg(ap, int);
        if (star_p) {
            int v = va_arg(ap, int);
            c.precision = v < 0 ? -1 : v;
        }
        void *ptr;
        int as_int;
        fetch(c.cls, &ap, &ptr, &as_int);
        if (c.use != USE_NONE) use_pointer(&c, ptr, fn);
    }
    va_end(ap);
}

static void walk_format(const char *fmt, va_list ap, const char *fn)
{
    if (!fmt || rt_busy || !lg_opt.check_libc) return;
    check_string(fmt, -1, fn);
    walk_conversions(fmt, ap, fn);
}

/* A wide format: checked as a wide string, then walked as its ASCII
 * projection (every conversion letter is ASCII; %s is then a narrow
 * string, %ls and %S wide ones, as in the wide functions).  A format longer
 * than the copy is walked as far as it goes. */
#define WIDE_FORMAT_CHARS 1024
static void walk_wide_format(const wchar_t *fmt, va_list ap, const char *fn)
{
    if (!fmt || rt_busy || !lg_opt.check_libc) return;
    check_wstring(fmt, -1, fn);
    char narrow[WIDE_FORMAT_CHARS];
    size_t i = 0;
    for (; i + 1 < sizeof(narrow) && fmt[i]; i++) narrow[i] = fmt[i] > 0 && fmt[i] < 0x80 ? (char)fmt[i] : '?';
    narrow[i] = 0;
    walk_conversions(narrow, ap, fn);
}

/* The destination of sprintf & co: the bytes the call wrote. */
static void check_written(char *dst, size_t cap, int ret, const char *fn)
{
    if (ret < 0 || !cap) return;
    size_t n = (size_t)ret + 1;
    CHECK_WRITE_AFTER(dst, n < cap ? n : cap, fn);
}

/* ---- one core per family --------------------------------------------------------- */

/* The flag of _FORTIFY_SOURCE's __*_chk entry points; NOT_CHK: a plain one. */
#define NOT_CHK (-1)

static int to_stream(FILE *f, int flag, const char *fmt, va_list ap, const char *fn)
{
    walk_format(fmt, ap, fn);
    return flag == NOT_CHK ? REAL(vfprintf)(f, fmt, ap) : REAL(__vfprintf_chk)(f, flag, fmt, ap);
}

static int to_fd(int fd, int flag, const char *fmt, va_list ap, const char *fn)
{
    walk_format(fmt, ap, fn);
    return flag == NOT_CHK ? REAL(vdprintf)(fd, fmt, ap) : REAL(__vdprintf_chk)(fd, flag, fmt, ap);
}

/* sprintf (bounded false: no cap) and snprintf, with their v and chk forms. */
static int to_string(char *dst, bool bounded, size_t cap, int flag, size_t dst_len, const char *fmt, va_list ap,
                     const char *fn)
{
    walk_format(fmt, ap, fn);
    if (!bounded || cap) rt_libc_check_stale(dst, fn);
    int r;
    if (flag == NOT_CHK)
        r = bounded ? REAL(vsnprintf)(dst, cap, fmt, ap) : REAL(vsprintf)(dst, fmt, ap);
    else
        r = bounded ? REAL(__vsnprintf_chk)(dst, cap, flag, dst_len, fmt, ap)
                    : REAL(__vsprintf_chk)(dst, flag, dst_len, fmt, ap);
    check_written(dst, bounded ? cap : (size_t)-1, r, fn);
    return r;
}

static int to_allocated(char **out, int flag, const char *fmt, va_list ap, const char *fn)
{
    walk_format(fmt, ap, fn);
    return flag == NOT_CHK ? REAL(vasprintf)(out, fmt, ap) : REAL(__vasprintf_chk)(out, flag, fmt, ap);
}

static int to_wide_stream(FILE *f, int flag, const wchar_t *fmt, va_list ap, const char *fn)
{
    walk_wide_format(fmt, ap, fn);
    return flag == NOT_CHK ? REAL(vfwprintf)(f, fmt, ap) : REAL(__vfwprintf_chk)(f, flag, fmt, ap);
}

/* swprintf: -1 when the output did not fit, having written all of cap. */
static int to_wide_string(wchar_t *dst, size_t cap, int flag, size_t dst_len, const wchar_t *fmt, va_list ap,
                          const char *fn)
{
    walk_wide_format(fmt, ap, fn);
    if (cap) rt_libc_check_stale(dst, fn);
    int r = flag == NOT_CHK ? REAL(vswprintf)(dst, cap, fmt, ap) : REAL(__vswprintf_chk)(dst, cap, flag, dst_len, fmt, ap);
    size_t chars = r >= 0 ? (size_t)r + 1 : cap;
    if (chars > cap) chars = cap;
    if (chars && !__builtin_mul_overflow(chars, sizeof(wchar_t), &chars)) CHECK_WRITE_AFTER(dst, chars, fn);
    return r;
}


/* ---- the entry points ------------------------------------------------------------ */

RT_EXPORT int vfprintf(FILE *f, const char *fmt, va_list ap) { return to_stream(f, NOT_CHK, fmt, ap, "vfprintf"); }
RT_EXPORT int vprintf(const char *fmt, va_list ap) { return to_stream(stdout, NOT_CHK, fmt, ap, "vprintf"); }
RT_EXPORT int fprintf(FILE *f, const char *fmt, ...) { WITH_ARGS(fmt, to_stream(f, NOT_CHK, fmt, ap, "fprintf")); }
RT_EXPORT int printf(const char *fmt, ...) { WITH_ARGS(fmt, to_stream(stdout, NOT_CHK, fmt, ap, "printf")); }
RT_EXPORT int vdprintf(int fd, const char *fmt, va_list ap) { return to_fd(fd, NOT_CHK, fmt, ap, "vdprintf"); }
RT_EXPORT int dprintf(int fd, const char *fmt, ...) { WITH_ARGS(fmt, to_fd(fd, NOT_CHK, fmt, ap, "dprintf")); }

RT_EXPORT int vsprintf(char *dst, const char *fmt, va_list ap)
{
    return to_string(dst, false, 0, NOT_CHK, 0, fmt, ap, "vsprintf");
}

RT_EXPORT int sprintf(char *dst, const char *fmt, ...)
{
    WITH_ARGS(fmt, to_string(dst, false, 0, NOT_CHK, 0, fmt, ap, "sprintf"));
}

RT_EXPORT int vsnprintf(char *dst, size_t cap, const char *fmt, va_list ap)
{
    return to_string(dst, true, cap, NOT_CHK, 0, fmt, ap, "vsnprintf");
}

RT_EXPORT int snprintf(char *dst, size_t cap, const char *fmt, ...)
{
    WITH_ARGS(fmt, to_string(dst, true, cap, NOT_CHK, 0, fmt, ap, "snprintf"));
}

RT_EXPORT int vasprintf(char **out, const char *fmt, va_list ap) { return to_allocated(out, NOT_CHK, fmt, ap, "vasprintf"); }
RT_EXPORT int asprintf(char **out, const char *fmt, ...) { WITH_ARGS(fmt, to_allocated(out, NOT_CHK, fmt, ap, "asprintf")); }

/* The wide family: the format and every %s/%ls/%S/%n as above; swprintf's
 * destination as written. */
RT_EXPORT int vfwprintf(FILE *f, const wchar_t *fmt, va_list ap)
{
    return to_wide_stream(f, NOT_CHK, fmt, ap, "vfwprintf");
}

RT_EXPORT int vwprintf(const wchar_t *fmt, va_list ap) { return to_wide_stream(stdout, NOT_CHK, fmt, ap, "vwprintf"); }

RT_EXPORT int fwprintf(FILE *f, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, to_wide_stream(f, NOT_CHK, fmt, ap, "fwprintf"));
}

RT_EXPORT int wprintf(const wchar_t *fmt, ...) { WITH_ARGS(fmt, to_wide_stream(stdout, NOT_CHK, fmt, ap, "wprintf")); }

RT_EXPORT int vswprintf(wchar_t *dst, size_t cap, const wchar_t *fmt, va_list ap)
{
    return to_wide_string(dst, cap, NOT_CHK, 0, fmt, ap, "vswprintf");
}

RT_EXPORT int swprintf(wchar_t *dst, size_t cap, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, to_wide_string(dst, cap, NOT_CHK, 0, fmt, ap, "swprintf"));
}

/* ---- _FORTIFY_SOURCE's entry points ---------------------------------------------- */

int __printf_chk(int flag, const char *fmt, ...);
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __vprintf_chk(int flag, const char *fmt, va_list ap);
int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);
int __dprintf_chk(int fd, int flag, const char *fmt, ...);
int __vdprintf_chk(int fd, int flag, const char *fmt, va_list ap);
int __sprintf_chk(char *dst, int flag, size_t dst_len, const char *fmt, ...);
int __vsprintf_chk(char *dst, int flag, size_t dst_len, const char *fmt, va_list ap);
int __snprintf_chk(char *dst, size_t cap, int flag, size_t dst_len, const char *fmt, ...);
int __vsnprintf_chk(char *dst, size_t cap, int flag, size_t dst_len, const char *fmt, va_list ap);
int __asprintf_chk(char **out, int flag, const char *fmt, ...);
int __vasprintf_chk(char **out, int flag, const char *fmt, va_list ap);
int __fwprintf_chk(FILE *f, int flag, const wchar_t *fmt, ...);
int __wprintf_chk(int flag, const wchar_t *fmt, ...);
int __vfwprintf_chk(FILE *f, int flag, const wchar_t *fmt, va_list ap);
int __vwprintf_chk(int flag, const wchar_t *fmt, va_list ap);
int __swprintf_chk(wchar_t *dst, size_t cap, int flag, size_t dst_len, const wchar_t *fmt, ...);
int __vswprintf_chk(wchar_t *dst, size_t cap, int flag, size_t dst_len, const wchar_t *fmt, va_list ap);

RT_EXPORT int __printf_chk(int flag, const char *fmt, ...) { WITH_ARGS(fmt, to_stream(stdout, flag, fmt, ap, "printf")); }
RT_EXPORT int __vprintf_chk(int flag, const char *fmt, va_list ap) { return to_stream(stdout, flag, fmt, ap, "vprintf"); }

RT_EXPORT int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
    WITH_ARGS(fmt, to_stream(f, flag, fmt, ap, "fprintf"));
}

RT_EXPORT int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
    return to_stream(f, flag, fmt, ap, "vfprintf");
}

RT_EXPORT int __dprintf_chk(int fd, int flag, const char *fmt, ...) { WITH_ARGS(fmt, to_fd(fd, flag, fmt, ap, "dprintf")); }
RT_EXPORT int __vdprintf_chk(int fd, int flag, const char *fmt, va_list ap) { return to_fd(fd, flag, fmt, ap, "vdprintf"); }

RT_EXPORT int __sprintf_chk(char *dst, int flag, size_t dst_len, const char *fmt, ...)
{
    WITH_ARGS(fmt, to_string(dst, false, 0, flag, dst_len, fmt, ap, "sprintf"));
}

RT_EXPORT int __vsprintf_chk(char *dst, int flag, size_t dst_len, const char *fmt, va_list ap)
{
    return to_string(dst, false, 0, flag, dst_len, fmt, ap, "vsprintf");
}

RT_EXPORT int __snprintf_chk(char *dst, size_t cap, int flag, size_t dst_len, const char *fmt, ...)
{
    WITH_ARGS(fmt, to_string(dst, true, cap, flag, dst_len, fmt, ap, "snprintf"));
}

RT_EXPORT int __vsnprintf_chk(char *dst, size_t cap, int flag, size_t dst_len, const char *fmt, va_list ap)
{
    return to_string(dst, true, cap, flag, dst_len, fmt, ap, "vsnprintf");
}

RT_EXPORT int __asprintf_chk(char **out, int flag, const char *fmt, ...)
{
    WITH_ARGS(fmt, to_allocated(out, flag, fmt, ap, "asprintf"));
}

RT_EXPORT int __vasprintf_chk(char **out, int flag, const char *fmt, va_list ap)
{
    return to_allocated(out, flag, fmt, ap, "vasprintf");
}

RT_EXPORT int __fwprintf_chk(FILE *f, int flag, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, to_wide_stream(f, flag, fmt, ap, "fwprintf"));
}

RT_EXPORT int __wprintf_chk(int flag, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, to_wide_stream(stdout, flag, fmt, ap, "wprintf"));
}

RT_EXPORT int __vfwprintf_chk(FILE *f, int flag, const wchar_t *fmt, va_list ap)
{
    return to_wide_stream(f, flag, fmt, ap, "vfwprintf");
}

RT_EXPORT int __vwprintf_chk(int flag, const wchar_t *fmt, va_list ap)
{
    return to_wide_stream(stdout, flag, fmt, ap, "vwprintf");
}

RT_EXPORT int __swprintf_chk(wchar_t *dst, size_t cap, int flag, size_t dst_len, const wchar_t *fmt, ...)
{
    WITH_ARGS(fmt, to_wide_string(dst, cap, flag, dst_len, fmt, ap, "swprintf"));
}

RT_EXPORT int __vswprintf_chk(wchar_t *dst, size_t cap, int flag, size_t dst_len, const wchar_t *fmt, va_list ap)
{
    return to_wide_string(dst, cap, flag, dst_len, fmt, ap, "vswprintf");
}
