/* rt_malloc_rss.c — for bench/: the resident memory of every mapping at exit,
 * by what lifeguard keeps in it (docs/PERFORMANCE-HISTORY.md, "Peak RSS, mapping by
 * mapping").
 *
 * With LIFEGUARD_RSS_MAP=FILE in the environment (%p: the pid), the process
 * writes at its exit, before the exit checks, a table of its resident bytes:
 * each size class's slots and tables, the quarantine's ring, the large
 * blocks' mappings by state, the thread caches, the runtime's other mappings
 * (the stack depot, the unwinder's tables: by their size), and what is left
 * of /proc/self/smaps by name (libraries, stacks); then what the classes'
 * slots hold: user bytes, redzones, rounding and metadata of the live, the
 * quarantined and the reusable blocks.  A measuring aid, not an option: it
 * reads /proc/self/smaps and mincore(), and costs nothing unless asked for. */
#include "rt_internal.h"
#include "rt_leaks.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_VMAS 16384
#define MAX_ROWS 512
#define MAX_OWN 4096
#define OUT_BYTES (1u << 20)

typedef struct vma {
    uintptr_t lo, hi;
    uint64_t rss, claimed; /* bytes; claimed: by a row already */
    char name[48];
} vma;

typedef struct row {
    char name[64];
    uint64_t resident, mapped;
} row;

typedef struct rss_map {
    vma *vmas;
    uint32_t nvmas;
    row *rows;
    uint32_t nrows;
    uintptr_t (*heap_maps)[2]; /* the heap's own lg_pal_map ranges, labelled: not "other" */
    uint32_t nheap_maps;
    size_t page;
} rss_map;

static char read_buf[65536];
static unsigned char core_vec[4096];

static uint64_t parse_dec(const char *p)
{
    uint64_t v = 0;
    while (*p == ' ' || *p == '\t') p++;
    while (*p >= '0' && *p <= '9') v = v * 10 + (uint64_t)(*p++ - '0');
    return v;
}

/* One line of /proc/self/smaps: a mapping's header, or a field of the last. */
static void smaps_line(rss_map *m, const char *line, bool *have)
{
    char c = line[0];
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
        if (m->nvmas == MAX_VMAS) {
            *have = false;
            return;
        }
        vma *v = &m->vmas[m->nvmas];
        rt_map_line ml; /* smaps' header lines are maps' lines */
        rt_maps_line(line, &ml);
        v->lo = ml.lo;
        v->hi = ml.hi;
        v->rss = v->claimed = 0;
        const char *base = ml.path;
        for (const char *q = ml.path; *q && *q != '\n'; q++)
            if (*q == '/') base = q + 1;
        size_t n = 0;
        for (; base[n] && base[n] != '\n' && n + 1 < sizeof(v->name); n++) v->name[n] = base[n];
        v->name[n] = 0;
        *have = true;
        return;
    }
    if (*have && line[0] == 'R' && line[1] == 's' && line[2] == 's' && line[3] == ':') {
        m->vmas[m->nvmas].rss = parse_dec(line + 4) * 1024;
        if (m->vmas[m->nvmas].rss) m->nvmas++; /* only what has pages */
        *have = false;
    }
}

static bool read_smaps(rss_map *m)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/smaps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    static char line[512];
    size_t len = 0;
    bool have = false;
    for (;;) {
        long n = syscall(SYS_read, fd, read_buf, sizeof(read_buf));
        if (n <= 0) break;
        for (long i = 0; i < n; i++) {
            if (read_buf[i] != '\n') {
                if (len + 1 < sizeof(line)) line[len++] = read_buf[i];
                continue;
            }
            line[len] = 0;
            smaps_line(m, line, &have);
            len = 0;
        }
    }
    syscall(SYS_close, fd);
    return true;
}

/* VmRSS and VmHWM of /proc/self/status, in bytes. */
static void read_status(uint64_t *rss, uint64_t *hwm)
{
    *rss = *hwm = 0;
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    long n = syscall(SYS_read, fd, read_buf, sizeof(read_buf) - 1);
    syscall(SYS_close, fd);
    if (n <= 0) return;
    read_buf[n] = 0;
    for (char *p = read_buf; *p; p++) {
        if (p != read_buf && p[-1] != '\n') continue;
        if (lg_str_eq_n(p, "VmRSS:", 6)) *rss = parse_dec(p + 6) * 1024;
        if (lg_str_eq_n(p, "VmHWM:", 6)) *hwm = parse_dec(p + 6) * 1024;
    }
}

/* Resident bytes of [lo, hi), claimed for the row asking: whole mappings
 * from smaps' Rss, parts of one by mincore. */
static uint64_t resident(rss_map *m, uintptr_t lo, uintptr_t hi)
{
    uint64_t total = 0;
    uint32_t a = 0, b = m->nvmas;
    while (a < b) { /* the first mapping ending after lo */
        uint32_t mid = (a + b) / 2;
        if (m->vmas[mid].hi <= lo) a = mid + 1;
        else b = mid;
    }
    for (uint32_t i = a; i < m->nvmas && m->vmas[i].lo < hi; i++) {
        vma *v = &m->vmas[i];
        if (v->lo >= lo && v->hi <= hi) {
            total += v->rss - v->claimed;
            v->claimed = v->rss;
            continue;
        }
        uintptr_t from = v->lo > lo ? v->lo : lo, to = v->hi < hi ? v->hi : hi;
        from &= ~(uintptr_t)(m->page - 1);
        uint64_t got = 0;
        while (from < to) {
            size_t pages = (to - from + m->page - 1) / m->page;
            if (pages > sizeof(core_vec)) pages = sizeof(core_vec);
            if (syscall(SYS_mincore, from, pages * m->page, core_vec) != 0) break;
            for (size_t k = 0; k < pages; k++) got += (core_vec[k] & 1) * m->page;
            from += pages * m->page;
        }
        if (got > v->rss - v->claimed) got = v->rss - v->claimed;
        v->claimed += got;
        total += got;
    }
    return total;
}

static row *row_named(rss_map *m, const char *name)
{
    for (uint32_t i = 0; i < m->nrows; i++)
        if (!lg_str_cmp(m->rows[i].name, name)) return &m->rows[i];
    if (m->nrows == MAX_ROWS) return &m->rows[MAX_ROWS - 1];
    row *r = &m->rows[m->nrows++];
    lg_buf b;
    lg_buf_init(&b, r->name, sizeof(r->name));
    lg_buf_puts(&b, name);
    lg_buf_cstr(&b);
    return r;
}

static void count(rss_map *m, const char *name, uintptr_t lo, uintptr_t hi)
{
    if (hi <= lo) return;
    row *r = row_named(m, name);
    r->resident += resident(m, lo, hi);
    r->mapped += hi - lo;
}

static void heap_map(rss_map *m, uintptr_t lo, uintptr_t hi)
{
    if (hi > lo && m->nheap_maps < MAX_OWN) {
        m->heap_maps[m->nheap_maps][0] = lo;
        m->heap_maps[m->nheap_maps][1] = hi;
        m->nheap_maps++;
    }
}

static void large_map(uintptr_t lo, uintptr_t hi, int kind, void *ctx)
{
    static const char *names[] = {"large blocks, live", "large blocks, quarantined", "large blocks' cached mappings"};
    count(ctx, names[kind], lo, hi);
}

static bool is_heap_map(const rss_map *m, uintptr_t lo, uintptr_t hi)
{
    for (uint32_t i = 0; i < m->nheap_maps; i++)
        if (lo < m->heap_maps[i][1] && hi > m->heap_maps[i][0]) return true;
    return false;
}

/* printf with widths, which lg_buf_printf has not (libc's: the runtime is
 * up, and rt_busy keeps the interceptors out). */
static void put(lg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(lg_buf *b, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    lg_buf_puts(b, text);
}

static void put_mib(lg_buf *b, uint64_t bytes)
{
    put(b, "%10.1f", (double)bytes / (1 << 20));
}

static void put_use(lg_buf *b, const char *what, const lg_heap_use *u)
{
    put(b, "%-12s %10llu blocks", what, (unsigned long long)u->blocks);
    lg_buf_puts(b, "  user");
    put_mib(b, u->user);
    lg_buf_puts(b, "  redzones");
    put_mib(b, u->redzones);
    lg_buf_puts(b, "  rounding");
    put_mib(b, u->rounding);
    lg_buf_puts(b, "  metadata");
    put_mib(b, u->meta);
    lg_buf_puts(b, " MiB\n");
}

static void use_sum(lg_heap_use *to, const lg_heap_use *u)
{
    to->blocks += u->blocks;
    to->user += u->user;
    to->redzones += u->redzones;
    to->rounding += u->rounding;
    to->meta += u->meta;
}

static void rss_map_write(const char *path_spec)
{
    uint64_t vm_rss, vm_hwm;
    read_status(&vm_rss, &vm_hwm); /* before this file's own buffers are touched */
    rss_map m = {0};
    m.page = lg_pal_page_size();
    m.vmas = lg_pal_map(MAX_VMAS * sizeof(vma));
    m.rows = lg_pal_map(MAX_ROWS * sizeof(row));
    m.heap_maps = lg_pal_map(MAX_OWN * sizeof(*m.heap_maps));
    uintptr_t(*own)[2] = lg_pal_map(MAX_OWN * sizeof(*own));
    char *out = lg_pal_map(OUT_BYTES);
    if (!m.vmas || !m.rows || !m.heap_maps || !own || !out || !read_smaps(&m)) return;
    /* This file's own buffers are not the program's nor the heap's. */
    uintptr_t mine[] = {(uintptr_t)m.vmas, (uintptr_t)m.rows, (uintptr_t)m.heap_maps, (uintptr_t)own, (uintptr_t)out};
    for (size_t i = 0; i < LG_ARRAY_LEN(mine); i++) heap_map(&m, mine[i], mine[i] + 1);

    lg_heap_use live = {0}, quarantined = {0}, reusable = {0};
    uint64_t untouched = 0;
    char name[64];
    lg_buf nb;
    lg_buf_init(&nb, out, OUT_BYTES); /* the per-class lines, written after the table */
    lg_buf_puts(&nb, "\nclass  slot  resident MiB  live  quarantined  reusable  untouched (slots)\n");
    for (uint32_t c = 0; c < LG_CLASS_COUNT; c++) {
        lg_heap_class_use u;
        lg_heap_class_usage(c, &u);
        heap_map(&m, u.tables_lo, u.tables_hi);
        if (u.slots_hi <= u.slots_lo) continue;
        lg_buf name_buf;
        lg_buf_init(&name_buf, name, sizeof(name));
        lg_buf_printf(&name_buf, "class %u slots (%u bytes)", c, u.slot_size);
        row *r = row_named(&m, lg_buf_cstr(&name_buf));
        uint64_t res = resident(&m, u.slots_lo, u.slots_hi);
        r->resident += res;
        r->mapped += u.slots_hi - u.slots_lo;
        count(&m, "size classes' metadata and free ids", u.tables_lo, u.tables_hi);
        put(&nb, "%5u %6u", c, u.slot_size);
        put_mib(&nb, res);
        put(&nb, " %9llu %12llu %9llu %10llu\n", (unsigned long long)u.live.blocks,
                      (unsigned long long)u.quarantined.blocks, (unsigned long long)u.reusable.blocks,
                      (unsigned long long)u.untouched);
        use_sum(&live, &u.live);
        use_sum(&quarantined, &u.quarantined);
        use_sum(&reusable, &u.reusable);
        untouched += u.untouched * u.slot_size;
    }
    uintptr_t ring_lo, ring_hi;
    int64_t counted, peak, limit;
    lg_quarantine_use(&ring_lo, &ring_hi, &counted, &peak, &limit);
    heap_map(&m, ring_lo, ring_hi);
    count(&m, "quarantine ring", ring_lo, ring_hi);
    lg_large_each_mapping(large_map, &m);
    uintptr_t tables[2][2];
    lg_large_tables(tables);
    for (int i = 0; i < 2; i++) {
        heap_map(&m, tables[i][0], tables[i][1]);
        count(&m, "large blocks' records", tables[i][0], tables[i][1]);
    }
    uintptr_t guard_lo, guard_hi;
    lg_guard_range(&guard_lo, &guard_hi);
    count(&m, "guarded blocks' pages", guard_lo, guard_hi);
    uintptr_t chunks[64][2];
    size_t nchunks = lg_heap_cache_chunks(chunks, LG_ARRAY_LEN(chunks));
    for (size_t i = 0; i < nchunks; i++) {
        heap_map(&m, chunks[i][0], chunks[i][1]);
        count(&m, "thread caches", chunks[i][0], chunks[i][1]);
    }
    /* The runtime's other mappings, named by their size (the depot's
     * buckets and nodes, the unwinder's tables, the guarded tier's
     * metadata, the report store: see the table in docs/PERFORMANCE-HISTORY.md). */
    size_t nown = lg_pal_own_maps(own, MAX_OWN);
    for (size_t i = 0; i < nown; i++) {
        if (is_heap_map(&m, own[i][0], own[i][1])) continue;
        lg_buf name_buf;
        lg_buf_init(&name_buf, name, sizeof(name));
        lg_buf_printf(&name_buf, "runtime map of %llu KiB", (unsigned long long)((own[i][1] - own[i][0]) >> 10));
        count(&m, lg_buf_cstr(&name_buf), own[i][0], own[i][1]);
    }
    for (uint32_t i = 0; i < m.nvmas; i++) {
        vma *v = &m.vmas[i];
        if (v->claimed >= v->rss || is_heap_map(&m, v->lo, v->hi)) continue;
        row *r = row_named(&m, v->name[0] ? v->name : "[anonymous, not lifeguard's]");
        r->resident += v->rss - v->claimed;
        r->mapped += v->hi - v->lo;
        v->claimed = v->rss;
    }

    /* The table, largest first, then the per-class lines after it. */
    static char text[OUT_BYTES];
    lg_buf b;
    lg_buf_init(&b, text, sizeof(text));
    lg_buf_puts(&b, "VmRSS");
    put_mib(&b, vm_rss);
    lg_buf_puts(&b, " MiB, VmHWM");
    put_mib(&b, vm_hwm);
    lg_buf_puts(&b, " MiB at exit\n\nresident MiB  mapped MiB  what\n");
    uint64_t sum = 0;
    for (uint32_t done = 0; done < m.nrows; done++) {
        uint32_t best = done;
        for (uint32_t i = done + 1; i < m.nrows; i++)
            if (m.rows[i].resident > m.rows[best].resident) best = i;
        row t = m.rows[done];
        m.rows[done] = m.rows[best];
        m.rows[best] = t;
        if (m.rows[done].resident < m.page) continue;
        put_mib(&b, m.rows[done].resident);
        lg_buf_puts(&b, "  ");
        put_mib(&b, m.rows[done].mapped);
        put(&b, "  %s\n", m.rows[done].name);
        sum += m.rows[done].resident;
    }
    put_mib(&b, sum);
    lg_buf_puts(&b, "              all of the above\n\nthe size classes' slots hold (MiB):\n");
    put_use(&b, "live", &live);
    put_use(&b, "quarantined", &quarantined);
    put_use(&b, "reusable", &reusable);
    lg_buf_puts(&b, "untouched   ");
    put_mib(&b, untouched);
    lg_buf_puts(&b, " MiB committed, never handed out\nquarantine counts");
    put_mib(&b, (uint64_t)(counted > 0 ? counted : 0));
    lg_buf_puts(&b, " MiB against its bound of");
    put_mib(&b, (uint64_t)(limit > 0 ? limit : 0));
    lg_buf_puts(&b, " MiB (quarantine_mb less the ring); at most");
    put_mib(&b, (uint64_t)(peak > 0 ? peak : 0));
    lg_buf_puts(&b, " MiB\n");
    lg_buf_putn(&b, out, nb.len < nb.cap ? nb.len : nb.cap);

    char path[4096];
    rt_expand_path(path_spec, path, sizeof(path));
    if (!lg_pal_write_file(path, text, b.len < b.cap ? b.len : b.cap))
        lg_log("lifeguard: LIFEGUARD_RSS_MAP: cannot write %s\n", path);
}

/* Before the runtime's own destructor (101): the exit checks and the leak
 * scan map buffers of their own. */
__attribute__((destructor(102))) static void rt_rss_map_at_exit(void)
{
    const char *path = getenv("LIFEGUARD_RSS_MAP");
    if (!path || !*path || rt_state < 2 || !rt_heap_on) return;
    rt_busy++;
    rss_map_write(path);
    rt_busy--;
}
