/* proc_ab.c — what a short-lived process costs under each of several
 * configurations (a library and its options), run alternately hundreds of
 * times so that every configuration sees the same machine load: a few
 * milliseconds of CPU move by 10-20% from run to run in a VM, a tenth of
 * that between the configurations' quartiles and means.
 *
 *   proc_ab RUNS -c LIB OPTIONS [-c LIB OPTIONS]... -- PROG [ARG]...
 *
 * LIB is preloaded (an empty string: none), OPTIONS is LIFEGUARD_OPTIONS;
 * the program's output goes to /dev/null.  Prints, per configuration, the
 * CPU (user + sys, from the kernel's accounting) of one process: minimum,
 * first quartile, median and mean in microseconds, and the mean's change
 * against the first configuration.  docs/PERFORMANCE.md records its output. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CONFIGS 8

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: proc_ab RUNS -c LIB OPTIONS [-c LIB OPTIONS]... -- PROG [ARG]...\n");
    exit(2);
}

/* One run of the program under lib and options: its CPU in microseconds,
 * or a negative value when it did not exit 0. */
static double run_once(const char *lib, const char *options, char **prog)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (lib[0]) setenv("LD_PRELOAD", lib, 1);
        else unsetenv("LD_PRELOAD"); /* none, not proc_ab's own */
        setenv("LIFEGUARD_OPTIONS", options, 1);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execvp(prog[0], prog);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
    if (argc < 2) usage();
    char *end;
    long runs = strtol(argv[1], &end, 10);
    if (*end || runs < 1 || runs > 100000) usage();
    const char *lib[MAX_CONFIGS], *options[MAX_CONFIGS];
    int configs = 0, i = 2;
    while (i + 2 < argc && strcmp(argv[i], "-c") == 0 && configs < MAX_CONFIGS) {
        lib[configs] = argv[i + 1];
        options[configs++] = argv[i + 2];
        i += 3;
    }
    if (!configs || i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc) usage();
    char **prog = argv + i + 1;
    double *cpu[MAX_CONFIGS];
    for (int c = 0; c < configs; c++)
        if (!(cpu[c] = malloc(sizeof(double) * (size_t)runs))) return 1;
    for (long r = 0; r < runs; r++)
        for (int c = 0; c < configs; c++)
            if ((cpu[c][r] = run_once(lib[c], options[c], prog)) < 0) {
                fprintf(stderr, "proc_ab: %s did not exit 0 under configuration %d\n", prog[0], c + 1);
                return 1;
            }
    double first_mean = 0;
    printf("| configuration | min µs | q1 µs | median µs | mean µs | mean over the first |\n|---|---:|---:|---:|---:|---:|\n");
    for (int c = 0; c < configs; c++) {
        qsort(cpu[c], (size_t)runs, sizeof(double), by_value);
        double sum = 0;
        for (long r = 0; r < runs; r++) sum += cpu[c][r];
        double mean = sum / (double)runs;
        if (c == 0) first_mean = mean;
        printf("| %s %s | %.0f | %.0f | %.0f | %.0f | %+.1f%% |\n", lib[c][0] ? lib[c] : "(none)", options[c], cpu[c][0],
               cpu[c][runs / 4], cpu[c][runs / 2], mean, (mean / first_mean - 1) * 100);
    }
    return 0;
}
