/* rt_libc.c — the libc functions that take buffers, checked.
 *
 * Each interceptor checks the bytes it is about to touch against the heap:
 * a range in a freed block is a use-after-free, a range leaving its live
 * block is a heap-overflow, a pointer from the poison range is a stale
 * pointer (fatal: the call would fault).  Then it calls the real function:
 * glibc's exported __*_chk variants for the mem/str copies (no lookup, no
 * recursion), dlsym(RTLD_NEXT) for the rest.  Checks cost two compares for
 * memory that is not on the heap. */
#include "rt_libc.h"
#include "../core/lg_finding.h"
#include "../core/lg_suppress.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

void *__memcpy_chk(void *, const void *, size_t, size_t);
void *__memmove_chk(void *, const void *, size_t, size_t);
void *__memset_chk(void *, int, size_t, size_t);
void *__mempcpy_chk(void *, const void *, size_t, size_t);
char *__strcpy_chk(char *, const char *, size_t);
char *__stpcpy_chk(char *, const char *, size_t);
char *__strncpy_chk(char *, const char *, size_t, size_t);
char *__strcat_chk(char *, const char *, size_t);
char *__strncat_chk(char *, const char *, size_t, size_t);

#define NO_LIMIT ((size_t)-1)

/* Called through pointers the compiler cannot see through: clang turns a
 * direct __memset_chk(.., -1) back into memset, which is this file. */
#define CHK(name) (*(__typeof__(&name) volatile *)&chk_##name)
static __typeof__(&__memcpy_chk) chk___memcpy_chk = __memcpy_chk;
static __typeof__(&__memmove_chk) chk___memmove_chk = __memmove_chk;
static __typeof__(&__memset_chk) chk___memset_chk = __memset_chk;
static __typeof__(&__mempcpy_chk) chk___mempcpy_chk = __mempcpy_chk;
static __typeof__(&__strcpy_chk) chk___strcpy_chk = __strcpy_chk;
static __typeof__(&__stpcpy_chk) chk___stpcpy_chk = __stpcpy_chk;
static __typeof__(&__strncpy_chk) chk___strncpy_chk = __strncpy_chk;
static __typeof__(&__strcat_chk) chk___strcat_chk = __strcat_chk;
static __typeof__(&__strncat_chk) chk___strncat_chk = __strncat_chk;

/* ---- the check ---------------------------------------------------------------- */

static void report_access(uintptr_t a, size_t n, bool write, const char *fn, const lg_block *b, lg_stack_id access)
{
    bool freed = __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE;
    lg_finding f = {
        .kind = freed ? LG_USE_AFTER_FREE : LG_HEAP_OVERFLOW,
        .key = access,
        .op = LG_OP_CALL,
        .op_name = fn,
        .access = write ? LG_ACCESS_WRITE : LG_ACCESS_READ,
        .address = a,
        .length = n,
        .block = b,
        .where = freed ? LG_WHERE_INSIDE : a < b->user ? LG_WHERE_BEFORE : LG_WHERE_PAST_END,
        .stack = access,
        .tid = lg_pal_tid(),
    };
    lg_finding_report(&f);
}

static void report_stale(uintptr_t a, uint32_t qtag, const char *fn)
{
    lg_stack_id access = rt_capture();
    lg_finding f = {
        .kind = LG_STALE_POINTER, .key = access, .op = LG_OP_CALL, .op_name = fn, .address = a, .stale = true,
        .stale_qtag = qtag, .stack = access, .tid = lg_pal_tid(),
    };
    lg_finding_report(&f);
    lg_guard_summary();
    lg_report_flush();
    lg_pal_die((int)lg_opt.exitcode); /* the real call would fault */
}

/* Guarded and large blocks: their pages are inaccessible once freed, and
 * a guard page follows their data pages. */
static bool pages_inaccessible(const lg_block *b)
{
    return b->size_class == LG_GUARD_CLASS || b->size_class == LG_LARGE_CLASS;
}

size_t rt_libc_readable(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    lg_block b;
    /* The size classes' slots sit between mapped neighbours: no lookup. */
    if (lg_heap_owns(a) || !lg_heap_may_hold(a) || !lg_heap_find(a, &b) || !pages_inaccessible(&b)) return SIZE_MAX;
    if (__atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE) return 0;
    return a < b.slot_end ? b.slot_end - a : 0;
}

/* Returns whether a bad write was reported: the block to heal after the call. */
bool rt_libc_check_slow(uintptr_t a, size_t n, bool write, const char *fn, lg_block *b)
{
    uint32_t qtag;
    if (lg_poison_decode(a, &qtag)) report_stale(a, qtag, fn);
    if (!lg_heap_find(a, b)) {
        if (!lg_heap_find(a + n - 1, b)) return false;
    }
    uint8_t state = __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE);
    if (state == LG_BLOCK_LIVE && a >= b->user && a + n <= b->user + b->size) return false;
    if (state == LG_BLOCK_UNUSED) return false;
    lg_stack_id access = rt_capture();
    rt_busy++;
    report_access(a, n, write, fn, b, access);
    rt_busy--;
    if (state != LG_BLOCK_LIVE && pages_inaccessible(b)) {
        /* The real call would fault on the freed block's pages.  One the
         * suppressions hid goes on as after a suppressed fault: the pages
         * accessible again, holding the block's poison (lg_guard_reopen),
         * not healed after the call (its poison is not checked again).
         * Otherwise, or if they cannot be, stop as the fault handler would. */
        lg_report_lock();
        bool hidden = lg_suppressed(LG_USE_AFTER_FREE, access);
        lg_report_unlock();
        if (hidden && lg_guard_reopen(b, a, access, !write)) return false;
        lg_guard_summary();
        lg_report_flush();
        lg_report_summary_line();
        lg_pal_die((int)lg_opt.exitcode);
    }
    /* The real call may fault on this block's guard page: that fault ends
     * the program as this error, not as a second one. */
    lg_fault_note_checked(lg_pal_tid(), b, a, n);
    return write;
}

void rt_libc_check_stale(const void *p, const char *fn)
{
    uint32_t qtag;
    if (!rt_busy && lg_opt.check_libc && lg_poison_decode((uintptr_t)p, &qtag)) report_stale((uintptr_t)p, qtag, fn);
}

/* ---- real functions found by name --------------------------------------------- */

#define REAL_LIST(X)                                                   \
    X(strlen, size_t, (const char *))                                  \
    X(strnlen, size_t, (const char *, size_t))                         \
    X(memcmp, int, (const void *, const void *, size_t))               \
    X(strcmp, int, (const char *, const char *))                       \
    X(strncmp, int, (const char *, const char *, size_t))              \
    X(puts, int, (const char *))                                       \
    X(fputs, int, (const char *, FILE *))                              \
    X(fwrite, size_t, (const void *, size_t, size_t, FILE *))          \
    X(fread, size_t, (void *, size_t, size_t, FILE *))                 \
    X(fgets, char *, (char *, int, FILE *))                            \
    X(write, ssize_t, (int, const void *, size_t))                     \
    X(read, ssize_t, (int, void *, size_t))                            \
    X(wcslen, size_t, (const wchar_t *))                               \
    X(wcsnlen, size_t, (const wchar_t *, size_t))

void *rt_libc_resolve(const char *name)
{
    rt_busy++;
    void *fn = dlsym(RTLD_NEXT, name);
    rt_busy--;
    return fn;
}

REAL_LIST(REAL_PTR)


/* Before dlsym can answer, the few functions it needs itself are done here. */
static size_t plain_strlen(const char *s)
{
    const volatile char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

static size_t plain_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n]) n++;
    return n;
}

size_t rt_libc_string_len(const char *s)
{
    if (__builtin_expect(lg_heap_may_hold((uintptr_t)s), 0)) {
        size_t max = rt_libc_readable(s);
        if (max != SIZE_MAX) return REAL(strnlen) ? real_strnlen(s, max) : plain_strnlen(s, max);
    }
    return REAL(strlen) ? real_strlen(s) : plain_strlen(s);
}

/* Characters (of elem bytes) before the terminator, at most max. */
static size_t count_chars(const void *s, size_t max, size_t elem)
{
    if (elem == 1) {
        if (max == SIZE_MAX && REAL(strlen)) return real_strlen(s);
        return REAL(strnlen) ? real_strnlen(s, max) : plain_strnlen(s, max);
    }
    if (max == SIZE_MAX && REAL(wcslen)) return real_wcslen(s);
    if (REAL(wcsnlen)) return real_wcsnlen(s, max);
    const wchar_t *w = s;
    size_t n = 0;
    while (n < max && w[n]) n++;
    return n;
}

size_t rt_libc_string_read(const void *s, size_t max, size_t elem, const char *fn)
{
    uintptr_t a = (uintptr_t)s;
    bool checking = !rt_busy && lg_opt.check_libc;
    if (!lg_heap_may_hold(a)) {
        uint32_t qtag;
        if (checking && lg_poison_decode(a, &qtag)) report_stale(a, qtag, fn);
        size_t n = count_chars(s, max, elem);
        size_t bytes = (n < max ? n + 1 : n) * elem;
        /* A string that starts outside the heap and runs into it: as check() sees it. */
        if (checking && bytes && lg_heap_may_hold(a + bytes - 1)) {
            lg_block b;
            rt_libc_check_slow(a, bytes, false, fn, &b);
        }
        return n;
    }
    lg_block b;
    bool found = lg_heap_find(a, &b);
    uint8_t state = found ? __atomic_load_n(&b.meta->state, __ATOMIC_ACQUIRE) : LG_BLOCK_LIVE;
    size_t bound = max;
    if (found && pages_inaccessible(&b)) {
        size_t readable = state != LG_BLOCK_LIVE || a >= b.slot_end ? 0 : (b.slot_end - a) / elem;
        if (readable < bound) bound = readable;
    }
    size_t n = count_chars(s, bound, elem);
    size_t bytes = (n < max ? n + 1 : n) * elem;
    if (!checking || !bytes) return n;
    if (found && state == LG_BLOCK_LIVE && a >= b.user && a + bytes <= b.user + b.size) return n;
    rt_libc_check_slow(a, bytes, false, fn, &b);
    return n;
}

void rt_libc_init(void)
{
    REAL_LIST(REAL_RESOLVE)
    rt_libc_printf_init();
    rt_libc_buffers_init();
    rt_libc_wide_init();
    rt_libc_scanf_init();
    rt_libc_exec_init();
}

/* ---- memory ----------------------------------------------------------------------- */

RT_EXPORT void *memcpy(void *dst, const void *src, size_t n)
{
    lg_block b;
    CHECK_READ(src, n, "memcpy");
    bool heal = check(dst, n, true, "memcpy", &b);
    void *r = CHK(__memcpy_chk)(dst, src, n, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT void *memmove(void *dst, const void *src, size_t n)
{
    lg_block b;
    CHECK_READ(src, n, "memmove");
    bool heal = check(dst, n, true, "memmove", &b);
    void *r = CHK(__memmove_chk)(dst, src, n, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT void *mempcpy(void *dst, const void *src, size_t n)
{
    lg_block b;
    CHECK_READ(src, n, "mempcpy");
    bool heal = check(dst, n, true, "mempcpy", &b);
    void *r = CHK(__mempcpy_chk)(dst, src, n, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT void *memset(void *dst, int c, size_t n)
{
    lg_block b;
    bool heal = check(dst, n, true, "memset", &b);
    void *r = CHK(__memset_chk)(dst, c, n, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT int memcmp(const void *a, const void *b, size_t n)
{
    if (!REAL(memcmp)) return lg_mem_cmp(a, b, n);
    int r = real_memcmp(a, b, n);
    if (n && !rt_busy) {
        /* Only the bytes up to the first difference are certainly read. */
        size_t used = n;
        if (r) {
            const unsigned char *x = a, *y = b;
            used = 0;
            while (x[used] == y[used]) used++;
            used++;
        }
        CHECK_READ(a, used, "memcmp");
        CHECK_READ(b, used, "memcmp");
    }
    return r;
}

/* ---- strings ---------------------------------------------------------------------- */

RT_EXPORT size_t strlen(const char *s)
{
    CHECK_READ(s, 1, "strlen"); /* catches a freed or stale string before reading on */
    size_t n = rt_libc_string_len(s);
    CHECK_READ(s, n + 1, "strlen");
    return n;
}

RT_EXPORT size_t strnlen(const char *s, size_t max)
{
    if (!REAL(strnlen)) {
        size_t n = 0;
        while (n < max && s[n]) n++;
        return n;
    }
    CHECK_READ(s, max ? 1 : 0, "strnlen");
    size_t n = real_strnlen(s, max);
    CHECK_READ(s, n < max ? n + 1 : n, "strnlen");
    return n;
}

/* How many bytes of a and b a string comparison read. */
static size_t compared_len(const char *a, const char *b, size_t max)
{
    size_t i = 0;
    while (i < max && a[i] && a[i] == b[i]) i++;
    return i < max ? i + 1 : max;
}

RT_EXPORT int strcmp(const char *a, const char *b)
{
    CHECK_READ(a, 1, "strcmp");
    CHECK_READ(b, 1, "strcmp");
    int r;
    if (REAL(strcmp)) {
        r = real_strcmp(a, b);
    } else {
        size_t i = 0;
        while (a[i] && a[i] == b[i]) i++;
        r = (unsigned char)a[i] - (unsigned char)b[i];
    }
    if (!rt_busy && lg_opt.check_libc && (lg_heap_may_hold((uintptr_t)a) || lg_heap_may_hold((uintptr_t)b))) {
        size_t used = compared_len(a, b, NO_LIMIT);
        CHECK_READ(a, used, "strcmp");
        CHECK_READ(b, used, "strcmp");
    }
    return r;
}

RT_EXPORT int strncmp(const char *a, const char *b, size_t n)
{
    if (!REAL(strncmp)) {
        size_t i = 0;
        while (i < n && a[i] && a[i] == b[i]) i++;
        return i == n ? 0 : (unsigned char)a[i] - (unsigned char)b[i];
    }
    int r = real_strncmp(a, b, n);
    if (n && !rt_busy && lg_opt.check_libc && (lg_heap_may_hold((uintptr_t)a) || lg_heap_may_hold((uintptr_t)b))) {
        size_t used = compared_len(a, b, n);
        CHECK_READ(a, used, "strncmp");
        CHECK_READ(b, used, "strncmp");
    }
    return r;
}

RT_EXPORT char *strcpy(char *dst, const char *src)
{
    lg_block b;
    size_t n = rt_libc_string_len(src) + 1;
    CHECK_READ(src, n, "strcpy");
    bool heal = check(dst, n, true, "strcpy", &b);
    char *r = CHK(__strcpy_chk)(dst, src, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT char *stpcpy(char *dst, const char *src)
{
    lg_block b;
    size_t n = rt_libc_string_len(src) + 1;
    CHECK_READ(src, n, "stpcpy");
    bool heal = check(dst, n, true, "stpcpy", &b);
    char *r = CHK(__stpcpy_chk)(dst, src, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT char *strncpy(char *dst, const char *src, size_t n)
{
    lg_block b;
    size_t len = 0;
    while (len < n && src[len]) len++;
    CHECK_READ(src, len < n ? len + 1 : len, "strncpy");
    bool heal = check(dst, n, true, "strncpy", &b);
    char *r = CHK(__strncpy_chk)(dst, src, n, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

/* strcat and strncat: the destination string and what is appended are one
 * range from dst, so a destination that already runs past its block (the
 * append would start outside every block) is measured against dst's. */
RT_EXPORT char *strcat(char *dst, const char *src)
{
    lg_block b;
    size_t dst_len = rt_libc_string_len(dst), src_len = rt_libc_string_len(src);
    CHECK_READ(src, src_len + 1, "strcat");
    bool heal = check(dst, dst_len + src_len + 1, true, "strcat", &b);
    char *r = CHK(__strcat_chk)(dst, src, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT char *strncat(char *dst, const char *src, size_t n)
{
    lg_block b;
    size_t dst_len = rt_libc_string_len(dst), src_len = 0;
    while (src_len < n && src[src_len]) src_len++;
    CHECK_READ(src, src_len < n ? src_len + 1 : src_len, "strncat");
    bool heal = check(dst, dst_len + src_len + 1, true, "strncat", &b);
    char *r = CHK(__strncat_chk)(dst, src, n, NO_LIMIT);
    if (heal) lg_heap_heal(&b);
    return r;
}

/* ---- stdio and file descriptors ------------------------------------------------- */

RT_EXPORT int puts(const char *s)
{
    rt_libc_string_read(s, SIZE_MAX, 1, "puts");
    return REAL(puts)(s);
}

RT_EXPORT int fputs(const char *s, FILE *f)
{
    rt_libc_string_read(s, SIZE_MAX, 1, "fputs");
    return REAL(fputs)(s, f);
}

/* glibc's fread and fwrite multiply size by count without an overflow
 * check: the wrapped product is what they touch, so it is what is checked. */
RT_EXPORT size_t fwrite(const void *p, size_t size, size_t count, FILE *f)
{
    CHECK_READ(p, size * count, "fwrite");
    return REAL(fwrite)(p, size, count, f);
}

RT_EXPORT size_t fread(void *p, size_t size, size_t count, FILE *f)
{
    lg_block b;
    bool heal = check(p, size * count, true, "fread", &b);
    size_t r = REAL(fread)(p, size, count, f);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT char *fgets(char *s, int n, FILE *f)
{
    lg_block b;
    bool heal = n > 0 && check(s, (size_t)n, true, "fgets", &b);
    char *r = REAL(fgets)(s, n, f);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT ssize_t write(int fd, const void *p, size_t n)
{
    CHECK_READ(p, n, "write");
    return REAL(write)(fd, p, n);
}

RT_EXPORT ssize_t read(int fd, void *p, size_t n)
{
    ssize_t r = REAL(read)(fd, p, n);
    if (r > 0) {
        lg_block b;
        if (check(p, (size_t)r, true, "read", &b)) lg_heap_heal(&b);
    }
    return r;
}
