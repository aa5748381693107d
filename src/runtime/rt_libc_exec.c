/* rt_libc_exec.c — programs the process starts that the runtime cannot follow.
 *
 * A program started under the runtime inherits LD_PRELOAD, so it is checked
 * too — unless it is statically linked (no loader reads LD_PRELOAD), set-uid
 * or set-gid to someone else (the loader ignores it under secure execution),
 * or built for another architecture (the loader refuses the library).  Such
 * a program runs unchecked and writes no report, and a run whose programs
 * ran unchecked must not look like a clean one: the exec family and
 * posix_spawn say so on the log channel, once per program, then do what they
 * would.  `lifeguard run` refuses such a program when it is the one named.
 *
 * Nothing here changes what the call does: the target is opened read-only
 * and read, and the real function gets the same arguments.  A vfork child
 * runs this (a shell's, posix_spawn's own): no heap, no lock, no loader —
 * raw system calls, the stack, and the log's single write.  The real
 * functions are resolved at start-up, never here. */
#include "rt_internal.h"
#include "rt_libc.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execvp_fn)(const char *, char *const[]);
typedef int (*execvpe_fn)(const char *, char *const[], char *const[]);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                        char *const[], char *const[]);

static execve_fn real_execve;
static execvp_fn real_execvp;
static execvpe_fn real_execvpe;
static spawn_fn real_posix_spawn, real_posix_spawnp;

void rt_libc_exec_init(void)
{
    real_execve = (execve_fn)dlsym(RTLD_NEXT, "execve");
    real_execvp = (execvp_fn)dlsym(RTLD_NEXT, "execvp");
    real_execvpe = (execvpe_fn)dlsym(RTLD_NEXT, "execvpe");
    real_posix_spawn = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawn");
    real_posix_spawnp = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawnp");
}

/* ---- what the target is ----------------------------------------------------------- */

#define NOTED_SLOTS 64
static uint64_t noted[NOTED_SLOTS]; /* hashes of the paths already named */

static bool first_time(const char *path)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = path; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h |= 1;
    for (uint32_t i = 0, at = (uint32_t)h & (NOTED_SLOTS - 1); i < NOTED_SLOTS; i++, at = (at + 1) & (NOTED_SLOTS - 1)) {
        if (noted[at] == h) return false;
        if (!noted[at]) {
            noted[at] = h;
            return true;
        }
    }
    return true;
}

static long sys_open(const char *path)
{
    return syscall(SYS_openat, (long)AT_FDCWD, path, (long)(O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
}

static long sys_pread(long fd, void *buf, size_t n, off_t at)
{
    return syscall(SYS_pread64, fd, buf, (long)n, (long)at);
}

/* Why the runtime cannot be in path, or NULL when it can (or path cannot be
 * read: the call then fails or succeeds without us).  interp: a script's
 * interpreter, copied out for the caller to look at in turn. */
static const char *unchecked_because(const char *path, char *interp, size_t cap)
{
    interp[0] = 0;
    long fd = sys_open(path);
    if (fd < 0) return NULL;
    const char *why = NULL;
    struct stat st;
    unsigned char head[256];
    long n;
    if (syscall(SYS_fstat, fd, &st) != 0 || !S_ISREG(st.st_mode)) goto out;
    if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) || ((st.st_mode & S_ISGID) && st.st_gid != getegid())) {
        why = "it is set-uid or set-gid, and the loader ignores LD_PRELOAD in it";
        goto out;
    }
    n = sys_pread(fd, head, sizeof(head) - 1, 0);
    if (n >= 4 && head[0] == '#' && head[1] == '!') {
        head[n] = 0;
        size_t i = 2, len = 0;
        while (head[i] == ' ' || head[i] == '\t') i++;
        while (head[i + len] && head[i + len] != ' ' && head[i + len] != '\t' && head[i + len] != '\n') len++;
        if (head[i] == '/' && len < cap) {
            lg_mem_copy(interp, head + i, len);
            interp[len] = 0;
        }
        goto out;
    }
    if (n < (long)sizeof(Elf64_Ehdr) || head[EI_MAG0] != ELFMAG0 || head[EI_MAG1] != ELFMAG1 ||
        head[EI_MAG2] != ELFMAG2 || head[EI_MAG3] != ELFMAG3)
        goto out;
    Elf64_Ehdr eh;
    lg_mem_copy(&eh, head, sizeof(eh));
    if (head[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
        why = "it is built for another architecture, and the loader refuses the runtime in it";
        goto out;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) goto out;
    bool interp_seen = false;
    for (uint32_t i = 0; i < eh.e_phnum && i < 256 && !interp_seen; i++) {
        Elf64_Phdr ph;
        if (sys_pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) != (long)sizeof(ph))
            goto out; /* unreadable: say nothing rather than guess */
        interp_seen = ph.p_type == PT_INTERP;
    }
    if (!interp_seen) why = "it is statically linked, and the runtime is loaded by LD_PRELOAD, which only the dynamic loader reads";
out:
    syscall(SYS_close, fd);
    return why;
}

/* Says, once per program, that path will run unchecked. */
static void note_errno_kept(const char *path);

static void note(const char *path)
{
    int saved = errno; /* the looking must not show in what the call leaves */
    note_errno_kept(path);
    errno = saved;
}

static uint64_t unchecked_programs; /* distinct programs said to run unchecked */

static void note_errno_kept(const char *path)
{
    if (!path || rt_state < 2) return;
    char a[256], b[256];
    char *interp = a;
    const char *target = path;
    for (int depth = 0; depth < 3; depth++) { /* a script: its interpreter is what runs */
        const char *why = unchecked_because(target, interp, sizeof(a));
        if (why) {
            if (first_time(target)) {
                lg_log("lifeguard: warning: '%s' runs unchecked: %s; it writes no report\n", target, why);
                /* In the JSON report too, written now: an exec ends this image. */
                lg_report_summary_u64("unchecked_programs", __atomic_add_fetch(&unchecked_programs, 1, __ATOMIC_RELAXED));
                lg_report_flush();
            }
            return;
        }
        if (!interp[0]) return;
        target = interp;
        interp = interp == a ? b : a;
    }
}

/* The file execvp would run: file itself when it names a path, else the
 * first executable of that name along PATH (glibc's default when unset). */
static const char *along_path(const char *file, char *buf, size_t cap)
{
    if (!file || !*file) return NULL;
    for (const char *p = file; *p; p++)
        if (*p == '/') return file;
    const char *path = NULL;
    size_t flen = lg_str_len(file);
    for (char **e = environ; e && *e; e++)
        if (lg_str_eq_n(*e, "PATH=", 5)) path = *e + 5;
    if (!path) path = "/bin:/usr/bin";
    for (const char *dir = path;; dir++) {
        const char *end = dir;
        while (*end && *end != ':') end++;
        size_t dlen = (size_t)(end - dir);
        if (dlen + 1 + flen < cap) {
            size_t at = 0;
            if (dlen) {
                lg_mem_copy(buf, dir, dlen);
                at = dlen;
                buf[at++] = '/';
            }
            lg_mem_copy(buf + at, file, flen + 1);
            if (syscall(SYS_faccessat, (long)AT_FDCWD, buf, (long)X_OK, 0L) == 0) return buf;
        }
        if (!*end) return NULL;
        dir = end;
    }
}

static void note_searched(const char *file)
{
    int saved = errno;
    char buf[4096];
    note(along_path(file, buf, sizeof(buf)));
    errno = saved;
}

/* ---- the entry points -------------------------------------------------------------- */

static int do_execve(const char *path, char *const argv[], char *const envp[])
{
    if (real_execve) return real_execve(path, argv, envp);
    return (int)syscall(SYS_execve, path, argv, envp);
}

RT_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    note(path);
    return do_execve(path, argv, envp);
}

RT_EXPORT int execv(const char *path, char *const argv[])
{
    note(path);
    return do_execve(path, argv, environ);
}

RT_EXPORT int execvp(const char *file, char *const argv[])
{
    note_searched(file);
    if (!real_execvp) return do_execve(file, argv, environ);
    return real_execvp(file, argv);
}

RT_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    note_searched(file);
    if (!real_execvpe) return do_execve(file, argv, envp);
    return real_execvpe(file, argv, envp);
}

/* execl and company: their arguments into an array on the stack, as glibc
 * builds it, then the array form. */
#define ARGS_FROM(first, ap, argv, extra)                                                                              \
    size_t argc_ = 1;                                                                                                  \
    va_start(ap, first);                                                                                               \
    while (va_arg(ap, const char *)) argc_++;                                                                          \
    va_end(ap);                                                                                                        \
    char *argv[argc_ + 1];                                                                                             \
    argv[0] = (char *)(first);                                                                                         \
    va_start(ap, first);                                                                                               \
    for (size_t i_ = 1; i_ <= argc_; i_++) argv[i_] = va_arg(ap, char *);                                            \
    extra;                                                                                                             \
    va_end(ap)

RT_EXPORT int execl(const char *path, const char *arg, ...)
{
    va_list ap;
    ARGS_FROM(arg, ap, argv, (void)0);
    return execv(path, argv);
}

RT_EXPORT int execlp(const char *file, const char *arg, ...)
{
    va_list ap;
    ARGS_FROM(arg, ap, argv, (void)0);
    return execvp(file, argv);
}

RT_EXPORT int execle(const char *path, const char *arg, ...)
{
    va_list ap;
    char *const *envp;
    ARGS_FROM(arg, ap, argv, envp = va_arg(ap, char *const *));
    return execve(path, argv, envp);
}

RT_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    note(path);
    return real_posix_spawn ? real_posix_spawn(pid, path, actions, attr, argv, envp) : ENOSYS;
}

RT_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    note_searched(file);
    return real_posix_spawnp ? real_posix_spawnp(pid, file, actions, attr, argv, envp) : ENOSYS;
}
