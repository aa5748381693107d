/* lg_linux.c — the platform layer for user-space Linux (x86-64).
 *
 * Memory comes from mmap, locks are futex-based, output goes through raw
 * system calls: the runtime intercepts write() and friends, and this layer
 * must not re-enter it. */
#define _GNU_SOURCE
#include "lg_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---- memory ------------------------------------------------------------------ */

size_t lg_pal_page_size(void)
{
    static size_t page;
    if (!page) page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

/* The runtime's own read-write mappings, so that the leak scan does not take
 * its metadata for the program's roots.  Lock-free (the scan reads it while
 * other threads are stopped anywhere): an entry is claimed by setting its end
 * to 1, then filled, its end written last; readers skip ends <= 1. */
#define OWN_MAPS 2048
static struct {
    uintptr_t start, end; /* end 0: free entry; 1: being filled */
} own_maps[OWN_MAPS];

static void own_maps_add(void *p, size_t size)
{
    for (size_t i = 0; i < OWN_MAPS; i++) {
        uintptr_t expected = 0;
        if (!__atomic_compare_exchange_n(&own_maps[i].end, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            continue;
        __atomic_store_n(&own_maps[i].start, (uintptr_t)p, __ATOMIC_RELAXED);
        __atomic_store_n(&own_maps[i].end, (uintptr_t)p + size, __ATOMIC_RELEASE);
        return;
    }
}

static void own_maps_remove(void *p)
{
    for (size_t i = 0; i < OWN_MAPS; i++) {
        if (__atomic_load_n(&own_maps[i].end, __ATOMIC_ACQUIRE) > 1 &&
            __atomic_load_n(&own_maps[i].start, __ATOMIC_RELAXED) == (uintptr_t)p) {
            __atomic_store_n(&own_maps[i].end, 0, __ATOMIC_RELEASE);
            return;
        }
    }
}

size_t lg_pal_own_maps(uintptr_t (*out)[2], size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < OWN_MAPS && n < cap; i++) {
        uintptr_t end = __atomic_load_n(&own_maps[i].end, __ATOMIC_ACQUIRE);
        if (end <= 1) continue;
        out[n][0] = __atomic_load_n(&own_maps[i].start, __ATOMIC_RELAXED);
        out[n][1] = (end + lg_pal_page_size() - 1) & ~(uintptr_t)(lg_pal_page_size() - 1); /* as mapped */
        n++;
    }
    return n;
}

void *lg_pal_map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return NULL;
    own_maps_add(p, size);
    return p;
}

void *lg_pal_map_shared(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    own_maps_add(p, size);
    return p;
}

void *lg_pal_map_file_shared(int fd, size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return NULL;
    own_maps_add(p, size);
    return p;
}

bool lg_pal_map_anonymous_at(void *addr, size_t size)
{
    return mmap(addr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == addr;
}

void lg_pal_unmap(void *addr, size_t size)
{
    own_maps_remove(addr);
    munmap(addr, size);
}

void *lg_pal_reserve(size_t size)
{
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void *lg_pal_reserve_stale(size_t size)
{
    return lg_pal_reserve(size);
}

bool lg_pal_commit(void *addr, size_t size)
{
    return mprotect(addr, size, PROT_READ | PROT_WRITE) == 0;
}

void lg_pal_decommit(void *addr, size_t size)
{
    /* A fresh inaccessible mapping over the range drops its pages at once. */
    mmap(addr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

void lg_pal_protect(void *addr, size_t size)
{
    mprotect(addr, size, PROT_NONE);
}

void lg_pal_purge(void *addr, size_t size)
{
    madvise(addr, size, MADV_DONTNEED);
}

/* Linux 6.13; older headers lack them.  Raw system calls, errno kept: the
 * runtime interposes nothing here, and a refused install (then the caller
 * falls back) must not show in the program's errno. */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

static bool guard_advice(void *addr, size_t size, int advice)
{
    int saved = errno;
    bool ok = syscall(SYS_madvise, addr, size, advice) == 0;
    errno = saved;
    return ok;
}

bool lg_pal_guard_install(void *addr, size_t size)
{
    return guard_advice(addr, size, MADV_GUARD_INSTALL);
}

bool lg_pal_guard_remove(void *addr, size_t size)
{
    return guard_advice(addr, size, MADV_GUARD_REMOVE);
}

/* process_madvise on this process (PIDFD_SELF, the calling thread: Linux 6.14) takes up to
 * GUARD_BATCH ranges in one call; without it, one madvise each. */
#define PIDFD_SELF_THREAD (-10000)
#define GUARD_BATCH 64

static bool no_batch; /* process_madvise refused (an older kernel) */

bool lg_pal_guard_install_each(uintptr_t first, size_t stride, size_t count, size_t size)
{
    while (count) {
        size_t n = count < GUARD_BATCH ? count : GUARD_BATCH;
        struct iovec iov[GUARD_BATCH];
        for (size_t i = 0; i < n; i++) iov[i] = (struct iovec){(void *)(first + i * stride), size};
        int saved = errno;
        long done = __atomic_load_n(&no_batch, __ATOMIC_RELAXED) ? -1 : syscall(SYS_process_madvise, PIDFD_SELF_THREAD, iov, n, MADV_GUARD_INSTALL, 0);
        errno = saved;
        if (done != (long)(n * size)) {
            if (done < 0) __atomic_store_n(&no_batch, true, __ATOMIC_RELAXED); /* an older kernel: ENOSYS, EBADF, EINVAL */
            for (size_t i = 0; i < n; i++)
                if (!lg_pal_guard_install(iov[i].iov_base, size)) return false;
        }
        first += n * stride;
        count -= n;
    }
    return true;
}

/* [start, end) pairs as process_madvise's vector; returns their bytes. */
static size_t ranges_to_iov(const uintptr_t (*ranges)[2], size_t count, struct iovec *iov)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        iov[i] = (struct iovec){(void *)ranges[i][0], ranges[i][1] - ranges[i][0]};
        total += iov[i].iov_len;
    }
    return total;
}

/* A range's guard install zaps its pages and flushes the TLB on every CPU
 * running the process (an IPI each): once a call, however many pages.  So
 * several ranges are first emptied by one batched MADV_DONTNEED (one flush
 * for all; it keeps guard markers), then marked, which on empty pages is
 * a page-table walk.  A single range is marked directly. */
bool lg_pal_guard_install_ranges(const uintptr_t (*ranges)[2], size_t count)
{
    struct iovec iov[LG_PAL_GUARD_RANGES];
    if (count > LG_PAL_GUARD_RANGES) return false;
    size_t total = ranges_to_iov(ranges, count, iov);
    if (count == 1) return lg_pal_guard_install(iov[0].iov_base, iov[0].iov_len);
    int saved = errno;
    long done = -1;
    if (!__atomic_load_n(&no_batch, __ATOMIC_RELAXED)) {
        done = syscall(SYS_process_madvise, PIDFD_SELF_THREAD, iov, count, MADV_DONTNEED, 0);
        if (done < 0 && (errno == ENOSYS || errno == EBADF)) __atomic_store_n(&no_batch, true, __ATOMIC_RELAXED);
        if (done == (long)total) done = syscall(SYS_process_madvise, PIDFD_SELF_THREAD, iov, count, MADV_GUARD_INSTALL, 0);
    }
    errno = saved;
    if (done == (long)total) return true;
    for (size_t i = 0; i < count; i++) /* one at a time: an older kernel, or a locked range (then false) */
        if (!lg_pal_guard_install(iov[i].iov_base, iov[i].iov_len)) return false;
    return true;
}

bool lg_pal_guard_remove_ranges(const uintptr_t (*ranges)[2], size_t count)
{
    struct iovec iov[LG_PAL_GUARD_RANGES];
    if (count > LG_PAL_GUARD_RANGES) return false;
    size_t total = ranges_to_iov(ranges, count, iov);
    int saved = errno;
    long done = count > 1 && !__atomic_load_n(&no_batch, __ATOMIC_RELAXED)
                    ? syscall(SYS_process_madvise, PIDFD_SELF_THREAD, iov, count, MADV_GUARD_REMOVE, 0)
                    : -1;
    errno = saved;
    if (done == (long)total) return true;
    for (size_t i = 0; i < count; i++) /* a partial or refused batch: each again (removing twice is harmless) */
        if (!lg_pal_guard_remove(iov[i].iov_base, iov[i].iov_len)) return false;
    return true;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

void lg_pal_populate_ranges(const uintptr_t (*ranges)[2], size_t count)
{
    struct iovec iov[LG_PAL_GUARD_RANGES];
    if (count > LG_PAL_GUARD_RANGES || __atomic_load_n(&no_batch, __ATOMIC_RELAXED)) return;
    ranges_to_iov(ranges, count, iov);
    int saved = errno;
    syscall(SYS_process_madvise, PIDFD_SELF_THREAD, iov, count, MADV_POPULATE_WRITE, 0);
    errno = saved;
}

/* ---- locks: 0 free, 1 held, 2 held with waiters (LG_PAL_LOCK_WORD) --------
 * The release is a plain store when no waiter is announced (a locked
 * exchange drains the store buffer: on the tracker's get and put it was a
 * third of their atomics).  A waiter that announces itself between the
 * holder's look and its store is not woken: so a waiter sleeps at most
 * LOCK_NAP_NS at a time, then looks again. */
#ifndef LG_PAL_LOCK_WORD
#error "lg_platform.h's inline lock paths must be this lock's: build with -DLG_PAL_LOCK_WORD"
#endif
#define LOCK_NAP_NS 1000000L

static long futex(int *word, int op, int value, const struct timespec *timeout)
{
    return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, value, timeout, NULL, 0);
}

bool lg_trylock(lg_lock_t *lock)
{
    return lg_trylock_inline(lock);
}

void lg_lock(lg_lock_t *lock)
{
    for (int spin = 0; spin < 100; spin++) {
        if (lg_trylock(lock)) return;
        __builtin_ia32_pause();
    }
    static const struct timespec nap = {0, LOCK_NAP_NS};
    int saved = errno; /* the program's, through a malloc or free that waited */
    while (__atomic_exchange_n(&lock->state, 2, __ATOMIC_ACQUIRE) != 0) futex(&lock->state, FUTEX_WAIT, 2, &nap);
    errno = saved;
}

void lg_unlock(lg_lock_t *lock)
{
    if (lg_unlock_fast(lock)) return;
    __atomic_store_n(&lock->state, 0, __ATOMIC_RELEASE); /* a waiter announced: wake one */
    int saved = errno;
    futex(&lock->state, FUTEX_WAKE, 1, NULL);
    errno = saved;
}

/* ---- identity and time ---------------------------------------------------- */

static __thread uint32_t cached_tid __attribute__((tls_model("initial-exec")));

uint32_t lg_pal_tid(void)
{
    if (__builtin_expect(!cached_tid, 0)) cached_tid = (uint32_t)syscall(SYS_gettid);
    return cached_tid;
}

uint32_t lg_pal_pid(void)
{
    return (uint32_t)syscall(SYS_getpid);
}

/* After fork the child keeps the parent's cached tid in its one thread. */
void lg_pal_after_fork_child(void)
{
    cached_tid = 0;
}

void lg_pal_yield(void)
{
    syscall(SYS_sched_yield);
}

uint64_t lg_pal_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- output ---------------------------------------------------------------- */

static char log_path[512];

void lg_pal_set_log_path(const char *path)
{
    size_t n = 0;
    for (; path[n] && n + 1 < sizeof(log_path); n++) log_path[n] = path[n];
    log_path[n] = 0;
}

static void write_fd(int fd, const char *text, size_t len)
{
    while (len) {
        long n = syscall(SYS_write, fd, text, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n;
        len -= (size_t)n;
    }
}

void lg_pal_write(int channel, const char *text, size_t len)
{
    int saved = errno;
    if (channel == LG_PAL_PATH_CHANNEL) {
        int fd = (int)syscall(SYS_openat, AT_FDCWD, log_path,
                              O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
        if (fd >= 0) {
            write_fd(fd, text, len); /* one write: O_APPEND keeps processes' reports apart */
            syscall(SYS_close, fd);
            errno = saved;
            return;
        }
        static bool told;
        if (!told) { /* once, then the reports follow on stderr */
            told = true;
            static const char note[] = "lifeguard: cannot open log_path; reporting on stderr: ";
            write_fd(2, note, sizeof(note) - 1);
            size_t n = 0;
            while (log_path[n]) n++;
            write_fd(2, log_path, n);
            write_fd(2, "\n", 1);
        }
        channel = 2;
    }
    write_fd(channel, text, len);
    errno = saved;
}

int lg_pal_open_log(const char *path)
{
    /* O_NONBLOCK: a FIFO without a reader must not hang the program. */
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                          0600);
    if (fd < 0) return -1;
    struct stat st;
    if (syscall(SYS_fstat, fd, &st) != 0 || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)) {
        syscall(SYS_close, fd);
        errno = EINVAL;
        return -1;
    }
    int flags = (int)syscall(SYS_fcntl, fd, F_GETFL);
    if (flags >= 0) syscall(SYS_fcntl, fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

/* Writes all of data; false (errno set) on the first failure. */
static bool write_all(int fd, const char *data, size_t len)
{
    while (len) {
        long n = syscall(SYS_write, fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Anything but a regular file (a device, a FIFO, a socket, or a symlink: it
 * may lead to one, like /dev/stdout) is written through, never replaced. */
static bool write_in_place(const char *path, const char *data, size_t len)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return false; /* ENXIO: a FIFO nobody reads */
    struct stat st;
    bool ok = syscall(SYS_fstat, fd, &st) == 0;
    if (ok && S_ISBLK(st.st_mode)) { /* a disk: never */
        errno = ENOTSUP;
        ok = false;
    }
    if (ok && S_ISREG(st.st_mode)) ok = syscall(SYS_ftruncate, fd, 0) == 0;
    if (ok) {
        int flags = (int)syscall(SYS_fcntl, fd, F_GETFL);
        if (flags >= 0) syscall(SYS_fcntl, fd, F_SETFL, flags & ~O_NONBLOCK);
        ok = write_all(fd, data, len);
    }
    int saved = errno;
    syscall(SYS_close, fd);
    errno = saved;
    return ok;
}

bool lg_pal_write_file(const char *path, const char *data, size_t len)
{
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return false;
        }
        if (S_ISBLK(st.st_mode)) {
            errno = ENOTSUP;
            return false;
        }
        if (!S_ISREG(st.st_mode)) return write_in_place(path, data, len);
    } else if (errno != ENOENT) {
        return false;
    }
    /* A regular file, or none: a fresh temporary beside it, then rename.
     * O_EXCL|O_NOFOLLOW: a name planted in a shared directory (a symlink to
     * someone's file) makes the attempt fail instead of writing through. */
    char tmp[600];
    size_t n = 0;
    for (; path[n]; n++) {
        if (n + 64 >= sizeof(tmp)) {
            errno = ENAMETOOLONG;
            return false;
        }
        tmp[n] = path[n];
    }
    static uint32_t serial;
    int fd = -1;
    for (int attempt = 0; attempt < 64 && fd < 0; attempt++) {
        uint64_t tag = lg_pal_now_ns() ^ ((uint64_t)lg_pal_pid() << 40) ^
                       __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED);
        size_t k = n;
        const char suffix[] = ".lgtmp.";
        for (size_t i = 0; suffix[i]; i++) tmp[k++] = suffix[i];
        for (int i = 0; i < 16; i++) tmp[k++] = "0123456789abcdef"[(tag >> (60 - 4 * i)) & 15];
        tmp[k] = 0;
        fd = (int)syscall(SYS_openat, AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) return false;
    }
    if (fd < 0) return false;
    bool ok = write_all(fd, data, len);
    int saved = errno;
    if (syscall(SYS_close, fd) != 0 && ok) ok = false, saved = errno;
    if (ok && syscall(SYS_rename, tmp, path) != 0) ok = false, saved = errno;
    if (!ok) syscall(SYS_unlinkat, AT_FDCWD, tmp, 0);
    errno = saved;
    return ok;
}

int lg_pal_errno(void)
{
    return errno;
}

const char *lg_pal_error_text(int err)
{
    const char *text = strerrordesc_np(err);
    return text ? text : "unknown error";
}

/* ---- the end ------------------------------------------------------------------ */

_Noreturn void lg_pal_die(int status)
{
    for (;;) syscall(SYS_exit_group, status);
}
