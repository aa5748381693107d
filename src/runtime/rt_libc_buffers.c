/* rt_libc_buffers.c — more libc functions that take buffers, checked:
 * searches (memchr, strchr, strstr, strspn ...), strdup, strtok, the
 * strto* numbers, qsort/bsearch, getline/getdelim, poll, readv/writev,
 * the send/recv family.  docs/LIBC.md lists what each one checks.
 *
 * A search checks the bytes it read up to what it found; with
 * strict_string_checks=1 a string argument is checked up to its
 * terminator whatever was found (ASan's option of the same name), so an
 * unterminated heap string is reported even when the search stopped
 * early.  Results written by the kernel (recv, readv, getline) are checked
 * after the call for the bytes written, and the block healed. */
#define _GNU_SOURCE
#include <features.h>
#undef __USE_EXTERN_INLINES /* optimized builds: stdlib.h and stdio.h would define atoi, bsearch, getline inline */

#include "rt_libc.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#define REAL_LIST(X)                                                                            \
    X(strdup, char *, (const char *))                                                           \
    X(strndup, char *, (const char *, size_t))                                                  \
    X(memchr, void *, (const void *, int, size_t))                                              \
    X(memrchr, void *, (const void *, int, size_t))                                             \
    X(rawmemchr, void *, (const void *, int))                                                   \
    X(strchr, char *, (const char *, int))                                                      \
    X(strrchr, char *, (const char *, int))                                                     \
    X(strchrnul, char *, (const char *, int))                                                   \
    X(strstr, char *, (const char *, const char *))                                             \
    X(strspn, size_t, (const char *, const char *))                                             \
    X(strcspn, size_t, (const char *, const char *))                                            \
    X(strpbrk, char *, (const char *, const char *))                                            \
    X(strtok, char *, (char *, const char *))                                                   \
    X(strtok_r, char *, (char *, const char *, char **))                                        \
    X(strtol, long, (const char *, char **, int))                                               \
    X(strtoul, unsigned long, (const char *, char **, int))                                     \
    X(strtoll, long long, (const char *, char **, int))                                         \
    X(strtoull, unsigned long long, (const char *, char **, int))                               \
    X(strtod, double, (const char *, char **))                                                  \
    X(qsort, void, (void *, size_t, size_t, int (*)(const void *, const void *)))               \
    X(bsearch, void *, (const void *, const void *, size_t, size_t, int (*)(const void *, const void *))) \
    X(getdelim, ssize_t, (char **, size_t *, int, FILE *))                                      \
    X(poll, int, (struct pollfd *, nfds_t, int))                                                \
    X(ppoll, int, (struct pollfd *, nfds_t, const struct timespec *, const sigset_t *))         \
    X(readv, ssize_t, (int, const struct iovec *, int))                                         \
    X(writev, ssize_t, (int, const struct iovec *, int))                                        \
    X(preadv, ssize_t, (int, const struct iovec *, int, off_t))                                 \
    X(pwritev, ssize_t, (int, const struct iovec *, int, off_t))                                \
    X(send, ssize_t, (int, const void *, size_t, int))                                          \
    X(sendto, ssize_t, (int, const void *, size_t, int, const struct sockaddr *, socklen_t))    \
    X(sendmsg, ssize_t, (int, const struct msghdr *, int))                                      \
    X(recv, ssize_t, (int, void *, size_t, int))                                                \
    X(recvfrom, ssize_t, (int, void *, size_t, int, struct sockaddr *, socklen_t *))            \
    X(recvmsg, ssize_t, (int, struct msghdr *, int))

REAL_LIST(REAL_PTR)

void rt_libc_buffers_init(void)
{
    REAL_LIST(REAL_RESOLVE)
}

/* ---- helpers ------------------------------------------------------------------------ */

/* A string argument read up to `used` bytes: under strict_string_checks the
 * whole string with its terminator. */
static void check_string_read(const char *s, size_t used, const char *fn)
{
    if (!s || !rt_libc_watched(s)) return;
    if (lg_opt.strict_string_checks) {
        rt_libc_string_read(s, SIZE_MAX, 1, fn);
        return;
    }
    rt_libc_check_stale(s, fn);
    CHECK_READ(s, used, fn);
}

/* A whole string argument (a search set, a needle). */
static void check_whole_string(const char *s, const char *fn)
{
    if (!s || !rt_libc_watched(s)) return;
    rt_libc_string_read(s, SIZE_MAX, 1, fn);
}

static void check_array(const void *base, size_t count, size_t size, bool write, const char *fn, lg_block *b,
                        bool *heal)
{
    size_t total;
    *heal = false;
    if (__builtin_mul_overflow(count, size, &total)) return; /* libc would not get that far either */
    *heal = check(base, total, write, fn, b);
}

/* The buffers of an iovec array: read before a write, written after a read
 * (the first `done` bytes, in order). */
static void check_iov(const struct iovec *iov, int count, bool written, size_t done, const char *fn)
{
    if (!iov || count <= 0 || rt_busy || !lg_opt.check_libc) return;
    CHECK_READ(iov, (size_t)count * sizeof(*iov), fn);
    for (int i = 0; i < count; i++) {
        size_t n = iov[i].iov_len;
        if (written) {
            if (!done) break;
            if (n > done) n = done;
            done -= n;
            CHECK_WRITE_AFTER(iov[i].iov_base, n, fn);
        } else {
            CHECK_READ(iov[i].iov_base, n, fn);
        }
    }
}

/* ---- copies and searches ---------------------------------------------------------------- */

RT_EXPORT char *strdup(const char *s)
{
    check_whole_string(s, "strdup");
    return REAL(strdup)(s);
}

RT_EXPORT char *strndup(const char *s, size_t n)
{
    if (rt_libc_watched(s)) {
        rt_libc_check_stale(s, "strndup");
        size_t len = strnlen(s, n);
        CHECK_READ(s, len < n ? len + 1 : len, "strndup");
    }
    return REAL(strndup)(s, n);
}

RT_EXPORT void *memchr(const void *s, int c, size_t n)
{
    void *r = REAL(memchr)(s, c, n);
    CHECK_READ(s, r ? (size_t)((const char *)r - (const char *)s) + 1 : n, "memchr");
    return r;
}

RT_EXPORT void *memrchr(const void *s, int c, size_t n)
{
    void *r = REAL(memrchr)(s, c, n);
    if (r) CHECK_READ(r, (size_t)((const char *)s + n - (const char *)r), "memrchr");
    else CHECK_READ(s, n, "memrchr");
    return r;
}

RT_EXPORT void *rawmemchr(const void *s, int c)
{
    rt_libc_check_stale(s, "rawmemchr");
    void *r = REAL(rawmemchr)(s, c);
    CHECK_READ(s, (size_t)((const char *)r - (const char *)s) + 1, "rawmemchr");
    return r;
}

RT_EXPORT char *strchr(const char *s, int c)
{
    if (!REAL(strchr)) {
        for (;; s++) {
            if (*s == (char)c) return (char *)s;
            if (!*s) return NULL;
        }
    }
    rt_libc_check_stale(s, "strchr");
    char *r = real_strchr(s, c);
    if (rt_libc_watched(s)) check_string_read(s, r ? (size_t)(r - s) + 1 : rt_libc_string_len(s) + 1, "strchr");
    return r;
}

RT_EXPORT char *strchrnul(const char *s, int c)
{
    rt_libc_check_stale(s, "strchrnul");
    char *r = REAL(strchrnul)(s, c);
    check_string_read(s, (size_t)(r - s) + 1, "strchrnul");
    return r;
}

RT_EXPORT char *strrchr(const char *s, int c)
{
    check_whole_string(s, "strrchr");
    return REAL(strrchr)(s, c);
}

RT_EXPORT char *strstr(const char *h, const char *needle)
{
    rt_libc_check_stale(h, "strstr");
    check_whole_string(needle, "strstr");
    char *r = REAL(strstr)(h, needle);
    if (rt_libc_watched(h))
        check_string_read(h, r ? (size_t)(r - h) + rt_libc_string_len(needle) : rt_libc_string_len(h) + 1, "strstr");
    return r;
}

RT_EXPORT size_t strspn(const char *s, const char *accept)
{
    rt_libc_check_stale(s, "strspn");
    check_whole_string(accept, "strspn");
    size_t r = REAL(strspn)(s, accept);
    check_string_read(s, r + 1, "strspn");
    return r;
}

RT_EXPORT size_t strcspn(const char *s, const char *reject)
{
    rt_libc_check_stale(s, "strcspn");
    check_whole_string(reject, "strcspn");
    size_t r = REAL(strcspn)(s, reject);
    check_string_read(s, r + 1, "strcspn");
    return r;
}

RT_EXPORT char *strpbrk(const char *s, const char *accept)
{
    rt_libc_check_stale(s, "strpbrk");
    check_whole_string(accept, "strpbrk");
    char *r = REAL(strpbrk)(s, accept);
    if (rt_libc_watched(s)) check_string_read(s, r ? (size_t)(r - s) + 1 : rt_libc_string_len(s) + 1, "strpbrk");
    return r;
}

/* strtok writes a terminator after each token: the token and that byte are
 * checked as written; a new string (s not NULL) is checked from its start. */
static void check_token(char *s, const char *token, const char *fn)
{
    if (s && rt_libc_watched(s) && lg_opt.strict_string_checks) CHECK_READ(s, rt_libc_string_len(s) + 1, fn);
    if (token && rt_libc_watched(token)) CHECK_WRITE_AFTER(token, rt_libc_string_len(token) + 1, fn);
}

RT_EXPORT char *strtok(char *s, const char *delim)
{
    if (s) rt_libc_check_stale(s, "strtok");
    check_whole_string(delim, "strtok");
    if (s) CHECK_READ(s, 1, "strtok");
    char *r = REAL(strtok)(s, delim);
    check_token(s, r, "strtok");
    return r;
}

RT_EXPORT char *strtok_r(char *s, const char *delim, char **save)
{
    if (s) rt_libc_check_stale(s, "strtok_r");
    else rt_libc_check_stale(*save, "strtok_r");
    check_whole_string(delim, "strtok_r");
    if (s) CHECK_READ(s, 1, "strtok_r");
    char *r = REAL(strtok_r)(s, delim, save);
    check_token(s, r, "strtok_r");
    return r;
}

/* ---- numbers from strings: the bytes parsed and the one that ended them --------------- */

/* After the parse: the end pointer the caller asked for, and the bytes read. */
static void after_parse(const char *s, char *stop, char **end, const char *fn)
{
    if (end) {
        CHECK_WRITE_AFTER(end, sizeof(*end), fn);
        *end = stop;
    }
    check_string_read(s, (size_t)(stop - s) + 1, fn);
}

RT_EXPORT long strtol(const char *s, char **end, int base)
{
    char *stop;
    rt_libc_check_stale(s, "strtol");
    long r = REAL(strtol)(s, &stop, base);
    after_parse(s, stop, end, "strtol");
    return r;
}

RT_EXPORT unsigned long strtoul(const char *s, char **end, int base)
{
    char *stop;
    rt_libc_check_stale(s, "strtoul");
    unsigned long r = REAL(strtoul)(s, &stop, base);
    after_parse(s, stop, end, "strtoul");
    return r;
}

RT_EXPORT long long strtoll(const char *s, char **end, int base)
{
    char *stop;
    rt_libc_check_stale(s, "strtoll");
    long long r = REAL(strtoll)(s, &stop, base);
    after_parse(s, stop, end, "strtoll");
    return r;
}

RT_EXPORT unsigned long long strtoull(const char *s, char **end, int base)
{
    char *stop;
    rt_libc_check_stale(s, "strtoull");
    unsigned long long r = REAL(strtoull)(s, &stop, base);
    after_parse(s, stop, end, "strtoull");
    return r;
}

RT_EXPORT double strtod(const char *s, char **end)
{
    char *stop;
    rt_libc_check_stale(s, "strtod");
    double r = REAL(strtod)(s, &stop);
    after_parse(s, stop, end, "strtod");
    return r;
}

RT_EXPORT int atoi(const char *s)
{
    char *stop;
    rt_libc_check_stale(s, "atoi");
    long r = REAL(strtol)(s, &stop, 10);
    after_parse(s, stop, NULL, "atoi");
    return (int)r;
}

RT_EXPORT long atol(const char *s)
{
    char *stop;
    rt_libc_check_stale(s, "atol");
    long r = REAL(strtol)(s, &stop, 10);
    after_parse(s, stop, NULL, "atol");
    return r;
}

/* ---- arrays ------------------------------------------------------------------------------ */

RT_EXPORT void qsort(void *base, size_t count, size_t size, int (*cmp)(const void *, const void *))
{
    lg_block b;
    bool heal;
    check_array(base, count, size, true, "qsort", &b, &heal);
    REAL(qsort)(base, count, size, cmp);
    if (heal) lg_heap_heal(&b);
}

RT_EXPORT void *bsearch(const void *key, const void *base, size_t count, size_t size,
                        int (*cmp)(const void *, const void *))
{
    lg_block b;
    bool heal;
    check_array(base, count, size, false, "bsearch", &b, &heal);
    if (count) CHECK_READ(key, size, "bsearch");
    return REAL(bsearch)(key, base, count, size, cmp);
}

/* ---- lines -------------------------------------------------------------------------------- */

RT_EXPORT ssize_t getdelim(char **line, size_t *cap, int delim, FILE *f)
{
    CHECK_READ(line, sizeof(*line), "getdelim");
    CHECK_READ(cap, sizeof(*cap), "getdelim");
    if (line && *line) rt_libc_check_stale(*line, "getdelim");
    ssize_t r = REAL(getdelim)(line, cap, delim, f);
    if (r >= 0 && line && *line) CHECK_WRITE_AFTER(*line, (size_t)r + 1, "getdelim");
    return r;
}

RT_EXPORT ssize_t getline(char **line, size_t *cap, FILE *f)
{
    CHECK_READ(line, sizeof(*line), "getline");
    CHECK_READ(cap, sizeof(*cap), "getline");
    if (line && *line) rt_libc_check_stale(*line, "getline");
    ssize_t r = REAL(getdelim)(line, cap, '\n', f);
    if (r >= 0 && line && *line) CHECK_WRITE_AFTER(*line, (size_t)r + 1, "getline");
    return r;
}

/* What an optimized build's getline() calls (stdio.h inlines it). */
ssize_t __getdelim(char **line, size_t *cap, int delim, FILE *f);
RT_EXPORT ssize_t __getdelim(char **line, size_t *cap, int delim, FILE *f)
{
    const char *fn = delim == '\n' ? "getline" : "getdelim";
    CHECK_READ(line, sizeof(*line), fn);
    CHECK_READ(cap, sizeof(*cap), fn);
    if (line && *line) rt_libc_check_stale(*line, fn);
    ssize_t r = REAL(getdelim)(line, cap, delim, f);
    if (r >= 0 && line && *line) CHECK_WRITE_AFTER(*line, (size_t)r + 1, fn);
    return r;
}

/* ---- descriptors ------------------------------------------------------------------------- */

RT_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    lg_block b;
    bool heal;
    check_array(fds, n, sizeof(*fds), true, "poll", &b, &heal); /* revents are written */
    int r = REAL(poll)(fds, n, timeout);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
    lg_block b;
    bool heal;
    check_array(fds, n, sizeof(*fds), true, "ppoll", &b, &heal);
    if (ts) CHECK_READ(ts, sizeof(*ts), "ppoll");
    int r = REAL(ppoll)(fds, n, ts, mask);
    if (heal) lg_heap_heal(&b);
    return r;
}

RT_EXPORT ssize_t writev(int fd, const struct iovec *iov, int count)
{
    check_iov(iov, count, false, 0, "writev");
    return REAL(writev)(fd, iov, count);
}

RT_EXPORT ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t at)
{
    check_iov(iov, count, false, 0, "pwritev");
    return REAL(pwritev)(fd, iov, count, at);
}

RT_EXPORT ssize_t readv(int fd, const struct iovec *iov, int count)
{
    ssize_t r = REAL(readv)(fd, iov, count);
    if (r > 0) check_iov(iov, count, true, (size_t)r, "readv");
    return r;
}

RT_EXPORT ssize_t preadv(int fd, const struct iovec *iov, int count, off_t at)
{
    ssize_t r = REAL(preadv)(fd, iov, count, at);
    if (r > 0) check_iov(iov, count, true, (size_t)r, "preadv");
    return r;
}

RT_EXPORT ssize_t send(int fd, const void *p, size_t n, int flags)
{
    CHECK_READ(p, n, "send");
    return REAL(send)(fd, p, n, flags);
}

RT_EXPORT ssize_t sendto(int fd, const void *p, size_t n, int flags, const struct sockaddr *to, socklen_t to_len)
{
    CHECK_READ(p, n, "sendto");
    if (to) CHECK_READ(to, to_len, "sendto");
    return REAL(sendto)(fd, p, n, flags, to, to_len);
}

static void check_msghdr(const struct msghdr *m, bool written, size_t done, const char *fn)
{
    if (!m || rt_busy || !lg_opt.check_libc) return;
    CHECK_READ(m, sizeof(*m), fn);
    if (m->msg_iovlen <= (size_t)1 << 20) check_iov(m->msg_iov, (int)m->msg_iovlen, written, done, fn);
    if (!written && m->msg_name) CHECK_READ(m->msg_name, m->msg_namelen, fn);
    if (!written && m->msg_control) CHECK_READ(m->msg_control, m->msg_controllen, fn);
}

RT_EXPORT ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
    check_msghdr(m, false, 0, "sendmsg");
    return REAL(sendmsg)(fd, m, flags);
}

RT_EXPORT ssize_t recv(int fd, void *p, size_t n, int flags)
{
    ssize_t r = REAL(recv)(fd, p, n, flags);
    if (r > 0) CHECK_WRITE_AFTER(p, (size_t)r < n ? (size_t)r : n, "recv");
    return r;
}

RT_EXPORT ssize_t recvfrom(int fd, void *p, size_t n, int flags, struct sockaddr *from, socklen_t *from_len)
{
    socklen_t room = 0;
    if (from && from_len) {
        CHECK_READ(from_len, sizeof(*from_len), "recvfrom");
        room = *from_len;
    }
    ssize_t r = REAL(recvfrom)(fd, p, n, flags, from, from_len);
    if (r > 0) CHECK_WRITE_AFTER(p, (size_t)r < n ? (size_t)r : n, "recvfrom");
    if (r >= 0 && from && from_len) CHECK_WRITE_AFTER(from, *from_len < room ? *from_len : room, "recvfrom");
    return r;
}

RT_EXPORT ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
    ssize_t r = REAL(recvmsg)(fd, m, flags);
    if (r > 0) check_msghdr(m, true, (size_t)r, "recvmsg");
    return r;
}
