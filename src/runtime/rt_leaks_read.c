/* rt_leaks_read.c — reading memory the leak scan may not be able to read.
 *
 * The program can make part of a live block inaccessible (mprotect), map a
 * file privately past its end (a read there raises SIGBUS), or leave most of
 * a huge block untouched.  A fault inside the scan would reach the fault
 * handler with every heap lock held and the other threads stopped, so the
 * scan never reads blind:
 *   - a snapshot of /proc/self/maps, taken once the world is stopped, says
 *     what is readable; the rest is skipped;
 *   - file-backed mappings are copied with process_vm_readv, which answers
 *     EFAULT for a page past the file's end instead of raising SIGBUS;
 *   - a range of PAGEMAP_MIN bytes or more is read only where
 *     /proc/self/pagemap says a page is present or swapped out: a page never
 *     touched holds only zeros, so the scan's cost follows what the program
 *     touched, not what it allocated.
 * Everything here is in mapped memory (lg_pal_map: not a root) and uses raw
 * system calls: no lock, no heap, no loader. */
#include "rt_leaks.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAPS_BYTES (8u << 20)
#define PAGEMAP_MIN (64u << 10) /* shorter ranges are read whole */
#define PAGEMAP_WINDOW 512u     /* pages looked up per read of pagemap */
#define COPY_PAGES 16u          /* pages per process_vm_readv */
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)

typedef struct readable_range {
    uintptr_t lo, hi;
    bool copy; /* file-backed: read through process_vm_readv */
} readable_range;

static char *maps_text;
static readable_range *ranges;
static size_t range_count, range_bytes, last_found;
static int pagemap_fd = -1;
static uint64_t *pagemap_buf;
static unsigned char *copy_buf;
static bool copy_broken; /* process_vm_readv refused (ENOSYS, EPERM): read in place */
static size_t page;
static uint64_t bytes_read;

static bool starts_with(const char *s, const char *prefix)
{
    return lg_str_eq_n(s, prefix, lg_str_len(prefix));
}

static uintptr_t parse_hex(const char **p)
{
    uintptr_t v = 0;
    for (;; (*p)++) {
        char c = **p;
        if (c >= '0' && c <= '9') v = v * 16 + (uintptr_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v = v * 16 + (uintptr_t)(c - 'a' + 10);
        else return v;
    }
}

const char *rt_maps_line(const char *line, rt_map_line *out)
{
    const char *p = line;
    out->lo = parse_hex(&p);
    if (*p == '-') p++;
    out->hi = parse_hex(&p);
    while (*p == ' ') p++;
    for (int i = 0; i < 4; i++) out->perms[i] = *p && *p != ' ' ? *p++ : 0;
    const char *path = p;
    for (int field = 0; field < 3 && *path; field++) { /* offset, dev, inode */
        while (*path == ' ') path++;
        while (*path && *path != ' ' && *path != '\n') path++;
    }
    while (*path == ' ') path++;
    out->path = path;
    out->anonymous = *path == '\n' || *path == 0 || *path == '[';
    const char *eol = path;
    while (*eol && *eol != '\n') eol++;
    return *eol ? eol + 1 : eol;
}

uint64_t rt_mem_bytes_read(void)
{
    return bytes_read;
}

const char *rt_mem_maps_text(void)
{
    return maps_text;
}

bool rt_mem_begin(void)
{
    page = lg_pal_page_size();
    maps_text = lg_pal_map(MAPS_BYTES);
    if (!maps_text) return false;
    size_t len = 0;
    int fd = (int)syscall(SYS_openat, (long)AT_FDCWD, "/proc/self/maps", (long)(O_RDONLY | O_CLOEXEC));
    if (fd >= 0) {
        long n;
        while (len + 1 < MAPS_BYTES && (n = syscall(SYS_read, (long)fd, maps_text + len, (long)(MAPS_BYTES - 1 - len))) > 0)
            len += (size_t)n;
        syscall(SYS_close, (long)fd);
    }
    maps_text[len] = 0;
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += maps_text[i] == '\n';
    range_bytes = (lines + 1) * sizeof(readable_range);
    ranges = len ? lg_pal_map(range_bytes) : NULL;
    pagemap_buf = lg_pal_map(PAGEMAP_WINDOW * sizeof(uint64_t));
    copy_buf = lg_pal_map(COPY_PAGES * page);
    if (!ranges || !pagemap_buf || !copy_buf) {
        rt_mem_end();
        return false;
    }
    range_count = last_found = 0;
    for (const char *line = maps_text; *line;) {
        rt_map_line m;
        line = rt_maps_line(line, &m);
        if (m.perms[0] != 'r' || m.hi <= m.lo) continue;
        /* A file can be shorter than its mapping; /dev/zero is anonymous memory. */
        bool copy = !m.anonymous && !starts_with(m.path, "/dev/zero");
        readable_range *prev = range_count ? &ranges[range_count - 1] : NULL;
        if (prev && prev->hi == m.lo && prev->copy == copy) {
            prev->hi = m.hi;
            continue;
        }
        ranges[range_count++] = (readable_range){m.lo, m.hi, copy};
    }
    pagemap_fd = (int)syscall(SYS_openat, (long)AT_FDCWD, "/proc/self/pagemap", (long)(O_RDONLY | O_CLOEXEC));
    copy_broken = false;
    bytes_read = 0;
    return true;
}

void rt_mem_end(void)
{
    if (pagemap_fd >= 0) syscall(SYS_close, (long)pagemap_fd);
    pagemap_fd = -1;
    if (maps_text) lg_pal_unmap(maps_text, MAPS_BYTES);
    if (ranges) lg_pal_unmap(ranges, range_bytes);
    if (pagemap_buf) lg_pal_unmap(pagemap_buf, PAGEMAP_WINDOW * sizeof(uint64_t));
    if (copy_buf) lg_pal_unmap(copy_buf, COPY_PAGES * page);
    maps_text = NULL;
    ranges = NULL;
    pagemap_buf = NULL;
    copy_buf = NULL;
    range_count = range_bytes = 0;
}

/* The first readable range that ends above addr, or NULL. */
static const readable_range *range_from(uintptr_t addr)
{
    if (last_found < range_count && ranges[last_found].lo <= addr && addr < ranges[last_found].hi)
        return &ranges[last_found];
    size_t lo = 0, hi = range_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ranges[mid].hi <= addr) lo = mid + 1;
        else hi = mid;
    }
    if (lo == range_count) return NULL;
    last_found = lo;
    return &ranges[lo];
}

bool rt_mem_readable(uintptr_t lo, uintptr_t hi)
{
    if (!ranges) return true; /* no snapshot: the caller knows no better */
    if (lo >= hi) return true;
    const readable_range *r = range_from(lo);
    return r && r->lo <= lo && hi <= r->hi && !r->copy;
}

void rt_mem_open(rt_mem_cursor *c, uintptr_t lo, uintptr_t hi)
{
    c->at = (lo + 7) & ~(uintptr_t)7;
    c->hi = hi & ~(uintptr_t)7;
}

/* Within [at, end): the first run of present (or swapped) pages among the
 * next PAGEMAP_WINDOW pages, as [*run_lo, *run_hi); empty when none. */
static void present_run(uintptr_t at, uintptr_t end, uintptr_t *run_lo, uintptr_t *run_hi)
{
    uintptr_t first = at & ~(page - 1);
    size_t pages = (end - first + page - 1) / page;
    if (pages > PAGEMAP_WINDOW) pages = PAGEMAP_WINDOW;
    uintptr_t window_end = first + pages * page < end ? first + pages * page : end;
    long got = syscall(SYS_pread64, (long)pagemap_fd, pagemap_buf, (long)(pages * sizeof(uint64_t)),
                       (long)(first / page * sizeof(uint64_t)));
    if (got != (long)(pages * sizeof(uint64_t))) { /* no answer: read it all */
        *run_lo = at;
        *run_hi = window_end;
        return;
    }
    size_t i = 0;
    while (i < pages && !(pagemap_buf[i] & (PM_PRESENT | PM_SWAPPED))) i++;
    if (i == pages) {
        *run_lo = *run_hi = window_end;
        return;
    }
    size_t j = i;
    while (j < pages && (pagemap_buf[j] & (PM_PRESENT | PM_SWAPPED))) j++;
    uintptr_t s = first + i * page, e = first + j * page;
    *run_lo = s > at ? s : at;
    *run_hi = e < end ? e : end;
}

/* Copies what it can of [at, end) (at most COPY_PAGES pages) into copy_buf:
 * the bytes copied, 0 when the first page cannot be read, -1 when
 * process_vm_readv itself is unavailable (ENOSYS, EPERM). */
static long copy_in(uintptr_t at, uintptr_t end)
{
    struct iovec local = {copy_buf, 0}, remote[COPY_PAGES];
    unsigned n = 0;
    for (uintptr_t p = at; p < end && n < COPY_PAGES; n++) {
        uintptr_t next = (p & ~(page - 1)) + page;
        if (next > end) next = end;
        remote[n].iov_base = (void *)p;
        remote[n].iov_len = next - p;
        local.iov_len += next - p;
        p = next;
    }
    /* syscall() reads every argument as a long: pass longs. */
    long got = syscall(SYS_process_vm_readv, (long)lg_pal_pid(), &local, 1L, remote, (long)n, 0L);
    if (got >= 0) return got;
    return errno == ENOSYS || errno == EPERM ? -1 : 0;
}

bool rt_mem_next(rt_mem_cursor *c, uintptr_t *lo, uintptr_t *hi)
{
    while (c->at < c->hi) {
        const readable_range *r = ranges ? range_from(c->at) : NULL;
        uintptr_t end = c->hi;
        bool copy = false;
        if (ranges) {
            if (!r || r->lo >= c->hi) {
                c->at = c->hi;
                return false;
            }
            if (r->lo > c->at) {
                c->at = r->lo;
                continue;
            }
            if (r->hi < end) end = r->hi;
            copy = r->copy && !copy_broken;
        }
        if (pagemap_fd >= 0 && end - c->at >= PAGEMAP_MIN) {
            uintptr_t s, e;
            present_run(c->at, end, &s, &e);
            if (s >= e) {
                c->at = e > c->at ? e : end;
                continue;
            }
            c->at = s;
            end = e;
        }
        if (!copy) {
            bytes_read += end - c->at;
            *lo = c->at;
            *hi = end;
            c->at = end;
            return true;
        }
        long got = copy_in(c->at, end);
        if (got < 0) { /* no process_vm_readv here (seccomp, an old kernel): as before it */
            copy_broken = true;
            continue;
        }
        if (got > 0) {
            bytes_read += (size_t)got;
            *lo = (uintptr_t)copy_buf;
            *hi = (uintptr_t)copy_buf + ((size_t)got & ~(size_t)7);
            c->at += (size_t)got;
            return true;
        }
        /* The page at c->at cannot be read (past the file's end): skip it. */
        c->at = (c->at & ~(page - 1)) + page;
    }
    return false;
}
