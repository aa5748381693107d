/* target.c — the program `lifeguard run` starts in the tests.
 *   target exit N     exit with status N
 *   target signal N   die of signal N
 *   target sleep      sleep 30 s (to be signalled)
 *   target linger     leave a child holding the log open, exit 3 (its pid
 *                     goes to $TARGET_LINGER_PIDFILE)
 *   target spawn      run `target exit 0` as a child process, exit 0
 *   target posix-spawn PROG ARGS...  run PROG (a path) with posix_spawn,
 *                     exit with its status
 *   target execvp PROG ARGS...       become PROG, found along PATH
 * With TARGET_MARKER set it first creates that file: proof it started. */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    const char *marker = getenv("TARGET_MARKER");
    if (marker) {
        FILE *f = fopen(marker, "w");
        if (f) fclose(f);
    }
    if (!strcmp(mode, "exit") && argc > 2) return atoi(argv[2]);
    if (!strcmp(mode, "signal") && argc > 2) {
        signal(atoi(argv[2]), SIG_DFL);
        raise(atoi(argv[2]));
    }
    if (!strcmp(mode, "sleep")) {
        sleep(30);
        return 0;
    }
    if (!strcmp(mode, "linger")) {
        pid_t pid = fork();
        if (pid == 0) {
            sleep(30);
            _exit(0);
        }
        const char *pidfile = getenv("TARGET_LINGER_PIDFILE");
        FILE *f = pidfile ? fopen(pidfile, "w") : NULL;
        if (f) {
            fprintf(f, "%d\n", (int)pid);
            fclose(f);
        }
        return 3;
    }
    if (!strcmp(mode, "spawn")) {
        pid_t pid = fork();
        if (pid == 0) {
            execl(argv[0], argv[0], "exit", "0", (char *)0);
            _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        return 0;
    }
    if (!strcmp(mode, "posix-spawn") && argc > 2) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0 || waitpid(pid, &status, 0) != pid) return 126;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (!strcmp(mode, "execvp") && argc > 2) {
        execvp(argv[2], argv + 2);
        return 127;
    }
    return 0;
}
