/* cli_spawn.c — running the program under test for `lifeguard run`: start
 * it, pass on the signals sent to lifeguard, symbolize its report log as it
 * arrives, and wait for it.
 *
 * The log pipe may be held open by processes the program started and left
 * running, so the end of the log is not waited for: once the program itself
 * is gone, what is still arriving is read for a bounded time only. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_IDLE_MS 100   /* after the exit: stop when the log is quiet this long */
#define DRAIN_MAX_MS 1000   /* after the exit: stop reading the log after this long in any case */
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

/* ---- the log ----------------------------------------------------------- */
typedef struct log_pump {
    cli_str partial; /* the unfinished last line */
    cli_str out;
    int out_fd;
    bool out_broken; /* the output failed: keep reading the pipe, drop the text */
} log_pump;

static void pump_emit(log_pump *lp)
{
    if (lp->out.len && !lp->out_broken && !cli_write_all(lp->out_fd, lp->out.data, lp->out.len))
        lp->out_broken = true;
    lp->out.len = 0;
}

static void pump_feed(log_pump *lp, const char *buf, size_t n)
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
    pump_emit(lp);
}

static void pump_finish(log_pump *lp)
{
    if (lp->partial.len) cli_text_line(lp->partial.data, lp->partial.len, &lp->out);
    pump_emit(lp);
    cli_str_free(&lp->partial);
    cli_str_free(&lp->out);
}

/* ---- the child ---------------------------------------------------------- */
static _Noreturn void exec_child(cli_spawn *sp, const struct sigaction *old_actions, const sigset_t *old_mask,
                                 int err_fd)
{
    for (size_t i = 0; i < CLI_ARRAY_LEN(forwarded); i++) sigaction(forwarded[i], &old_actions[i], NULL);
    sigaction(SIGCHLD, &old_actions[CLI_ARRAY_LEN(forwarded)], NULL);
    sigaction(SIGPIPE, &old_actions[CLI_ARRAY_LEN(forwarded) + 1], NULL);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    int flags = fcntl(sp->log_write_fd, F_GETFD);
    if (flags >= 0) fcntl(sp->log_write_fd, F_SETFD, flags & ~FD_CLOEXEC);
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
    close(sp->log_write_fd);
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

    log_pump lp = {.out_fd = sp->out_fd};
    bool log_open = true, exited = false;
    int status = 0;
    uint64_t deadline = 0;
    char buf[65536];
    for (;;) {
        if (!exited) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid) {
                exited = true;
                child_pid = 0;
                deadline = now_ms() + DRAIN_MAX_MS;
            }
        }
        if (exited && !log_open) break;
        int timeout = -1;
        if (exited) {
            uint64_t now = now_ms();
            if (now >= deadline) break;
            timeout = (int)(deadline - now < DRAIN_IDLE_MS ? deadline - now : DRAIN_IDLE_MS);
        }
        struct pollfd fds[2] = {{.fd = wake[0], .events = POLLIN}, {.fd = sp->log_read_fd, .events = POLLIN}};
        int r = poll(fds, log_open ? 2 : 1, timeout);
        if (r < 0) {
            if (errno == EINTR) continue;
            cli_error("cannot wait for the program: %s", strerror(errno));
            break;
        }
        if (r == 0) {
            if (exited) break;
            continue;
        }
        if (fds[0].revents) {
            while (read(wake[0], buf, sizeof(buf)) > 0) {
            }
        }
        if (log_open && fds[1].revents) {
            ssize_t n = read(sp->log_read_fd, buf, sizeof(buf));
            if (n > 0) pump_feed(&lp, buf, (size_t)n);
            else if (n == 0 || (errno != EINTR && errno != EAGAIN)) log_open = false;
        }
    }
    pump_finish(&lp);
    if (!exited) { /* poll failed: still wait for the program, as promised */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        child_pid = 0;
    }
    close(sp->log_read_fd);
    close(wake[0]);
    *status_out = status;
    *pid_out = (int)pid;
    return true;
}
