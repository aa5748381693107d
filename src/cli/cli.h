/* cli.h — the lifeguard command-line tool's internal interface.
 *
 * Modules:
 *   cli_main.c       command dispatch, --help, --version
 *   cli_util.c       one-line errors, allocation, growable strings, file helpers
 *   cli_sym.c        module+offset -> function, file, line, inlined calls (libdwfl)
 *   cli_text.c       symbolizing the frame lines of a text report
 *   cli_json.c       symbolizing every frame of a JSON report (jansson)
 *   cli_symbolize.c  the `symbolize` command
 *   cli_run.c        the `run` command: arguments and their validation
 *   cli_spawn.c      the `run` command: starting the program, pumping its log, waiting
 *   cli_report.c     the `report` command; cli_report.h: its renderers (SARIF, HTML, text,
 *                    suppressions, baseline) */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_USAGE 2 /* bad input; also lifeguard's own failures */
#define CLI_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cli_util.c --------------------------------------------------------- */
/* Prints "lifeguard: <message>" as one line on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cli_error, then exit(CLI_EXIT_USAGE). */
_Noreturn void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *cli_alloc(size_t size);
void *cli_realloc(void *p, size_t size);
char *cli_strdup(const char *s);
char *cli_strndup(const char *s, size_t n);
char *cli_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct cli_str {
    char *data; /* always NUL-terminated once anything was added */
    size_t len, cap;
} cli_str;

void cli_str_putn(cli_str *s, const char *text, size_t n);
void cli_str_puts(cli_str *s, const char *text);
void cli_str_printf(cli_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_str_free(cli_str *s);

/* Reads the whole stream; false (errno set) on a read error. */
bool cli_read_all(FILE *f, cli_str *out);
/* Writes all of buf to fd, retrying on EINTR and short writes. */
bool cli_write_all(int fd, const char *buf, size_t len);
/* Writes data as path's content: a regular file (or none) replaced
 * atomically, anything else (a device, a FIFO, a symlink) written in place;
 * a directory or block device refused.  False with errno set. */
bool cli_write_file(const char *path, const char *data, size_t len);
/* pattern with every %p replaced by pid (malloc'ed). */
char *cli_expand_pid(const char *pattern, int pid);
/* Removes path when it is a regular file (never a device, FIFO or symlink). */
bool cli_remove_stale(const char *path);

/* ---- cli_sym.c ------------------------------------------------------------ */
typedef struct cli_loc {
    const char *function; /* NULL: unknown */
    const char *file;     /* NULL: unknown */
    unsigned line;        /* 0: unknown */
} cli_loc;

/* Where a return address is.  `where` is the real (out-of-line) function;
 * when calls were inlined at the address, inlined[0] is the innermost one
 * and where.file:line is the call site, in the real function, of the
 * outermost inlined call. */
typedef struct cli_frame_info {
    cli_loc where;
    size_t n_inlined;
    cli_loc *inlined;
} cli_frame_info;

/* Looks up the return address at `offset` (an address of the module's ELF
 * file, as the runtime reports it) in the module file at `module`.  Returns
 * NULL when nothing is known: unreadable module, address in no symbol.
 * Results are cached for the life of the process and owned by the cache. */
const cli_frame_info *cli_sym_lookup(const char *module, uint64_t offset);
void cli_sym_shutdown(void);

/* ---- cli_text.c ----------------------------------------------------------- */
/* Writes one line of a text report (without its '\n'), symbolized when it is
 * a frame line, to out, each output line ended by '\n'. */
void cli_text_line(const char *line, size_t len, cli_str *out);
/* Keep the frames below main and a thread's start routine (full_stacks=1);
 * by default they are left out. */
extern bool cli_text_full_stacks;

/* ---- cli_json.c ----------------------------------------------------------- */
/* Parses a JSON report from text, symbolizes every frame and renders it.
 * On bad JSON writes a one-line error naming `name` and the position to
 * err and returns false. */
bool cli_json_symbolize_text(const char *text, size_t len, const char *name, cli_str *out, cli_str *err);

/* summary.errors of a JSON report; false when it has none or is not JSON. */
bool cli_json_error_count(const char *text, size_t len, long long *errors);

/* ---- commands -------------------------------------------------------------- */
int cli_cmd_symbolize(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
/* The current directory, malloc'd: the default source root. */
char *cli_default_srcroot(void);

/* ---- cli_spawn.c ---------------------------------------------------------- */
typedef struct cli_spawn {
    const char *program_path; /* resolved; what is executed */
    char **argv;              /* the program's argv, NULL-terminated */
    char **envp;              /* its environment, NULL-terminated */
    const char *report_dir;   /* where each process writes PID.log and PID.json */
    int out_fd;               /* where the symbolized text goes */
    const char *out_pattern;  /* or, when set, a file per process (%p: its pid) */
    const char *out_name;     /* the output, for messages ("stderr", "--log 'x'") */
    const char *env_marker;   /* in the environment of every process of the run */
} cli_spawn;

/* Starts the program, shows the text reports of all its processes as they
 * arrive until it is gone (and its other processes, for a bounded time),
 * and returns its wait status in *status and its pid in *pid.  False (with
 * a one-line error printed) when the program could not be started. */
bool cli_spawn_run(cli_spawn *sp, int *status, int *pid);
/* "123.log" -> 123 for suffix ".log"; 0 for any other name. */
int cli_report_file_pid(const char *name, const char *suffix);
/* The process exists and is not a zombie. */
bool cli_pid_running(int pid);
/* The running processes (but exclude and lifeguard itself) whose environment
 * holds marker: those of the run, reports written or not.  Up to cap. */
size_t cli_run_processes(const char *marker, int exclude, int *out, size_t cap);

#endif
