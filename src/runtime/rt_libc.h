/* rt_libc.h — what the libc interceptors (rt_libc*.c) share: the range
 * check and the way each file finds the real functions. */
#ifndef RT_LIBC_H
#define RT_LIBC_H

#include "rt_internal.h"

/* The check of [p, p+n) behind check(): reports use-after-free,
 * heap-overflow, stale-pointer (fatal).  Returns whether a bad write was
 * reported, so the caller heals the block after the call. */
bool rt_libc_check_slow(uintptr_t a, size_t n, bool write, const char *fn, lg_block *b);

/* Reports (fatally) a pointer from the poison range before a call that
 * would fault on it. */
void rt_libc_check_stale(const void *p, const char *fn);

/* Two compares for memory that is not on the heap. */
static inline bool check(const void *p, size_t n, bool write, const char *fn, lg_block *b)
{
    uintptr_t a = (uintptr_t)p;
    if (!n || rt_busy || !lg_opt.check_libc) return false;
    if (__builtin_expect(!lg_heap_may_hold(a) && !lg_heap_may_hold(a + n - 1), 1)) {
        uint32_t qtag;
        if (__builtin_expect(!lg_poison_decode(a, &qtag), 1)) return false;
    }
    return rt_libc_check_slow(a, n, write, fn, b);
}

#define CHECK_READ(p, n, fn)                    \
    do {                                        \
        lg_block unused_;                       \
        check((p), (n), false, (fn), &unused_); \
    } while (0)

/* A write check whose block is healed after the call when it was bad. */
#define CHECK_WRITE_AFTER(p, n, fn)                                   \
    do {                                                              \
        lg_block b_;                                                  \
        if (check((p), (n), true, (fn), &b_)) lg_heap_heal(&b_);      \
    } while (0)

/* Whether the bytes at p need a closer look at all (on the heap, or a
 * pointer from the poison range): what a caller checks before measuring a
 * string it would not otherwise read. */
static inline bool rt_libc_watched(const void *p)
{
    uint32_t qtag;
    if (rt_busy || !lg_opt.check_libc) return false;
    return lg_heap_may_hold((uintptr_t)p) || lg_poison_decode((uintptr_t)p, &qtag);
}

/* How many bytes from p a string measurement may read without faulting:
 * up to the guard page after a live guarded or large block, 0 in a freed
 * one (its pages are inaccessible), SIZE_MAX for any other memory.  A
 * string measured to that bound then fails the range check, which reports
 * it as the call's before the real call faults. */
size_t rt_libc_readable(const void *p);

/* strlen, never past a guard page or into a freed block's inaccessible
 * pages (there it stops, and the range check that follows reports it);
 * before the real functions are found, a plain loop. */
size_t rt_libc_string_len(const char *s);

/* A string of elem-byte characters (1: char, sizeof(wchar_t)) that a call
 * reads up to its terminator or max characters (SIZE_MAX: no limit):
 * measured, never past a guard page or into a freed block's inaccessible
 * pages, and the bytes read (with the terminator when it was reached)
 * checked, with one heap lookup.  Returns the characters before the
 * terminator, at most max. */
size_t rt_libc_string_read(const void *s, size_t max, size_t elem, const char *fn);

/* dlsym(RTLD_NEXT, name), with the runtime marked busy (dlsym allocates). */
void *rt_libc_resolve(const char *name);

/* REAL_LIST(REAL_PTR) in each file declares real_NAME and get_real_NAME(),
 * which finds the function the first time it is needed; REAL(name) calls
 * through it. */
#define REAL_PTR(name, ret, args)                                                                \
    static ret(*real_##name) args;                                                               \
    static inline __typeof__(real_##name) get_real_##name(void)                                  \
    {                                                                                            \
        if (!real_##name && !rt_busy) real_##name = (__typeof__(real_##name))rt_libc_resolve(#name); \
        return real_##name;                                                                      \
    }
#define REAL(name) get_real_##name()
#define REAL_RESOLVE(name, ret, args) real_##name = (__typeof__(real_##name))rt_libc_resolve(#name);

/* The body of a variadic entry point (printf, scanf families): the
 * va_list of `last`'s successors handed to the family's va_list core. */
#define WITH_ARGS(last, call) \
    va_list ap;               \
    va_start(ap, last);       \
    int r = call;             \
    va_end(ap);               \
    return r

/* Each family's file resolves its functions at start-up (rt_libc_init). */
void rt_libc_printf_init(void);
void rt_libc_buffers_init(void);
void rt_libc_wide_init(void);
void rt_libc_scanf_init(void);
void rt_libc_exec_init(void);  /* rt_libc_exec.c: the exec family and posix_spawn */

#endif
