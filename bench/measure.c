/* measure.c — runs one program and reports its wall time, CPU time and peak
 * resident set, so bench/run.sh needs nothing beyond a C compiler.
 *
 *   measure [-t SECONDS] [-o OUT] [-e ERR] [-E NAME=VALUE]... -- PROG [ARG]...
 *
 * -E sets a variable in the child only: an LD_PRELOAD given this way never
 * applies to measure itself.  The result is one line on stdout:
 *   status=exit:0 wall=1.234567 user=1.100000 sys=0.100000 cpu=1.200000 maxrss_kb=12345 minflt=678
 * (minflt: the minor page faults of the program and the children it waited for).
 * status is exit:N, signal:N or timeout (the child's process group is then
 * killed).  measure exits 0 whenever it could run the program. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;
static volatile pid_t child;

/* Both run in a handler: kill() is async-signal-safe, and killing from the
 * handler leaves no window in which an early alarm could be missed. */
static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
    if (child > 0)
        kill(-child, SIGKILL);
}

static void on_interrupt(int sig)
{
    if (child > 0)
        kill(-child, sig);
}

static void usage(void)
{
    fprintf(stderr, "usage: measure [-t SECONDS] [-o OUT] [-e ERR] [-E NAME=VALUE]... -- PROG [ARG]...\n");
    exit(2);
}

static void redirect(const char *path, int fd, int flags)
{
    int f = open(path, flags, 0644);
    if (f < 0 || dup2(f, fd) < 0) {
        fprintf(stderr, "measure: %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(f);
}

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *err = NULL;
    double timeout = 0;
    char **env_set = calloc((size_t)argc, sizeof *env_set);
    int n_env = 0, opt;

    while ((opt = getopt(argc, argv, "+t:o:e:E:")) != -1) {
        switch (opt) {
        case 't': timeout = strtod(optarg, NULL); break;
        case 'o': out = optarg; break;
        case 'e': err = optarg; break;
        case 'E':
            if (!strchr(optarg, '='))
                usage();
            env_set[n_env++] = optarg;
            break;
        default: usage();
        }
    }
    if (optind >= argc)
        usage();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 2;
    }
    if (pid == 0) {
        setpgid(0, 0);
        redirect("/dev/null", 0, O_RDONLY);
        if (out)
            redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC);
        if (err)
            redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC);
        for (int k = 0; k < n_env; k++)
            putenv(env_set[k]);
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "measure: %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* also here, so the group exists before any kill */
    child = pid;
    if (timeout > 0) {
        struct itimerval it;
        memset(&it, 0, sizeof it);
        it.it_value.tv_sec = (time_t)timeout;
        it.it_value.tv_usec = (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6);
        if (!it.it_value.tv_sec && !it.it_value.tv_usec)
            it.it_value.tv_usec = 1;
        setitimer(ITIMER_REAL, &it, NULL);
    }

    int status;
    struct rusage ru;
    pid_t got;
    while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (got < 0) {
        perror("measure: wait4");
        return 2;
    }

    char st[32];
    if (timed_out)
        snprintf(st, sizeof st, "timeout");
    else if (WIFEXITED(status))
        snprintf(st, sizeof st, "exit:%d", WEXITSTATUS(status));
    else
        snprintf(st, sizeof st, "signal:%d", WTERMSIG(status));
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double user = seconds(ru.ru_utime), sys = seconds(ru.ru_stime);
    printf("status=%s wall=%.6f user=%.6f sys=%.6f cpu=%.6f maxrss_kb=%ld minflt=%ld\n", st, wall, user, sys,
           user + sys, ru.ru_maxrss, ru.ru_minflt);
    return 0;
}
