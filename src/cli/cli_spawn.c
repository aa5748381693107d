/* cli_spawn.c — running the program under test for `lifeguard run`: start
 * it, pass on the signals sent to lifeguard, symbolize the text reports as
 * they arrive, and wait for it.
 *
 * Every process under the runtime writes its own files in the run's
 * directory, opened by path (PID.log, PID.json): nothing the program does
 * with its descriptors can lose them.  lifeguard follows the .log files as
 * they grow (woken by inotify, or every 100 ms).  Processes the program
 * leaves behind are not waited for: once the program itself is gone, the
 * others get a bounded time to finish. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 100         /* look at the report files at least this often */
#define MIN_SCAN_MS 20      /* ... and at most this often */
#define DRAIN_MAX_MS 1000   /* after the exit: how long the program's other processes get to finish */
#define MAX_LINE (1u << 20) /* a longer "line" is passed on in pieces */

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static volatile sig_atomic_t child_pid;
static int wake_write_fd = -1;

static void on_signal(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    int saved = errno;
    /* The terminal sends its signals (^C, ^\, hang-up) to the whole
     * foreground process group, the program included: forward only what
     * was sent to lifeguard alone. */
    if (sig != SIGCHLD && child_pid > 0 && si->si_code != SI_KERNEL) kill((pid_t)child_pid, sig);
    char byte = (char)sig;
    if (write(wake_write_fd, &byte, 1) < 0) { /* full: a wake-up is pending anyway */
    }
    errno = saved;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the text reports -------------------------------------------------- */
typedef struct log_pump {
    cli_str partial; /* the unfinished last line */
    cli_str out;
    int out_fd;
    bool own_fd; /* out_fd was opened for this process (a %p output) */
} log_pump;

typedef struct proc_files {
    int pid;
    off_t log_offset; /* how much of PID.log was read */
    log_pump pump;
} proc_files;

static proc_files *procs;
static size_t n_procs, cap_procs;

static void pump_emit(cli_spawn *sp, log_pump *lp)
{
    static bool told;
    if (lp->out.len && !cli_write_all(lp->out_fd, lp->out.data, lp->out.len)) {
        /* Said once, then the report goes to stderr rather than nowhere. */
        if (!told) cli_error("%s: cannot write the report: %s; writing it to stderr instead", sp->out_name, strerror(errno));
        told = true;
        if (lp->own_fd) close(lp->out_fd);
        else if (lp->out_fd == sp->out_fd) sp->out_fd = 2;
        lp->own_fd = false;
        lp->out_fd = 2;
        cli_write_all(2, lp->out.data, lp->out.len);
    }
    lp->out.len = 0;
}

static void pump_feed(cli_spawn *sp, log_pump *lp, const char *buf, size_t n)
{
    cli_str_putn(&lp->partial, buf, n);
    size_t start = 0;
    for (size_t i = 0; i < lp->partial.len; i++) {
        if (lp->partial.data[i] != '\n') continue;
        cli_text_line(lp->partial.data + start, i - start, &lp->out);
        start = i + 1;
    }
    if (lp->partial.len - start > MAX_LINE) {
        cli_str_putn(&lp->out, lp->partial.data + start, lp->partial.len - start);
        start = lp->partial.len;
    }
    memmove(lp->partial.data, lp->partial.data + start, lp->partial.len - start);
    lp->partial.len -= start;
    pump_emit(sp, lp);
}

static void pump_finish(cli_spawn *sp, log_pump *lp)
{
    if (lp->partial.len) cli_text_line(lp->partial.data, lp->partial.len, &lp->out);
    pump_emit(sp, lp);
    if (lp->own_fd) close(lp->out_fd);
    cli_str_free(&lp->partial);
    cli_str_free(&lp->out);
}

/* "123.log" / "123.json" -> 123; 0 for any other name (temporaries too). */
int cli_report_file_pid(const char *name, const char *suffix)
{
    char *end;
    if (name[0] < '1' || name[0] > '9') return 0;
    long pid = strtol(name, &end, 10);
    if (strcmp(end, suffix) != 0 || pid <= 0 || pid > 0x7fffffff) return 0;
    return (int)pid;
}

static proc_files *proc_of(cli_spawn *sp, int pid)
{
    for (size_t i = 0; i < n_procs; i++)
        if (procs[i].pid == pid) return &procs[i];
    if (n_procs == cap_procs) {
        cap_procs = cap_procs ? cap_procs * 2 : 16;
        procs = cli_realloc(procs, cap_procs * sizeof(*procs));
    }
    proc_files *p = &procs[n_procs++];
    memset(p, 0, sizeof(*p));
    p->pid = pid;
    p->pump.out_fd = sp->out_fd;
    if (sp->out_pattern) {
        char *path = cli_expand_pid(sp->out_pattern, pid);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
        if (fd < 0) {
            cli_error("%s: cannot open '%s' for pid %d: %s; writing its report to stderr", sp->out_name, path, pid,
                      strerror(errno));
            p->pump.out_fd = 2;
        } else {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            p->pump.out_fd = fd;
            p->pump.own_fd = true;
        }
        free(path);
    }
    return p;
}

/* Reads what each PID.log gained since last time; learns of new processes. */
static void scan_reports(cli_spawn *sp)
{
    DIR *d = opendir(sp->report_dir);
    if (!d) return;
    struct dirent *e;
    char buf[65536];
    while ((e = readdir(d))) {
        int pid = cli_report_file_pid(e->d_name, ".log");
        if (!pid) {
            if ((pid = cli_report_file_pid(e->d_name, ".json"))) proc_of(sp, pid);
            continue;
        }
        proc_files *p = proc_of(sp, pid);
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) continue;
        ssize_t n;
        while ((n = pread(fd, buf, sizeof(buf), p->log_offset)) > 0) {
            p->log_offset += n;
            pump_feed(sp, &p->pump, buf, (size_t)n);
        }
        close(fd);
    }
    closedir(d);
}

bool cli_pid_running(int pid)
{
    if (kill(pid, 0) != 0 && errno != EPERM) return false;
    char path[64], stat[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f) return true;
    size_t n = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[n] = 0;
    const char *paren = strrchr(stat, ')');
    return !(paren && (paren[2] == 'Z' || paren[2] == 'X')); /* a zombie has written all it will */
}

size_t cli_run_processes(const char *marker, int exclude, int *out, size_t cap)
{
    static char env[1 << 17];
    size_t n = 0, marker_len = strlen(marker);
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && n < cap && (e = readdir(d))) {
        int pid = atoi(e->d_name);
        if (pid <= 0 || pid == exclude || pid == (int)getpid()) continue;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/environ", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t got = read(fd, env, sizeof(env));
        close(fd);
        if (got > 0 && memmem(env, (size_t)got, marker, marker_len) && cli_pid_running(pid)) out[n++] = pid;
    }
    if (d) closedir(d);
    return n;
}

static bool others_running(cli_spawn *sp, int main_pid)
{
    for (size_t i = 0; i < n_procs; i++)
        if (procs[i].pid != main_pid && cli_pid_running(procs[i].pid)) return true;
    int any;
    return cli_run_processes(sp->env_marker, main_pid, &any, 1) > 0;
}

/* ---- the child ---------------------------------------------------------- */
static _Noreturn void exec_child(cli_spawn *sp, const struct sigaction *old_actions, const sigset_t *old_mask,
                                 int err_fd)
{
    for (size_t i = 0; i < CLI_ARRAY_LEN(forwarded); i++) sigaction(forwarded[i], &old_actions[i], NULL);
    sigaction(SIGCHLD, &old_actions[CLI_ARRAY_LEN(forwarded)], NULL);
    sigaction(SIGPIPE, &old_actions[CLI_ARRAY_LEN(forwarded) + 1], NULL);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    execve(sp->program_path, sp->argv, sp->envp);
    int e = errno;
    if (e == ENOEXEC) { /* no ELF, no "#!": a shell script, as execvp and shells run it */
        size_t argc = 0;
        while (sp->argv[argc]) argc++;
        char **sh_argv = calloc(argc + 2, sizeof(*sh_argv));
        if (sh_argv) {
            sh_argv[0] = (char *)"sh";
            sh_argv[1] = (char *)sp->program_path;
            for (size_t i = 1; i < argc; i++) sh_argv[i + 1] = sp->argv[i];
            execve("/bin/sh", sh_argv, sp->envp);
        }
    }
    if (write(err_fd, &e, sizeof(e)) < 0) { /* the parent sees a short read */
    }
    _exit(127);
}

bool cli_spawn_run(cli_spawn *sp, int *status_out, int *pid_out)
{
    int wake[2], exec_err[2];
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0 || pipe2(exec_err, O_CLOEXEC) != 0) {
        cli_error("cannot create a pipe: %s", strerror(errno));
        return false;
    }
    wake_write_fd = wake[1];

    /* Handlers are installed with the signals blocked, and unblocked only
     * once child_pid is known, so none is lost or sent nowhere. */
    sigset_t block, old_mask;
    sigemptyset(&block);
    for (size_t i = 0; i < CLI_ARRAY_LEN(forwarded); i++) sigaddset(&block, forwarded[i]);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old_mask);

    struct sigaction sa, old_actions[CLI_ARRAY_LEN(forwarded) + 2];
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < CLI_ARRAY_LEN(forwarded); i++) sigaction(forwarded[i], &sa, &old_actions[i]);
    sa.sa_flags |= SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, &old_actions[CLI_ARRAY_LEN(forwarded)]);
    /* A closed stderr or log must not kill lifeguard while the program runs. */
    struct sigaction ign;
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old_actions[CLI_ARRAY_LEN(forwarded) + 1]);

    pid_t pid = fork();
    if (pid == 0) exec_child(sp, old_actions, &old_mask, exec_err[1]);
    close(exec_err[1]);
    if (pid < 0) {
        cli_error("cannot start '%s': %s", sp->program_path, strerror(errno));
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        close(exec_err[0]);
        return false;
    }
    child_pid = pid;
    sigprocmask(SIG_SETMASK, &old_mask, NULL);

    int exec_errno = 0;
    ssize_t got;
    do got = read(exec_err[0], &exec_errno, sizeof(exec_errno));
    while (got < 0 && errno == EINTR);
    close(exec_err[0]);
    if (got == (ssize_t)sizeof(exec_errno)) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        child_pid = 0;
        cli_error("cannot execute '%s': %s", sp->program_path, strerror(exec_errno));
        return false;
    }

    int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC); /* without it, the files are looked at every POLL_MS */
    if (watch >= 0 && inotify_add_watch(watch, sp->report_dir, IN_MODIFY | IN_CREATE) < 0) {
        close(watch);
        watch = -1;
    }
    bool exited = false, due = true;
    int status = 0;
    uint64_t deadline = 0, last_scan = 0;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        if (!exited) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid) {
                exited = true;
                child_pid = 0;
                deadline = now_ms() + DRAIN_MAX_MS;
            }
        }
        /* At most one look every MIN_SCAN_MS: a program that forks
         * thousands of processes must not make lifeguard list them all for
         * every file they create. */
        uint64_t now = now_ms();
        if (exited || now - last_scan >= POLL_MS || (due && now - last_scan >= MIN_SCAN_MS)) {
            scan_reports(sp);
            last_scan = now;
            due = false;
        }
        if (exited && (now >= deadline || !others_running(sp, pid))) break;
        int timeout = exited ? 20 : due ? (int)(MIN_SCAN_MS - (now - last_scan)) : POLL_MS;
        bool watching = watch >= 0 && !due;
        struct pollfd fds[2] = {{.fd = wake[0], .events = POLLIN}, {.fd = watch, .events = POLLIN}};
        int r = poll(fds, watching ? 2 : 1, timeout);
        if (r < 0 && errno != EINTR) {
            cli_error("cannot wait for the program: %s", strerror(errno));
            break;
        }
        if (r > 0 && fds[0].revents)
            while (read(wake[0], buf, sizeof(buf)) > 0) {
            }
        ssize_t n;
        while (r > 0 && watching && fds[1].revents && (n = read(watch, buf, sizeof(buf))) > 0)
            for (ssize_t at = 0; at + (ssize_t)sizeof(struct inotify_event) <= n;) {
                const struct inotify_event *ev = (const struct inotify_event *)(buf + at);
                size_t len = ev->len ? strlen(ev->name) : 0;
                if (len > 4 && strcmp(ev->name + len - 4, ".log") == 0) due = true; /* text to show */
                at += (ssize_t)(sizeof(*ev) + ev->len);
            }
    }
    if (!exited) { /* poll failed: still wait for the program, as promised */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        child_pid = 0;
    }
    scan_reports(sp);
    for (size_t i = 0; i < n_procs; i++) pump_finish(sp, &procs[i].pump);
    free(procs);
    procs = NULL;
    n_procs = cap_procs = 0;
    if (watch >= 0) close(watch);
    close(wake[0]);
    *status_out = status;
    *pid_out = (int)pid;
    return true;
}
