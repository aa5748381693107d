/* cli_run.c — `lifeguard run [--json FILE] [--log FILE] [-o k=v]...
 * [--options "k=v:k=v"] [--lib PATH] -- PROGRAM ARGS...`
 *
 * Everything that can be wrong with the command line is checked before the
 * program starts, and is reported as one line with exit status 2: the
 * program is then not run at all.  The runtime's options are merged in this
 * order, a later value winning: LIFEGUARD_OPTIONS from the environment,
 * --options, each -o, then lifeguard's own plumbing (log_fd, json_path). */
#define _GNU_SOURCE
#include "cli.h"
#include "cli_report.h"
#include "../core/lg_core.h"
#include "../core/lg_suppress.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
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
    "                     [--lib PATH] -- PROGRAM [ARGS...]\n";

typedef struct run_args {
    const char *json_path, *log_path, *lib_path, *options;
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
    FILE *f = fopen(path, "r");
    if (!f) return cli_printf("suppressions file '%s' cannot be read: %s", path, strerror(errno));
    cli_str text = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) cli_str_putn(&text, chunk, n);
    fclose(f);
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

/* ---- output files ------------------------------------------------------------ */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return cli_strdup(".");
    if (slash == path) return cli_strdup("/");
    return cli_strndup(path, (size_t)(slash - path));
}

/* The file will be replaced (written aside, renamed) when replace is set,
 * so its directory must be writable; else it is opened in place. */
static void check_output(const char *flag, const char *path, bool replace)
{
    if (!*path) cli_die("run: %s needs a file name", flag);
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) cli_die("run: %s '%s' is a directory", flag, path);
    if (exists && access(path, W_OK) != 0) cli_die("run: %s '%s' is not writable: %s", flag, path, strerror(errno));
    char *dir = dir_of(path);
    if (stat(dir, &st) != 0)
        cli_die("run: %s '%s': directory '%s' %s", flag, path, dir,
                errno == ENOENT ? "does not exist" : strerror(errno));
    if (!S_ISDIR(st.st_mode)) cli_die("run: %s '%s': '%s' is not a directory", flag, path, dir);
    if ((replace || !exists) && access(dir, W_OK | X_OK) != 0)
        cli_die("run: %s '%s': directory '%s' is not writable", flag, path, dir);
    free(dir);
}

static char *make_temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    /* ':' would split the option string; '%' is the runtime's pid marker. */
    if (!base || !*base || strpbrk(base, ":%")) base = "/tmp";
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

/* "report.<pid>.json" -> pid; 0 for any other name. */
static int report_pid(const char *name)
{
    if (strncmp(name, "report.", 7) != 0) return 0;
    char *end;
    long pid = strtol(name + 7, &end, 10);
    if (end == name + 7 || strcmp(end, ".json") != 0 || pid <= 0 || pid > INT_MAX) return 0;
    return (int)pid;
}

static bool export_report(const char *src, const char *dst, int pid, const cli_run_outputs *outputs)
{
    FILE *f = fopen(src, "re");
    cli_str text = {0}, out = {0}, err = {0};
    bool ok = f && cli_read_all(f, &text);
    if (f) fclose(f);
    if (!ok) {
        cli_error("cannot read the JSON report of pid %d: %s", pid, strerror(errno));
    } else {
        char *name = cli_printf("the JSON report of pid %d", pid);
        ok = cli_json_symbolize_text(text.data, text.len, name, &out, &err);
        free(name);
        if (!ok) cli_error("%s", err.data);
        else if (dst && !(ok = cli_write_file(dst, out.data, out.len)))
            cli_error("--json: cannot write '%s': %s", dst, strerror(errno));
        if (ok && outputs) ok = cli_run_render(out.data, out.len, outputs);
    }
    cli_str_free(&text);
    cli_str_free(&out);
    cli_str_free(&err);
    return ok;
}

/* Exports every report the program and its children wrote; false when the
 * main one could not be produced. */
static bool export_reports(const char *tmp, const char *json_path, int main_pid, const cli_run_outputs *outputs)
{
    bool main_seen = false, ok = true;
    DIR *d = opendir(tmp);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid = report_pid(e->d_name);
        if (!pid) continue;
        char *src = cli_printf("%s/%s", tmp, e->d_name);
        char *dst = !json_path ? NULL : pid == main_pid ? cli_strdup(json_path) : cli_printf("%s.%d", json_path, pid);
        /* The program's children: FILE.PID for each output, as for --json. */
        cli_run_outputs child = *outputs;
        char *sarif = pid == main_pid || !child.sarif_path ? NULL : cli_printf("%s.%d", child.sarif_path, pid);
        char *html = pid == main_pid || !child.html_path ? NULL : cli_printf("%s.%d", child.html_path, pid);
        if (pid != main_pid) child.sarif_path = sarif, child.html_path = html;
        if (!export_report(src, dst, pid, &child)) {
            ok = false;
            if (pid == main_pid && json_path) unlink(json_path); /* never leave an earlier run's report behind */
        }
        main_seen |= pid == main_pid;
        free(sarif);
        free(html);
        free(src);
        free(dst);
    }
    if (d) closedir(d);
    if (!main_seen) {
        if (json_path) unlink(json_path);
        cli_error("%s: the program (pid %d) wrote no JSON report: the runtime did not run in it "
                  "(a static or set-uid program?) or it was killed before it could",
                  json_path ? "--json" : outputs->sarif_path ? "--sarif" : outputs->html_path ? "--html" : "--gen-suppressions",
                  main_pid);
        ok = false;
    }
    return ok;
}

/* ---- the environment ------------------------------------------------------------ */
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

    const char *lib_source;
    char *lib = find_library(&ra, &lib_source);
    lib = check_library(lib, lib_source);
    char *program = resolve_program(ra.prog_argv[0]);
    if (ra.json_path) check_output("--json", ra.json_path, true);
    if (ra.log_path) check_output("--log", ra.log_path, false);
    if (ra.outputs.sarif_path) check_output("--sarif", ra.outputs.sarif_path, true);
    if (ra.outputs.html_path) check_output("--html", ra.outputs.html_path, true);
    char *srcroot = ra.srcroot ? realpath(ra.srcroot, NULL) : cli_default_srcroot();
    if (!srcroot) cli_die("run: --srcroot '%s': %s", ra.srcroot, strerror(errno));
    ra.outputs.render.srcroot = srcroot;
    bool want_report = ra.json_path || ra.outputs.sarif_path || ra.outputs.html_path || ra.outputs.gen_suppressions;
    if (ra.json_path && ra.log_path && strcmp(ra.json_path, ra.log_path) == 0)
        cli_die("run: --json and --log name the same file '%s'", ra.json_path);

    int out_fd = 2;
    if (ra.log_path) {
        out_fd = open(ra.log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (out_fd < 0) cli_die("run: --log '%s' cannot be opened: %s", ra.log_path, strerror(errno));
    }

    int log_pipe[2];
    if (pipe2(log_pipe, O_CLOEXEC) != 0) cli_die("run: cannot create a pipe: %s", strerror(errno));
    /* The runtime's end must not be a standard stream of the program. */
    if (log_pipe[1] <= 2) {
        int fd = fcntl(log_pipe[1], F_DUPFD_CLOEXEC, 3);
        if (fd < 0) cli_die("run: cannot create a pipe: %s", strerror(errno));
        close(log_pipe[1]);
        log_pipe[1] = fd;
    }

    /* lifeguard's plumbing comes last, so it wins over anything above. */
    char *tmp = want_report ? make_temp_dir() : NULL;
    if (opts.log_path[0]) join(&merged, "log_path=");
    char *plumbing = tmp ? cli_printf("log_fd=%d:json_path=%s/report.%%p.json", log_pipe[1], tmp)
                         : cli_printf("log_fd=%d", log_pipe[1]);
    join(&merged, plumbing);
    free(plumbing);
    lg_options final_opts;
    lg_options_defaults(&final_opts);
    char err[512];
    if (!lg_options_parse(&final_opts, merged.data, err, sizeof(err))) {
        if (tmp) remove_temp_dir(tmp);
        cli_die("run: cannot pass the options to the runtime: %s", err);
    }
    char *problem = suppressions_problem(final_opts.suppressions);
    if (problem) {
        if (tmp) remove_temp_dir(tmp);
        cli_die("run: %s", problem);
    }

    cli_spawn sp = {
        .program_path = program,
        .argv = ra.prog_argv,
        .envp = make_env(lib, merged.data),
        .log_read_fd = log_pipe[0],
        .log_write_fd = log_pipe[1],
        .out_fd = out_fd,
    };
    ra.outputs.log_fd = out_fd;
    ra.outputs.render.full_stacks = final_opts.full_stacks;
    cli_text_full_stacks = final_opts.full_stacks;
    int status = 0, pid = 0, rc = CLI_EXIT_USAGE;
    if (cli_spawn_run(&sp, &status, &pid)) {
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
        if (tmp && !export_reports(tmp, ra.json_path, pid, &ra.outputs) && rc == 0) rc = CLI_EXIT_USAGE;
    }
    if (tmp) remove_temp_dir(tmp);
    if (out_fd != 2) close(out_fd);
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
