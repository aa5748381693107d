/* rt_libc_wide.c — the wide-character string and memory functions, checked.
 *
 * As their byte counterparts in rt_libc.c, in units of wchar_t: the
 * characters read up to the terminator or the limit, the destination range
 * before a copy (healed after it when it was bad).  wcrtomb, wcstombs and
 * mbstowcs are checked after the call for what they wrote. */
#define _GNU_SOURCE
#include <features.h>
#undef __USE_EXTERN_INLINES

#include "rt_libc.h"

#include <stdlib.h>
#include <wchar.h>

#define W sizeof(wchar_t)

#define REAL_LIST(X)                                                             \
    X(wcslen, size_t, (const wchar_t *))                                         \
    X(wcscpy, wchar_t *, (wchar_t *, const wchar_t *))                           \
    X(wcsncpy, wchar_t *, (wchar_t *, const wchar_t *, size_t))                  \
    X(wcscat, wchar_t *, (wchar_t *, const wchar_t *))                           \
    X(wcsncat, wchar_t *, (wchar_t *, const wchar_t *, size_t))                  \
    X(wcscmp, int, (const wchar_t *, const wchar_t *))                           \
    X(wcsncmp, int, (const wchar_t *, const wchar_t *, size_t))                  \
    X(wcschr, wchar_t *, (const wchar_t *, wchar_t))                             \
    X(wcsrchr, wchar_t *, (const wchar_t *, wchar_t))                            \
    X(wcsdup, wchar_t *, (const wchar_t *))                                      \
    X(wmemcpy, wchar_t *, (wchar_t *, const wchar_t *, size_t))                  \
    X(wmemmove, wchar_t *, (wchar_t *, const wchar_t *, size_t))                 \
    X(wmemset, wchar_t *, (wchar_t *, wchar_t, size_t))                          \
    X(wmemcmp, int, (const wchar_t *, const wchar_t *, size_t))                  \
    X(wmemchr, wchar_t *, (const wchar_t *, wchar_t, size_t))                    \
    X(wcrtomb, size_t, (char *, wchar_t, mbstate_t *))                           \
    X(wcstombs, size_t, (char *, const wchar_t *, size_t))                       \
    X(mbstowcs, size_t, (wchar_t *, const char *, size_t))

REAL_LIST(REAL_PTR)

void rt_libc_wide_init(void)
{
    REAL_LIST(REAL_RESOLVE)
}

/* Characters of s read by a function that stops at the terminator or max. */
static size_t wide_read(const wchar_t *s, size_t max, const char *fn)
{
    return rt_libc_string_read(s, max, W, fn);
}

/* How many characters of a and b a comparison read. */
static size_t wide_compared(const wchar_t *a, const wchar_t *b, size_t max)
{
    size_t i = 0;
    while (i < max && a[i] && a[i] == b[i]) i++;
    return i < max ? i + 1 : max;
}

RT_EXPORT size_t wcslen(const wchar_t *s)
{
    return wide_read(s, (size_t)-1, "wcslen");
}

RT_EXPORT size_t wcsnlen(const wchar_t *s, size_t max)
{
    return max ? wide_read(s, max, "wcsnlen") : 0;
}

RT_EXPORT wchar_t *wcscpy(wchar_t *dst, const wchar_t *src)
{
    lg_block b;
    size_t n = wide_read(src, (size_t)-1, "wcscpy") + 1;
    bool heal = check(dst, n * W, true, "wcscpy", &b);
    wchar_t *r = REAL(wcscpy)(dst, src);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT wchar_t *wcsncpy(wchar_t *dst, const wchar_t *src, size_t n)
{
    lg_block b;
    if (n) wide_read(src, n, "wcsncpy");
    bool heal = check(dst, n * W, true, "wcsncpy", &b);
    wchar_t *r = REAL(wcsncpy)(dst, src, n);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT wchar_t *wcscat(wchar_t *dst, const wchar_t *src)
{
    lg_block b;
    size_t have = REAL(wcslen)(dst), add = wide_read(src, (size_t)-1, "wcscat");
    bool heal = check(dst, (have + add + 1) * W, true, "wcscat", &b);
    wchar_t *r = REAL(wcscat)(dst, src);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT wchar_t *wcsncat(wchar_t *dst, const wchar_t *src, size_t n)
{
    lg_block b;
    size_t have = REAL(wcslen)(dst), add = n ? wide_read(src, n, "wcsncat") : 0;
    bool heal = check(dst, (have + add + 1) * W, true, "wcsncat", &b);
    wchar_t *r = REAL(wcsncat)(dst, src, n);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT int wcscmp(const wchar_t *a, const wchar_t *b)
{
    rt_libc_check_stale(a, "wcscmp");
    rt_libc_check_stale(b, "wcscmp");
    int r = REAL(wcscmp)(a, b);
    if (rt_libc_watched(a) || rt_libc_watched(b)) {
        size_t used = wide_compared(a, b, (size_t)-1) * W;
        CHECK_READ(a, used, "wcscmp");
        CHECK_READ(b, used, "wcscmp");
    }
    return r;
}

RT_EXPORT int wcsncmp(const wchar_t *a, const wchar_t *b, size_t n)
{
    if (!n) return 0;
    rt_libc_check_stale(a, "wcsncmp");
    rt_libc_check_stale(b, "wcsncmp");
    int r = REAL(wcsncmp)(a, b, n);
    if (rt_libc_watched(a) || rt_libc_watched(b)) {
        size_t used = wide_compared(a, b, n) * W;
        CHECK_READ(a, used, "wcsncmp");
        CHECK_READ(b, used, "wcsncmp");
    }
    return r;
}

RT_EXPORT wchar_t *wcschr(const wchar_t *s, wchar_t c)
{
    rt_libc_check_stale(s, "wcschr");
    wchar_t *r = REAL(wcschr)(s, c);
    if (rt_libc_watched(s)) {
        size_t used = r ? (size_t)(r - s) + 1 : REAL(wcslen)(s) + 1;
        if (lg_opt.strict_string_checks) used = REAL(wcslen)(s) + 1;
        CHECK_READ(s, used * W, "wcschr");
    }
    return r;
}

RT_EXPORT wchar_t *wcsrchr(const wchar_t *s, wchar_t c)
{
    wide_read(s, (size_t)-1, "wcsrchr");
    return REAL(wcsrchr)(s, c);
}

RT_EXPORT wchar_t *wcsdup(const wchar_t *s)
{
    wide_read(s, (size_t)-1, "wcsdup");
    return REAL(wcsdup)(s);
}

RT_EXPORT wchar_t *wmemcpy(wchar_t *dst, const wchar_t *src, size_t n)
{
    lg_block b;
    CHECK_READ(src, n * W, "wmemcpy");
    bool heal = check(dst, n * W, true, "wmemcpy", &b);
    wchar_t *r = REAL(wmemcpy)(dst, src, n);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT wchar_t *wmemmove(wchar_t *dst, const wchar_t *src, size_t n)
{
    lg_block b;
    CHECK_READ(src, n * W, "wmemmove");
    bool heal = check(dst, n * W, true, "wmemmove", &b);
    wchar_t *r = REAL(wmemmove)(dst, src, n);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT wchar_t *wmemset(wchar_t *dst, wchar_t c, size_t n)
{
    lg_block b;
    bool heal = check(dst, n * W, true, "wmemset", &b);
    wchar_t *r = REAL(wmemset)(dst, c, n);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT int wmemcmp(const wchar_t *a, const wchar_t *b, size_t n)
{
    int r = REAL(wmemcmp)(a, b, n);
    if (n && (rt_libc_watched(a) || rt_libc_watched(b))) {
        size_t used = 0;
        while (used < n && a[used] == b[used]) used++;
        used = (used < n ? used + 1 : n) * W;
        CHECK_READ(a, used, "wmemcmp");
        CHECK_READ(b, used, "wmemcmp");
    }
    return r;
}

RT_EXPORT wchar_t *wmemchr(const wchar_t *s, wchar_t c, size_t n)
{
    wchar_t *r = REAL(wmemchr)(s, c, n);
    CHECK_READ(s, (r ? (size_t)(r - s) + 1 : n) * W, "wmemchr");
    return r;
}

RT_EXPORT size_t wcrtomb(char *s, wchar_t wc, mbstate_t *ps)
{
    if (s) rt_libc_check_stale(s, "wcrtomb");
    size_t r = REAL(wcrtomb)(s, wc, ps);
    if (s && r != (size_t)-1) CHECK_WRITE_AFTER(s, r, "wcrtomb");
    return r;
}

RT_EXPORT size_t wcstombs(char *dst, const wchar_t *src, size_t n)
{
    wide_read(src, (size_t)-1, "wcstombs");
    size_t r = REAL(wcstombs)(dst, src, n);
    if (dst && r != (size_t)-1) CHECK_WRITE_AFTER(dst, r < n ? r + 1 : n, "wcstombs");
    return r;
}

RT_EXPORT size_t mbstowcs(wchar_t *dst, const char *src, size_t n)
{
    size_t r = REAL(mbstowcs)(dst, src, n);
    if (dst && r != (size_t)-1) CHECK_WRITE_AFTER(dst, (r < n ? r + 1 : n) * W, "mbstowcs");
    return r;
}
