/* rt_guard_sites.c — a run's table of first uses (guard_sites_file): the
 * file mapped, and the key that names a site alike in every image.
 *
 * A stack id is an index into this image's depot and a code address moves
 * with every exec (ASLR), so neither means anything to the next image.  A
 * site's key hashes each of its frames as (its module's path, its offset
 * in that module), which every image of every process of the run computes
 * alike.  lg_heap_guard.c asks for it once per site and process.
 *
 * The file is never written unless it is ours: a file that exists must be
 * a regular file of exactly the table's size that starts with the magic;
 * anything else is left as it is, with one warning, and first uses are
 * counted per process as without the option.  A file cut short while it
 * is mapped (a SIGBUS at the next count) is let go: rt_guard_sites_lost. */
#include "rt_internal.h"
#include "../core/lg_guard_file.h"
#include "../platform/lg_linux_modules.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEY_FRAMES LG_MAX_FRAMES
#define PATH_MEMO 16

/* The main program's module path is "" in the snapshot: its key uses the
 * file it was started from, the same in each image that runs it. */
static uint64_t main_path_hash;

/* Recent modules' path hashes, by path and load bias; taken only when no
 * other thread (or this thread, interrupted) is at it. */
static struct {
    const char *path;
    uintptr_t base;
    uint64_t hash;
} path_memo[PATH_MEMO];
static uint32_t path_memo_next;
static lg_lock_t path_memo_lock = LG_LOCK_INIT;

#define PATH_HASH_START 0xcbf29ce484222325ull /* FNV-1a's */

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static uint64_t path_hash(const lg_mod_entry *m)
{
    if (!m->path[0]) return main_path_hash;
    bool locked = lg_trylock(&path_memo_lock);
    if (locked) {
        for (uint32_t i = 0; i < PATH_MEMO; i++)
            if (path_memo[i].path == m->path && path_memo[i].base == m->base) {
                uint64_t h = path_memo[i].hash;
                lg_unlock(&path_memo_lock);
                return h;
            }
    }
    uint64_t h = hash_bytes(PATH_HASH_START, m->path, lg_str_len(m->path));
    if (locked) {
        uint32_t slot = path_memo_next++ % PATH_MEMO;
        path_memo[slot].path = m->path;
        path_memo[slot].base = m->base;
        path_memo[slot].hash = h;
        lg_unlock(&path_memo_lock);
    }
    return h;
}

/* A code address by module and offset; an address no module maps (code
 * made at run time) as it is, which only another image's chance can match. */
static uint64_t frame_key(uint64_t h, uintptr_t pc)
{
    lg_mod_entry m;
    if (lg_modules_find(pc, &m)) return mix(mix(h, path_hash(&m)), pc - m.base);
    return mix(h, pc);
}

/* A site is a stack id (a depot index below the depot's count) or, with
 * stacks=0 or when no stack was captured, a code address: no module is
 * mapped as low as the depot's ids go in practice, and a clash would only
 * share a count. */
static uint32_t site_key(uintptr_t site)
{
    uintptr_t pcs[KEY_FRAMES];
    uint32_t depth = site <= UINT32_MAX ? lg_depot_get((lg_stack_id)site, pcs, KEY_FRAMES) : 0;
    uint64_t h = 0x6c69666567756172ull; /* any start that is not 0 */
    if (!depth) h = frame_key(h, site);
    for (uint32_t i = 0; i < depth; i++) h = frame_key(h, pcs[i]);
    return (uint32_t)(h ^ (h >> 32));
}

static void warn(const char *why)
{
    lg_log("lifeguard: guard_sites_file '%s' %s; it is left as it is and first uses are counted per process\n",
           lg_opt.guard_sites_file, why);
}

static void warn_errno(const char *what, int err)
{
    char why[160];
    lg_buf b;
    lg_buf_init(&b, why, sizeof(why));
    lg_buf_printf(&b, "%s (%s)", what, lg_pal_error_text(err));
    warn(lg_buf_cstr(&b));
}

/* An open file that should be a table: mapped if it is one. */
static uint8_t *table_map(int fd)
{
    struct stat st;
    if (syscall(SYS_fstat, fd, &st) != 0) {
        warn("cannot be examined");
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        warn("is not a regular file");
        return NULL;
    }
    char head[sizeof(LG_GUARD_FILE_MAGIC) - 1];
    long got = (long)syscall(SYS_pread64, fd, head, sizeof(head), 0);
    bool magic = got == (long)sizeof(head) && lg_mem_cmp(head, LG_GUARD_FILE_MAGIC, sizeof(head)) == 0;
    if (magic && st.st_size == (off_t)LG_GUARD_FILE_SIZE) {
        uint8_t *table = lg_pal_map_file_shared(fd, LG_GUARD_FILE_SIZE);
        if (!table) warn("cannot be mapped");
        return table;
    }
    /* Another process of the run is making it (magic first, then the size). */
    if (magic && st.st_size < (off_t)LG_GUARD_FILE_SIZE) return NULL;
    char why[128];
    lg_buf b;
    lg_buf_init(&b, why, sizeof(why));
    lg_buf_printf(&b, "is not a table of lifeguard's (%llu bytes)", (unsigned long long)st.st_size);
    warn(lg_buf_cstr(&b));
    return NULL;
}

/* A new table at the path, which did not exist: the magic, then its size
 * allocated on disk (a hole would be a SIGBUS at a write through the
 * mapping when the disk is full). */
static uint8_t *table_make(const char *path, bool *raced)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
    *raced = fd < 0 && errno == EEXIST; /* made meanwhile by another process: the caller looks again */
    if (fd < 0) {
        if (!*raced) warn_errno("cannot be made", errno);
        return NULL;
    }
    uint8_t *table = NULL;
    size_t magic = sizeof(LG_GUARD_FILE_MAGIC) - 1;
    if ((size_t)syscall(SYS_pwrite64, fd, LG_GUARD_FILE_MAGIC, magic, 0) == magic &&
        syscall(SYS_fallocate, fd, 0, 0, (off_t)LG_GUARD_FILE_SIZE) == 0)
        table = lg_pal_map_file_shared(fd, LG_GUARD_FILE_SIZE);
    if (!table) {
        warn_errno("cannot be made", errno);
        syscall(SYS_unlinkat, AT_FDCWD, path, 0);
    }
    syscall(SYS_close, fd);
    return table;
}

static uint8_t *table_attach(const char *path)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0) {
            uint8_t *table = table_map(fd);
            syscall(SYS_close, fd);
            return table;
        }
        /* lifeguard run's table is a descriptor of its own process: gone
         * when that has ended and a process of the run lives on. */
        if (lg_mem_cmp(path, "/proc/", 6) == 0) return NULL;
        if (errno != ENOENT) {
            warn_errno("cannot be opened", errno);
            return NULL;
        }
        bool raced;
        uint8_t *table = table_make(path, &raced);
        if (!raced) return table;
    }
    return NULL;
}

static uint8_t *attached; /* the mapping, while it is the file's */

/* A SIGBUS at addr in the table: its file was cut short under the mapping
 * (someone truncated a guard_sites_file of their own).  The table's pages
 * become this process's own zeroed memory, so the counting goes on (alone)
 * and the faulting access is retried; the file is not touched again.
 * Async-signal-safe. */
bool rt_guard_sites_lost(uintptr_t addr)
{
    uint8_t *table = __atomic_load_n(&attached, __ATOMIC_ACQUIRE);
    if (!table || addr - (uintptr_t)table >= LG_GUARD_FILE_SIZE) return false;
    return lg_pal_map_anonymous_at(table, LG_GUARD_FILE_SIZE);
}

void rt_guard_sites_attach(void)
{
    if (!rt_heap_on || !lg_guard_first || !lg_opt.guard_sites_file[0]) return;
    int saved = errno;
    char exe[4096];
    long n = (long)syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", exe, sizeof(exe));
    main_path_hash = hash_bytes(PATH_HASH_START, exe, n > 0 ? (size_t)n : 0);
    uint8_t *table = table_attach(lg_opt.guard_sites_file);
    if (table) {
        __atomic_store_n(&attached, table, __ATOMIC_RELEASE);
        lg_guard_share_run(table + LG_GUARD_FILE_HEADER, site_key);
    }
    errno = saved;
}
