/* rt_init.c — bringing the runtime up and taking it down.
 *
 * The first malloc may come before any constructor (from the loader, or a
 * library's constructor), so start-up is in two steps: rt_init_early()
 * does only what allocation needs and calls nothing that allocates;
 * rt_init_full() runs from our constructor.  At exit, our destructor runs
 * the final checks and, when errors were found, ends the process with
 * `exitcode` (stdio flushed first). */
#include "rt_internal.h"
#include "lg_unwind.h"
#include "../core/lg_refs.h"
#include "../core/lg_suppress.h"

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread int rt_busy RT_TLS;
int rt_state;
bool rt_heap_on;

static lg_lock_t init_lock = LG_LOCK_INIT;
static char options_error[256];

extern char **environ;
void rt_stack_init(void);
void rt_libc_init(void);

/* Reads a whole small file with system calls only (no stdio, no malloc).
 * With regular_only, anything but a regular file of at most cap - 1 bytes
 * is refused (errno EINVAL or EFBIG): a FIFO would block the open, a
 * device like /dev/zero never ends. */
static size_t read_file(const char *path, char *buf, size_t cap, bool regular_only)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return (size_t)-1;
    if (regular_only) {
        struct stat st;
        int why = 0;
        if (syscall(SYS_fstat, fd, &st) != 0) why = errno;
        else if (!S_ISREG(st.st_mode)) why = EINVAL;
        else if ((uint64_t)st.st_size >= cap) why = EFBIG;
        if (why) {
            syscall(SYS_close, fd);
            errno = why;
            return (size_t)-1;
        }
    }
    size_t have = 0;
    while (have + 1 < cap) {
        long n = syscall(SYS_read, fd, buf + have, cap - 1 - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += (size_t)n;
    }
    syscall(SYS_close, fd);
    buf[have] = 0;
    return have;
}

/* getenv before libc may have set environ up. */
static const char *early_getenv(const char *name)
{
    static char env_copy[32768];
    size_t name_len = strlen(name);
    if (environ) {
        for (char **e = environ; *e; e++)
            if (strncmp(*e, name, name_len) == 0 && (*e)[name_len] == '=') return *e + name_len + 1;
        return NULL;
    }
    size_t n = read_file("/proc/self/environ", env_copy, sizeof(env_copy), false);
    if (n == (size_t)-1) return NULL;
    for (size_t i = 0; i < n; i += strlen(env_copy + i) + 1)
        if (strncmp(env_copy + i, name, name_len) == 0 && env_copy[i + name_len] == '=')
            return env_copy + i + name_len + 1;
    return NULL;
}

/* Copies path into out, replacing %p with the pid. */
void rt_expand_path(const char *path, char *out, size_t cap)
{
    lg_buf b;
    lg_buf_init(&b, out, cap);
    for (const char *p = path; *p; p++) {
        if (p[0] == '%' && p[1] == 'p') {
            lg_buf_udec(&b, lg_pal_pid());
            p++;
        } else {
            lg_buf_putc(&b, *p);
        }
    }
    lg_buf_cstr(&b);
}

static char channel_problem[600]; /* told once the runtime is up */

static bool fd_is_open(int fd)
{
    return syscall(SYS_fcntl, fd, F_GETFD) >= 0;
}

/* The text report goes to log_path when it is set ("stdout" and "stderr"
 * name those streams), opened by path for each write; else to log_fd, or to
 * stderr when log_fd is not open. */
static void open_channels(void)
{
    lg_buf why;
    lg_buf_init(&why, channel_problem, sizeof(channel_problem));
    lg_report_channel = (int)lg_opt.log_fd;
    if (lg_report_channel != 2 && !fd_is_open(lg_report_channel)) {
        lg_buf_printf(&why, "log_fd=%d is not an open file descriptor; reporting on stderr", lg_report_channel);
        lg_report_channel = 2;
    }
    if (lg_str_cmp(lg_opt.log_path, "stdout") == 0) {
        lg_report_channel = 1;
    } else if (lg_str_cmp(lg_opt.log_path, "stderr") == 0) {
        lg_report_channel = 2;
    } else if (lg_opt.log_path[0]) {
        /* Not created until there is something to say: a process that
         * finds nothing leaves no file. */
        char path[512];
        rt_expand_path(lg_opt.log_path, path, sizeof(path));
        lg_pal_set_log_path(path);
        lg_report_channel = LG_PAL_PATH_CHANNEL;
    }
    lg_buf_cstr(&why);
    lg_report_json_path[0] = 0;
    if (lg_opt.json_path[0]) rt_expand_path(lg_opt.json_path, lg_report_json_path, sizeof(lg_report_json_path));
}

/* A relative path names a file in the directory the process started in, not
 * wherever the program has gone when the file is written. */
static void make_absolute(char *path, size_t cap)
{
    if (!path[0] || path[0] == '/' || lg_str_cmp(path, "stdout") == 0 || lg_str_cmp(path, "stderr") == 0) return;
    char cwd[4096];
    if (syscall(SYS_getcwd, cwd, sizeof(cwd)) <= 0) return;
    size_t c = lg_str_len(cwd), n = lg_str_len(path);
    if (c + 1 + n + 1 > cap) return;
    for (size_t i = n + 1; i-- > 0;) path[c + 1 + i] = path[i];
    lg_mem_copy(path, cwd, c);
    path[c] = '/';
}

/* Set-uid, set-gid or with file capabilities: the environment belongs to a
 * less privileged user, who must not choose what the process reads or
 * writes.  Every option naming a file is dropped. */
static char secure_dropped[128];

static void drop_paths_for_secure_execution(void)
{
    lg_buf b;
    lg_buf_init(&b, secure_dropped, sizeof(secure_dropped));
#define RT_DROP_PATH(name)                                     \
    if (lg_opt.name[0]) {                                      \
        lg_buf_puts(&b, b.len ? ", " #name : #name);           \
        lg_opt.name[0] = 0;                                    \
    }
    LG_PATH_OPTIONS(RT_DROP_PATH)
#undef RT_DROP_PATH
    lg_buf_cstr(&b);
}

void rt_init_early(void)
{
    lg_lock(&init_lock);
    if (rt_state == 0) {
        lg_options_defaults(&lg_opt);
        const char *spec = early_getenv("LIFEGUARD_OPTIONS");
        /* A bad entry is skipped (and reported below, once the runtime is
         * up); the others apply. */
        if (spec) lg_options_parse(&lg_opt, spec, options_error, sizeof(options_error));
        if (getauxval(AT_SECURE)) drop_paths_for_secure_execution();
        if (lg_str_cmp(lg_opt.guard_sites_file, "none") == 0) lg_opt.guard_sites_file[0] = 0;
#define RT_MAKE_ABSOLUTE(name) make_absolute(lg_opt.name, sizeof(lg_opt.name));
        LG_PATH_OPTIONS(RT_MAKE_ABSOLUTE)
#undef RT_MAKE_ABSOLUTE
        open_channels();
        rt_size_init();
        rt_heap_on = lg_heap_init();
        __atomic_store_n(&rt_state, 1, __ATOMIC_RELEASE);
    }
    lg_unlock(&init_lock);
}

/* The heap reserves its ranges (classes, guarded tier, the stale range)
 * up front and never commits most of them: a limit on address space
 * (ulimit -v, a container's, Valgrind's) can refuse them.  The program
 * then runs on glibc's heap unchecked, and says so, once. */
static void warn_heap_off(void)
{
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
        lg_log("lifeguard: warning: cannot reserve the checked heap's address space (the address-space limit is "
               "%llu MiB: ulimit -v): the heap checker is off and heap errors are not reported\n",
               (unsigned long long)(as.rlim_cur >> 20));
    else
        lg_log("lifeguard: warning: cannot reserve the checked heap's address space: the heap checker is off and "
               "heap errors are not reported\n");
}

/* A program that brings its own malloc (Chromium's PartitionAlloc, a
 * statically linked jemalloc) is looked up before the preloaded runtime:
 * its allocations never reach the checked heap.  Said once, as the static
 * case is, rather than a run that checked nothing looking clean. */
static void warn_own_malloc(void)
{
    void *m = dlsym(RTLD_DEFAULT, "malloc");
    lg_module_info mod;
    if (!m || rt_is_own_pc((uintptr_t)m)) return;
    /* A non-PIE executable that takes malloc's address makes its PLT entry
     * the function's address (an undefined symbol with a value): that is
     * still ours.  Only a definition named malloc counts. */
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (!dladdr1(m, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || sym->st_shndx == SHN_UNDEF || !info.dli_sname ||
        strcmp(info.dli_sname, "malloc") != 0)
        return;
    lg_log("lifeguard: warning: malloc is the program's own (%s), found before lifeguard's: the blocks it "
           "allocates are not checked\n",
           lg_pal_module_of((uintptr_t)m, &mod) ? mod.path : "an unknown module");
}

static void load_suppressions(void)
{
    if (!lg_opt.suppressions[0]) return;
    char exe[256];
    long len = syscall(SYS_readlink, "/proc/self/exe", exe, sizeof(exe) - 1);
    exe[len > 0 ? len : 0] = 0;
    lg_suppress_set_program(exe);
    static char text[LG_SUPPRESS_MAX_BYTES + 1];
    char err[256];
    size_t n = read_file(lg_opt.suppressions, text, sizeof(text), true);
    if (n == (size_t)-1)
        lg_log("lifeguard: cannot read suppressions file '%s': %s; none applied\n", lg_opt.suppressions,
               errno == EINVAL  ? "not a regular file"
               : errno == EFBIG ? "larger than 64 KiB"
                                : lg_pal_error_text(errno));
    else if (!lg_suppress_parse(text, n, err, sizeof(err)))
        lg_log("lifeguard: %s: %s; later rules not applied\n", lg_opt.suppressions, err);
}

static void set_command(void)
{
    static char cmdline[4096];
    static const char *argv[64];
    size_t n = read_file("/proc/self/cmdline", cmdline, sizeof(cmdline), false);
    int argc = 0;
    for (size_t i = 0; n != (size_t)-1 && i < n && argc < 64; i += strlen(cmdline + i) + 1) argv[argc++] = cmdline + i;
    lg_report_set_command(argv, argc);
}

/* Field 22 of /proc/self/stat: when the process started, the same in
 * every image of it (exec keeps the pid and the start time). */
static uint64_t process_start_time(void)
{
    char stat[1024];
    size_t n = read_file("/proc/self/stat", stat, sizeof(stat), false);
    if (n == (size_t)-1) return 0;
    size_t i = n;
    while (i > 0 && stat[i - 1] != ')') i--; /* the name may hold spaces and ')' */
    int field = 2;
    for (; i < n && field < 22; i++)
        if (stat[i] == ' ') field++;
    size_t start = i;
    while (i < n && stat[i] >= '0' && stat[i] <= '9') i++;
    uint64_t v = 0;
    return lg_parse_u64(stat + start, i - start, &v) ? v : 0;
}

/* After exec, json_path may hold what this process found in its earlier
 * image: keep those findings (and their count) in this image's report. */
static void adopt_earlier_image(void)
{
    lg_report_set_process_start(process_start_time());
    if (!lg_report_json_path[0]) return;
    size_t cap = 32u << 20;
    char *doc = lg_pal_map(cap);
    if (!doc) return;
    size_t n = read_file(lg_report_json_path, doc, cap, true);
    if (n != (size_t)-1) lg_report_adopt(doc, n);
    lg_pal_unmap(doc, cap);
}

/* The tracker's locks come first: it reports (report lock) while holding them;
 * the depot's insert locks last (a stack is stored under any of the others). */
static void before_fork(void)
{
    lg_guard_share_family(); /* before the locks: a system call */
    lg_refs_lock_all();
    lg_report_lock();
    lg_heap_lock_all();
    lg_depot_lock_all();
}

static void after_fork_parent(void)
{
    lg_depot_unlock_all();
    lg_heap_unlock_all();
    lg_report_unlock();
    lg_refs_unlock_all();
}

uint64_t rt_inherited_below;

static void after_fork_child(void)
{
    lg_depot_unlock_all();
    lg_heap_unlock_all();
    rt_inherited_below = lg_birth_now();
    lg_heap_after_fork_child(rt_inherited_below, rt_fork_changed);
    lg_report_forget_for_child();
    lg_refs_after_fork_child();
    lg_pal_after_fork_child();
    lg_unwind_after_fork_child();
    /* The child writes its own JSON report (json_path with %p) when it has
     * something to say or exits; under lifeguard run with json_clean=0,
     * only when it has something to say (it is never the run's program). */
    if (lg_opt.run_pid && !lg_opt.json_clean) lg_report_skip_clean();
    open_channels();
    lg_report_set_process_start(process_start_time());
}

void rt_init_full(void)
{
    rt_ensure_early();
    lg_lock(&init_lock);
    bool first = rt_state == 1;
    if (first) rt_state = 2;
    lg_unlock(&init_lock);
    if (!first) return;
    rt_busy++;
    if (options_error[0]) lg_log("lifeguard: LIFEGUARD_OPTIONS: ignoring %s; the other options apply\n", options_error);
    if (channel_problem[0]) lg_log("lifeguard: %s\n", channel_problem);
    if (secure_dropped[0])
        lg_log("lifeguard: secure execution (set-uid, set-gid or capabilities): ignoring %s from LIFEGUARD_OPTIONS\n",
               secure_dropped);
    if (!rt_heap_on) warn_heap_off();
    rt_stack_init();
    rt_guard_sites_attach(); /* its keys need the module snapshot */
    if (rt_heap_on) warn_own_malloc(); /* rt_is_own_pc knows the runtime's code from here */
    rt_libc_init();
    set_command();
    adopt_earlier_image();
    load_suppressions();
    if (lg_opt.handle_segv) rt_signals_install();
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    if (lg_opt.verbosity) lg_log("==%u==lifeguard %s: checked heap %s\n", lg_pal_pid(), LG_VERSION, rt_heap_on ? "on" : "off");
    rt_busy--;
    /* lifeguard run's program says at once that the runtime runs in it (a
     * report even if it is killed later); each other process of the run
     * creates its file only when it has one to write: file creation is
     * most of what a short process pays (docs/PERFORMANCE.md). */
    bool program = !lg_opt.run_pid || (uint64_t)getppid() == lg_opt.run_pid;
    if (!program && !lg_opt.json_clean) lg_report_skip_clean();
    if (program) lg_report_flush();
}

__attribute__((constructor(101))) static void rt_constructor(void)
{
    rt_init_full();
}

void rt_exit_checks(void)
{
    rt_busy++;
    if (lg_opt.refs) lg_refs_at_exit();
    if (lg_opt.leaks) lg_leaks_at_exit();
    if (lg_opt.check_at_exit) rt_leaks_check_heap_at_exit();
    struct lg_heap_stats st;
    lg_heap_stats(&st);
    lg_report_summary_u64("live_blocks_at_exit", st.live_blocks);
    lg_report_summary_u64("live_bytes_at_exit", st.live_bytes);
    lg_report_summary_u64("allocations", st.total_allocs);
    lg_report_summary_u64("frees", st.total_frees);
    lg_guard_summary();
    lg_report_flush();
    uint64_t errors = lg_report_error_count();
    if (errors || lg_opt.verbosity)
        lg_log("==%u==lifeguard: %llu error%s found; %llu allocations, %llu frees\n", lg_pal_pid(),
               (unsigned long long)errors, errors == 1 ? "" : "s", (unsigned long long)st.total_allocs,
               (unsigned long long)st.total_frees);
    if (errors || lg_report_finding_count() || lg_opt.verbosity) lg_report_summary_line();
    rt_busy--;
}

__attribute__((destructor(101))) static void rt_destructor(void)
{
    if (rt_state < 2) return;
    rt_exit_checks();
    if (lg_report_error_count()) {
        fflush(NULL);
        lg_pal_die((int)lg_opt.exitcode);
    }
}
