/* cli_run.c — `lifeguard run [--json FILE] [--log FILE] [-o k=v]...
 * [--options "k=v:k=v"] [--lib PATH] -- PROGRAM ARGS...`
 *
 * Everything that can be wrong with the command line is checked before the
 * program starts, and is reported as one line with exit status 2: the
 * program is then not run at all.  The runtime's options are merged in this
 * order, a later value winning: LIFEGUARD_OPTIONS from the environment,
 * --options, each -o, then lifeguard's own plumbing (log_path and json_path
 * in the run's directory). */
#define _GNU_SOURCE
#include "cli.h"
#include "cli_report.h"
#include "../core/lg_core.h"
#include "../core/lg_guard_file.h"
#include "../core/lg_suppress.h"

#include <dirent.h>
#include <gelf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef LG_BIN_TO_LIB
#define LG_BIN_TO_LIB "../lib"
#endif

static const char run_usage[] =
    "usage: lifeguard run [--json FILE] [--sarif FILE] [--html FILE] [--gen-suppressions] [--srcroot DIR]\n"
    "                     [--log FILE] [-o KEY=VALUE]... [--options \"K=V:K=V\"]\n"
    "                     [--lib PATH] [--count-errors all|top] -- PROGRAM [ARGS...]\n";

typedef struct run_args {
    const char *json_path, *log_path, *lib_path, *options;
    bool count_top_only; /* --count-errors top */
    const char **o_list;
    size_t n_o;
    char **prog_argv;
    cli_run_outputs outputs; /* --sarif, --html, --gen-suppressions (cli_report.c) */
    const char *srcroot;
} run_args;

/* "--name VALUE" or "--name=VALUE" (for -o also "-oVALUE"); NULL when argv[*i] is another argument. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == 0) {
        if (*i + 1 >= argc || strcmp(argv[*i + 1], "--") == 0)
            cli_die("run: %s needs a value (%s)", name, strcmp(name, "-o") == 0 ? "KEY=VALUE" : "see lifeguard --help");
        return argv[++*i];
    }
    if (a[n] == '=') return a + n + 1;
    if (name[1] != '-') return a + n; /* -oKEY=VALUE */
    return NULL;
}

static void parse_args(int argc, char **argv, run_args *ra)
{
    memset(ra, 0, sizeof(*ra));
    ra->o_list = cli_alloc((size_t)argc * sizeof(*ra->o_list));
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--") == 0) break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(run_usage, stdout);
            exit(0);
        }
        if ((v = flag_value(argc, argv, &i, "--json"))) ra->json_path = v;
        else if ((v = flag_value(argc, argv, &i, "--log"))) ra->log_path = v;
        else if ((v = flag_value(argc, argv, &i, "--sarif"))) ra->outputs.sarif_path = v;
        else if ((v = flag_value(argc, argv, &i, "--html"))) ra->outputs.html_path = v;
        else if ((v = flag_value(argc, argv, &i, "--srcroot"))) ra->srcroot = v;
        else if (strcmp(a, "--gen-suppressions") == 0) ra->outputs.gen_suppressions = true;
        else if ((v = flag_value(argc, argv, &i, "--lib"))) ra->lib_path = v;
        else if ((v = flag_value(argc, argv, &i, "--options"))) ra->options = v;
        else if ((v = flag_value(argc, argv, &i, "-o"))) ra->o_list[ra->n_o++] = v;
        else if ((v = flag_value(argc, argv, &i, "--count-errors"))) {
            if (strcmp(v, "all") != 0 && strcmp(v, "top") != 0)
                cli_die("run: --count-errors takes 'all' or 'top', not '%s'", v);
            ra->count_top_only = strcmp(v, "top") == 0;
        }
        else if (a[0] == '-') cli_die("run: unknown argument '%s' (see lifeguard --help)", a);
        else cli_die("run: missing '--' before the program: write lifeguard run [OPTIONS] -- %s ...", a);
    }
    if (i >= argc) cli_die("run: missing '--' and the program to run: lifeguard run [OPTIONS] -- PROGRAM [ARGS...]");
    if (i + 1 >= argc) cli_die("run: no program after '--'");
    ra->prog_argv = argv + i + 1;
}

/* ---- runtime options ------------------------------------------------------ */
static void check_options(lg_options *opts, const char *spec, const char *where)
{
    char err[512];
    if (!lg_options_parse(opts, spec, err, sizeof(err))) cli_die("bad runtime option in %s: %s", where, err);
}

/* The runtime would only warn about a bad suppressions file once the program
 * runs; refuse it before anything starts.  NULL when the file is usable. */
static char *suppressions_problem(const char *path)
{
    if (!path[0]) return NULL;
    /* Only a regular file, as the runtime reads it: a FIFO would block the
     * open, /dev/zero would never end. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return cli_printf("suppressions file '%s' cannot be read: %s", path, strerror(errno));
    struct stat st;
    char *problem = NULL;
    if (fstat(fd, &st) != 0) problem = cli_printf("suppressions file '%s' cannot be read: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode)) problem = cli_printf("suppressions file '%s' is not a regular file", path);
    else if ((uint64_t)st.st_size > LG_SUPPRESS_MAX_BYTES)
        problem = cli_printf("suppressions file '%s' is larger than the runtime reads (%u KiB)", path,
                             LG_SUPPRESS_MAX_BYTES >> 10);
    if (problem) {
        close(fd);
        return problem;
    }
    cli_str text = {0};
    char chunk[4096];
    ssize_t n;
    while (text.len <= LG_SUPPRESS_MAX_BYTES && ((n = read(fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0) cli_str_putn(&text, chunk, (size_t)n);
    close(fd);
    char err[512];
    bool ok = lg_suppress_parse(text.data ? text.data : "", text.len, err, sizeof(err));
    cli_str_free(&text);
    return ok ? NULL : cli_printf("suppressions file '%s': %s", path, err);
}

static void join(cli_str *s, const char *part)
{
    if (!part || !*part) return;
    if (s->len) cli_str_puts(s, ":");
    cli_str_puts(s, part);
}

/* ---- the runtime library ------------------------------------------------ */
static char *find_library(const run_args *ra, const char **source)
{
    if (ra->lib_path) {
        *source = "--lib";
        return cli_strdup(ra->lib_path);
    }
    const char *env = getenv("LIFEGUARD_LIB");
    if (env && *env) {
        *source = "LIFEGUARD_LIB";
        return cli_strdup(env);
    }
    *source = "the lifeguard executable's " LG_BIN_TO_LIB " (use --lib or LIFEGUARD_LIB to name another)";
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) cli_die("cannot find the runtime library: /proc/self/exe is unreadable; use --lib or LIFEGUARD_LIB");
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash) *slash = 0;
    /* Installed: BINDIR/../LIBDIR, whatever LIBDIR the build chose; in the
     * build tree: bin/../lib. */
    char *installed = cli_printf("%s/%s/liblifeguard.so", self, LG_BIN_TO_LIB);
    if (access(installed, F_OK) == 0) return installed;
    free(installed);
    return cli_printf("%s/../lib/liblifeguard.so", self);
}

static char *check_library(char *path, const char *source)
{
    struct stat st;
    if (!*path) cli_die("runtime library: %s is empty", source);
    if (stat(path, &st) != 0)
        cli_die("runtime library '%s' (from %s) cannot be used: %s", path, source, strerror(errno));
    if (!S_ISREG(st.st_mode)) cli_die("runtime library '%s' (from %s) is not a regular file", path, source);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) cli_die("runtime library '%s' (from %s) cannot be read: %s", path, source, strerror(errno));
    unsigned char magic[4] = {0};
    ssize_t got = read(fd, magic, sizeof(magic));
    close(fd);
    if (got != 4 || memcmp(magic, "\177ELF", 4) != 0)
        cli_die("runtime library '%s' (from %s) is not an ELF shared library", path, source);
    /* The program may change directory before it loads anything else. */
    char *real = realpath(path, NULL);
    if (real) {
        free(path);
        path = real;
    }
    if (strpbrk(path, ": "))
        cli_die("runtime library path '%s' holds ':' or a space, which LD_PRELOAD cannot carry", path);
    return path;
}

/* ---- the program ------------------------------------------------------------ */
/* Why path cannot be executed, or NULL when it can. */
static const char *exec_problem(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return strerror(errno);
    if (S_ISDIR(st.st_mode)) return "it is a directory";
    if (!S_ISREG(st.st_mode)) return "it is not a regular file";
    if (access(path, X_OK) != 0) return "it is not executable";
    return NULL;
}

/* The file execvp would run, found the same way (PATH when name has no '/'). */
static char *resolve_program(const char *name)
{
    if (!*name) cli_die("run: the program name is empty");
    if (strchr(name, '/')) {
        const char *why = exec_problem(name);
        if (why) cli_die("run: cannot run program '%s': %s", name, why);
        return cli_strdup(name);
    }
    const char *path = getenv("PATH");
    if (!path) path = "/bin:/usr/bin";
    const char *seen = NULL;
    char *first_bad = NULL;
    for (const char *p = path;; p++) {
        if (*p != ':' && *p != 0) continue;
        size_t dir_len = (size_t)(p - path);
        char *candidate = dir_len ? cli_printf("%.*s/%s", (int)dir_len, path, name) : cli_printf("./%s", name);
        const char *why = exec_problem(candidate);
        if (!why) {
            free(first_bad);
            return candidate;
        }
        if (!first_bad && strcmp(why, strerror(ENOENT)) != 0) {
            first_bad = candidate;
            seen = why;
        } else {
            free(candidate);
        }
        if (*p == 0) break;
        path = p + 1;
    }
    if (first_bad) cli_die("run: cannot run program '%s': found '%s' but %s", name, first_bad, seen);
    cli_die("run: program '%s' not found in PATH", name);
}

/* ---- what the runtime can check ------------------------------------------------ */
typedef struct elf_facts {
    bool is_elf;
    int elf_class;       /* ELFCLASS32 / ELFCLASS64 */
    unsigned machine;    /* e_machine */
    bool has_interp;     /* PT_INTERP: started by the dynamic loader */
    bool exports_runtime; /* defines lifeguard_api_v1 in its dynamic symbols */
} elf_facts;

static elf_facts read_elf_facts(const char *path)
{
    elf_facts ef = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return ef;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ef;
    }
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr eh;
    if (elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh)) {
        ef.is_elf = true;
        ef.elf_class = gelf_getclass(elf);
        ef.machine = eh.e_machine;
        size_t nph = 0;
        elf_getphdrnum(elf, &nph);
        for (size_t i = 0; i < nph; i++) {
            GElf_Phdr ph;
            if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP) ef.has_interp = true;
        }
        Elf_Scn *scn = NULL;
        while (!ef.exports_runtime && (scn = elf_nextscn(elf, scn))) {
            GElf_Shdr sh;
            if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM) continue;
            Elf_Data *data = elf_getdata(scn, NULL);
            size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
            for (size_t i = 0; data && i < n; i++) {
                GElf_Sym sym;
                if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF) continue;
                const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
                if (name && strcmp(name, "lifeguard_api_v1") == 0) ef.exports_runtime = true;
            }
        }
    }
    if (elf) elf_end(elf);
    close(fd);
    return ef;
}

/* A program the runtime cannot be loaded into would run unchecked, and a
 * run that checks nothing must not look like a clean one: refuse it. */
static void check_checkable(const char *program, const char *lib)
{
    elf_facts rt = read_elf_facts(lib);
    if (!rt.exports_runtime)
        cli_die("runtime library '%s' is not lifeguard's runtime (it does not define lifeguard_api_v1)", lib);
    struct stat st;
    /* Set-uid to another user (root's set-uid-root programs are fine): the
     * kernel marks it secure execution, and ld.so drops LD_PRELOAD. */
    if (stat(program, &st) == 0 &&
        (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) || ((st.st_mode & S_ISGID) && st.st_gid != getegid())))
        cli_die("run: cannot check '%s': it is set-uid or set-gid, and the loader ignores LD_PRELOAD in it", program);
    char *target = cli_strdup(program);
    /* A script: what is checked is its interpreter ("#!/bin/sh"). */
    for (int depth = 0; depth < 4; depth++) {
        char line[256] = {0};
        FILE *f = fopen(target, "re");
        if (!f) break;
        size_t n = fread(line, 1, sizeof(line) - 1, f);
        fclose(f);
        if (n < 3 || line[0] != '#' || line[1] != '!') break;
        char *p = line + 2;
        while (*p == ' ' || *p == '\t') p++;
        size_t len = strcspn(p, " \t\n");
        if (!len || p[0] != '/') break;
        free(target);
        target = cli_strndup(p, len);
    }
    elf_facts pe = read_elf_facts(target);
    if (pe.is_elf) {
        if (pe.elf_class != rt.elf_class || pe.machine != rt.machine)
            cli_die("run: cannot check '%s': it is built for another architecture (ELF class %d, machine %u) than the "
                    "runtime '%s' (class %d, machine %u)",
                    target, pe.elf_class, pe.machine, lib, rt.elf_class, rt.machine);
        if (!pe.has_interp)
            cli_die("run: cannot check '%s': it is statically linked, and the runtime is loaded by LD_PRELOAD, "
                    "which only the dynamic loader reads", target);
    }
    free(target);
}

/* ---- output files ------------------------------------------------------------ */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return cli_strdup(".");
    if (slash == path) return cli_strdup("/");
    return cli_strndup(path, (size_t)(slash - path));
}

/* A regular file (or a new one) will be replaced (written aside, renamed)
 * when replace is set, so its directory must be writable.  Anything else
 * that exists (a device, a FIFO, a symlink to one) is written in place. */
/* The report is written to a new file beside path, then renamed over it:
 * a directory that takes no new file (a pseudo file system such as /proc,
 * where access() still says writable to root) is refused before the
 * program runs. */
static void probe_create(const char *flag, const char *path, const char *dir)
{
    char *probe = cli_printf("%s/.lifeguard-probe.%d", dir, (int)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
        cli_die("run: %s '%s': cannot create a file in directory '%s': %s", flag, path, dir, strerror(errno));
    if (fd >= 0) {
        close(fd);
        unlink(probe);
    }
    free(probe);
}

static void check_output(const char *flag, const char *path, bool replace)
{
    if (!*path) cli_die("run: %s needs a file name", flag);
    struct stat st, lst;
    bool exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) cli_die("run: %s '%s' is a directory", flag, path);
    if (exists && S_ISBLK(st.st_mode)) cli_die("run: %s '%s' is a block device; lifeguard does not write to disks", flag, path);
    if (exists && access(path, W_OK) != 0) cli_die("run: %s '%s' is not writable: %s", flag, path, strerror(errno));
    if (exists && (lstat(path, &lst) != 0 || !S_ISREG(lst.st_mode))) return; /* written in place */
    char *dir = dir_of(path);
    if (stat(dir, &st) != 0)
        cli_die("run: %s '%s': directory '%s' %s", flag, path, dir,
                errno == ENOENT ? "does not exist" : strerror(errno));
    if (!S_ISDIR(st.st_mode)) cli_die("run: %s '%s': '%s' is not a directory", flag, path, dir);
    if ((replace || !exists) && access(dir, W_OK | X_OK) != 0)
        cli_die("run: %s '%s': directory '%s' is not writable", flag, path, dir);
    if (replace || !exists) probe_create(flag, path, dir);
    free(dir);
}

static char *make_temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    /* ':' and ',' would split the option string; '%' is the runtime's pid marker. */
    if (!base || !*base || strpbrk(base, ":,%")) base = "/tmp";
    char *dir = cli_printf("%s/lifeguard.XXXXXX", base);
    if (!mkdtemp(dir)) cli_die("run: cannot create a temporary directory in '%s': %s", base, strerror(errno));
    return dir;
}

static void remove_temp_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

/* Where process pid's report in one format (--json, --sarif, --html) goes:
 * FILE for the program and FILE.PID for the others, or FILE with %p
 * replaced by the pid for all of them. */
static char *report_destination(const char *path, int pid, int main_pid)
{
    if (strstr(path, "%p")) return cli_expand_pid(path, pid);
    return pid == main_pid ? cli_strdup(path) : cli_printf("%s.%d", path, pid);
}

typedef struct run_result {
    bool main_seen;        /* the runtime ran in the program (it wrote a file) */
    bool main_json;        /* ... and its JSON report was exported */
    bool ok;               /* every report that was asked for was produced */
    long long errors_top;  /* errors found in the program's process */
    long long errors_all;  /* ... in all its processes */
    int running;           /* processes still running at the end */
} run_result;

/* One process's JSON report: its errors counted, then, when asked for,
 * symbolized and written to json_path (or stdout for "-") and rendered to
 * the other outputs (SARIF, HTML, suppressions: FILE.PID for the program's
 * children, as for --json). */
static void collect_report(const char *dir, int pid, int main_pid, const char *json_path,
                           const cli_run_outputs *outputs, run_result *res)
{
    char *src = cli_printf("%s/%d.json", dir, pid);
    FILE *f = fopen(src, "re");
    cli_str text = {0}, out = {0}, err = {0};
    bool ok = f && cli_read_all(f, &text);
    if (f) fclose(f);
    bool render = outputs->sarif_path || outputs->html_path || outputs->gen_suppressions;
    bool wanted = json_path || render;
    long long errors = 0;
    if (!ok) {
        if (wanted) cli_error("cannot read the JSON report of pid %d: %s", pid, strerror(errno));
    } else if (cli_json_error_count(text.data, text.len, &errors)) {
        res->errors_all += errors;
        if (pid == main_pid) res->errors_top += errors;
    }
    if (ok && wanted) {
        char *name = cli_printf("the JSON report of pid %d", pid);
        ok = cli_json_symbolize_text(text.data, text.len, name, &out, &err);
        free(name);
        if (!ok) {
            cli_error("%s", err.data);
        } else if (json_path && strcmp(json_path, "-") == 0) {
            fflush(stdout);
            if (!(ok = cli_write_all(1, out.data, out.len))) cli_error("--json -: cannot write to stdout: %s", strerror(errno));
        } else if (json_path) {
            char *dst = report_destination(json_path, pid, main_pid);
            if (!(ok = cli_write_file(dst, out.data, out.len))) cli_error("--json: cannot write '%s': %s", dst, strerror(errno));
            if (!ok && pid == main_pid) cli_remove_stale(dst); /* never leave an earlier run's report behind */
            free(dst);
        }
        if (ok && json_path && pid == main_pid) res->main_json = true;
        if (ok && render) {
            cli_run_outputs mine = *outputs;
            char *sarif = mine.sarif_path ? report_destination(mine.sarif_path, pid, main_pid) : NULL;
            char *html = mine.html_path ? report_destination(mine.html_path, pid, main_pid) : NULL;
            mine.sarif_path = sarif, mine.html_path = html;
            ok = cli_run_render(out.data, out.len, &mine);
            free(sarif);
            free(html);
        }
    }
    if (!ok && wanted) res->ok = false;
    cli_str_free(&text);
    cli_str_free(&out);
    cli_str_free(&err);
    free(src);
}

static int compare_pids(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Every process that wrote files in the run's directory: the program first,
 * then the others by pid.  Returns how many, in a malloc'ed array. */
static size_t report_pids(const char *dir, int main_pid, int **out)
{
    size_t n = 0, cap = 16;
    int *pids = cli_alloc(cap * sizeof(*pids));
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid = cli_report_file_pid(e->d_name, ".json");
        if (!pid) pid = cli_report_file_pid(e->d_name, ".log");
        if (!pid) continue;
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++) seen = pids[i] == pid;
        if (seen) continue;
        if (n == cap) pids = cli_realloc(pids, (cap *= 2) * sizeof(*pids));
        pids[n++] = pid;
    }
    if (d) closedir(d);
    qsort(pids, n, sizeof(*pids), compare_pids);
    for (size_t i = 0; i < n; i++)
        if (pids[i] == main_pid) {
            memmove(pids + 1, pids, i * sizeof(*pids));
            pids[0] = main_pid;
        }
    *out = pids;
    return n;
}

static run_result collect_reports(const char *dir, const char *json_path, const cli_run_outputs *outputs, int main_pid,
                                  const char *env_marker)
{
    run_result res = {.ok = true};
    int *pids;
    size_t n = report_pids(dir, main_pid, &pids);
    /* and those still running that have written nothing yet */
    int live[256];
    size_t n_live = cli_run_processes(env_marker, main_pid, live, CLI_ARRAY_LEN(live));
    for (size_t k = 0; k < n_live; k++) {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++) known = pids[i] == live[k];
        if (known) continue;
        pids = cli_realloc(pids, (n + 1) * sizeof(*pids));
        pids[n++] = live[k];
    }
    for (size_t i = 0; i < n; i++) {
        char *json = cli_printf("%s/%d.json", dir, pids[i]);
        struct stat st;
        bool has_json = stat(json, &st) == 0;
        free(json);
        if (pids[i] == main_pid) res.main_seen = true;
        if (cli_pid_running(pids[i])) {
            res.running++;
            cli_error("pid %d, started by the program, is still running: its reports will be in %s/%d.log and "
                      "%s/%d.json, and are not counted in this run's status",
                      pids[i], dir, pids[i], dir, pids[i]);
            continue;
        }
        if (has_json) collect_report(dir, pids[i], main_pid, json_path, outputs, &res);
    }
    free(pids);
    if (!res.main_seen)
        cli_error("the runtime did not run in the program (pid %d): nothing was checked (a static or set-uid "
                  "program, or killed before the runtime started?)", main_pid);
    if (json_path && !res.main_json) {
        if (res.main_seen) cli_error("--json: the program (pid %d) wrote no JSON report", main_pid);
        if (strcmp(json_path, "-") != 0) {
            char *dst = report_destination(json_path, main_pid, main_pid);
            cli_remove_stale(dst);
            free(dst);
        }
        res.ok = false;
    }
    return res;
}

/* ---- the environment ------------------------------------------------------------ */
/* guard=sites: the run's table of first uses (lg_guard_file.h), a memory
 * file every process of the run maps through /proc/<this pid>/fd, so that
 * a site's first uses are guarded once a run, not in each of the images a
 * build's or a script's processes exec.  -1 when it cannot be had: each
 * process then counts its own. */
static int make_guard_sites_table(void)
{
    int fd = memfd_create("lifeguard-guard-sites", MFD_CLOEXEC);
    if (fd < 0) return -1;
    size_t magic = sizeof(LG_GUARD_FILE_MAGIC) - 1;
    if (ftruncate(fd, LG_GUARD_FILE_SIZE) != 0 || pwrite(fd, LG_GUARD_FILE_MAGIC, magic, 0) != (ssize_t)magic) {
        close(fd);
        return -1;
    }
    return fd;
}

static size_t env_count(char **env)
{
    size_t n = 0;
    while (env[n]) n++;
    return n;
}

/* environ with LD_PRELOAD and LIFEGUARD_OPTIONS replaced: those two, the
 * only strings allocated here, come last. */
static char **make_env(const char *lib, const char *options)
{
    size_t n = 0;
    while (environ[n]) n++;
    char **env = cli_alloc((n + 3) * sizeof(*env));
    size_t k = 0;
    const char *old_preload = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "LD_PRELOAD=", 11) == 0) old_preload = environ[i] + 11;
        else if (strncmp(environ[i], "LIFEGUARD_OPTIONS=", 18) != 0) env[k++] = environ[i];
    }
    env[k++] = old_preload && *old_preload ? cli_printf("LD_PRELOAD=%s:%s", lib, old_preload)
                                           : cli_printf("LD_PRELOAD=%s", lib);
    env[k++] = cli_printf("LIFEGUARD_OPTIONS=%s", options);
    env[k] = NULL;
    return env;
}

int cli_cmd_run(int argc, char **argv)
{
    run_args ra;
    parse_args(argc, argv, &ra);

    /* Each source on its own first, so an error names where it came from. */
    lg_options opts;
    lg_options_defaults(&opts);
    cli_str merged = {0};
    const char *env_opts = getenv("LIFEGUARD_OPTIONS");
    if (env_opts) check_options(&opts, env_opts, "LIFEGUARD_OPTIONS");
    join(&merged, env_opts);
    if (ra.options) check_options(&opts, ra.options, "--options");
    join(&merged, ra.options);
    for (size_t i = 0; i < ra.n_o; i++) {
        if (!strchr(ra.o_list[i], '=')) cli_die("bad runtime option in -o '%s': expected KEY=VALUE", ra.o_list[i]);
        char *where = cli_printf("-o '%s'", ra.o_list[i]);
        check_options(&opts, ra.o_list[i], where);
        free(where);
        join(&merged, ra.o_list[i]);
    }

    /* The user's own log_path and json_path (-o, --options, the
     * environment) name where lifeguard puts the reports, as --log and
     * --json do; the runtime itself writes into the run's directory. */
    char *user_log = opts.log_path[0] ? cli_strdup(opts.log_path) : NULL;
    char *user_json = opts.json_path[0] ? cli_strdup(opts.json_path) : NULL;
    const char *log_path = ra.log_path ? ra.log_path : user_log;
    const char *log_flag = ra.log_path ? "--log" : "log_path";
    const char *json_path = ra.json_path ? ra.json_path : user_json;
    const char *json_flag = ra.json_path ? "--json" : "json_path";

    const char *lib_source;
    char *lib = find_library(&ra, &lib_source);
    lib = check_library(lib, lib_source);
    char *program = resolve_program(ra.prog_argv[0]);
    check_checkable(program, lib);
    bool log_std = log_path && (strcmp(log_path, "stdout") == 0 || strcmp(log_path, "stderr") == 0);
    bool log_per_pid = log_path && strstr(log_path, "%p");
    bool json_stdout = json_path && strcmp(json_path, "-") == 0;
    if (json_path && !json_stdout) {
        char *first = cli_expand_pid(json_path, (int)getpid());
        check_output(json_flag, first, true);
        free(first);
    }
    if (log_path && !log_std) {
        char *first = cli_expand_pid(log_path, (int)getpid());
        check_output(log_flag, first, false);
        free(first);
    }
    if (json_path && log_path && strcmp(json_path, log_path) == 0)
        cli_die("run: %s and %s name the same file '%s'", json_flag, log_flag, json_path);
    if (ra.outputs.sarif_path) check_output("--sarif", ra.outputs.sarif_path, true);
    if (ra.outputs.html_path) check_output("--html", ra.outputs.html_path, true);
    char *srcroot = ra.srcroot ? realpath(ra.srcroot, NULL) : cli_default_srcroot();
    if (!srcroot) cli_die("run: --srcroot '%s': %s", ra.srcroot, strerror(errno));
    ra.outputs.render.srcroot = srcroot;

    int out_fd = 2;
    char *out_name = cli_strdup("stderr");
    if (log_std && strcmp(log_path, "stdout") == 0) {
        out_fd = 1;
        free(out_name);
        out_name = cli_strdup("stdout");
    } else if (log_path && !log_std) {
        free(out_name);
        out_name = cli_printf("%s '%s'", log_flag, log_path);
    }
    if (log_path && !log_std && !log_per_pid) {
        /* O_NONBLOCK for the open only: a FIFO nobody reads is an error, not a hang. */
        out_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
        if (out_fd < 0)
            cli_die("run: %s '%s' cannot be opened: %s", log_flag, log_path,
                    errno == ENXIO ? "it is a FIFO that nobody reads" : strerror(errno));
        fcntl(out_fd, F_SETFL, fcntl(out_fd, F_GETFL) & ~O_NONBLOCK);
    }

    /* lifeguard's plumbing comes last, so it wins over anything above. */
    char *tmp = make_temp_dir();
    bool guard_sites = lg_options_guard_mode(&opts) == LG_GUARD_MODE_SITES;
    int sites_fd = guard_sites && !opts.guard_sites_file[0] ? make_guard_sites_table() : -1;
    /* A clean process's JSON report is read only to be passed on: with no
     * JSON, SARIF, HTML or suppressions asked for, the run's processes but
     * the program write none (run_pid names the program: lifeguard's child). */
    bool reports_wanted = json_path || ra.outputs.sarif_path || ra.outputs.html_path || ra.outputs.gen_suppressions;
    char *sites = sites_fd >= 0 ? cli_printf(":guard_sites_file=/proc/%d/fd/%d", (int)getpid(), sites_fd) : cli_strdup("");
    char *plumbing = cli_printf("log_path=%s/%%p.log:json_path=%s/%%p.json%s:run_pid=%d%s", tmp, tmp, sites, (int)getpid(),
                                reports_wanted ? "" : ":json_clean=0");
    free(sites);
    join(&merged, plumbing);
    lg_options final_opts;
    lg_options_defaults(&final_opts);
    char err[512];
    if (!lg_options_parse(&final_opts, merged.data, err, sizeof(err))) {
        remove_temp_dir(tmp);
        cli_die("run: cannot pass the options to the runtime: %s", err);
    }
    char *problem = suppressions_problem(final_opts.suppressions);
    if (problem) {
        remove_temp_dir(tmp);
        cli_die("run: %s", problem);
    }

    cli_spawn sp = {
        .program_path = program,
        .argv = ra.prog_argv,
        .envp = make_env(lib, merged.data),
        .report_dir = tmp,
        .out_fd = out_fd,
        .out_pattern = log_per_pid ? log_path : NULL,
        .out_name = out_name,
        .env_marker = plumbing,
    };
    ra.outputs.log_fd = out_fd;
    ra.outputs.render.full_stacks = final_opts.full_stacks;
    cli_text_full_stacks = final_opts.full_stacks;
    int status = 0, pid = 0, rc = CLI_EXIT_USAGE;
    bool keep_dir = false;
    if (cli_spawn_run(&sp, &status, &pid)) {
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
        run_result res = collect_reports(tmp, json_path, &ra.outputs, pid, sp.env_marker);
        keep_dir = res.running > 0;
        long long errors = ra.count_top_only ? res.errors_top : res.errors_all;
        /* The program's own exit status stands, unless it is 0 and a process
         * (the program's before exec, or one it started) found errors. */
        if (rc == 0 && errors > 0) rc = (int)final_opts.exitcode;
        if (rc == 0 && (!res.main_seen || !res.ok)) rc = CLI_EXIT_USAGE;
    }
    if (!keep_dir) remove_temp_dir(tmp);
    if (sites_fd >= 0) close(sites_fd);
    if (out_fd > 2) close(out_fd);
    free(out_name);
    free(plumbing);
    free(user_log);
    free(user_json);
    cli_sym_shutdown();
    free(sp.envp[env_count(sp.envp) - 1]);
    free(sp.envp[env_count(sp.envp) - 2]);
    free(sp.envp);
    free(tmp);
    free(srcroot);
    free(program);
    free(lib);
    free(ra.o_list);
    cli_str_free(&merged);
    return rc;
}
