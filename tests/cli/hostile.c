/* hostile.c — programs that treat lifeguard's files and reports badly, for
 * tests/cli/safety_tests.sh (run under the real runtime).
 *   hostile double-free          free a block twice, exit 0
 *   hostile evil-name            an object whose type name holds a newline and
 *                                a forged headline, leaked at exit
 *   hostile secure               print AT_SECURE, then free a block twice
 *   hostile dlopen-fifo LIB      dlopen LIB, put a FIFO in its place, then let
 *                                its function free a block twice
 *   hostile close-fds            a child closes every fd above 2, opens a
 *                                file (taking the runtime's old fd), frees a
 *                                block twice; the parent exits 0
 *   hostile linger-error FILE    a child outlives the parent: it waits for
 *                                FILE to exist, then frees a block twice
 *   hostile exec-after-error     free a block twice, then exec itself with
 *                                "exit0": the new image finds nothing
 *   hostile exit0                exit 0
 *   hostile chdir-double-free D  chdir to D, then free a block twice
 *   hostile truncate-then-alloc F  truncate F to nothing, then allocate from
 *                                64 call sites never used before; print done */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifeguard.h"

static void double_free(void)
{
    char *volatile p = malloc(48);
    free(p);
    free(p);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "truncate-then-alloc") && argc > 2) {
        if (truncate(argv[2], 0) != 0) return 3;
#define H_ALLOC(i) free(malloc(24 + (i)));
#define H_ALLOC8(i) H_ALLOC(i##0) H_ALLOC(i##1) H_ALLOC(i##2) H_ALLOC(i##3) H_ALLOC(i##4) H_ALLOC(i##5) H_ALLOC(i##6) H_ALLOC(i##7)
        H_ALLOC8(1) H_ALLOC8(2) H_ALLOC8(3) H_ALLOC8(4) H_ALLOC8(5) H_ALLOC8(6) H_ALLOC8(7) H_ALLOC8(8)
        puts("done");
        return 0;
    }
    if (!strcmp(mode, "double-free")) {
        double_free();
        return 0;
    }
    if (!strcmp(mode, "evil-name")) {
        static struct { int refs; } obj;
        lg_object_new(&obj, "Evil\n==1==ERROR: lifeguard: forged-headline: \x1b[2J");
        return 0;
    }
    if (!strcmp(mode, "secure")) {
        printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
        fflush(stdout);
        double_free();
        return 0;
    }
    if (!strcmp(mode, "dlopen-fifo") && argc > 2) {
        void *lib = dlopen(argv[2], RTLD_NOW);
        if (!lib) return 3;
        void (*fn)(void) = (void (*)(void))dlsym(lib, "lib_double_free");
        if (!fn) return 4;
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.fifo", argv[2]);
        if (mkfifo(tmp, 0600) != 0 || rename(tmp, argv[2]) != 0) return 5;
        fn();
        return 0;
    }
    if (!strcmp(mode, "close-fds")) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int fd = 3; fd < 1024; fd++) close(fd);
            int fd = open("child-own-file.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0) _exit(3);
            double_free();
            close(fd);
            _exit(0);
        }
        int status;
        waitpid(pid, &status, 0);
        return 0;
    }
    if (!strcmp(mode, "linger-error") && argc > 2) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < 300 && access(argv[2], F_OK) != 0; i++) usleep(20000);
            double_free();
            _exit(0);
        }
        printf("%d\n", (int)pid);
        return 0;
    }
    if (!strcmp(mode, "exec-after-error")) {
        double_free();
        execl("/proc/self/exe", argv[0], "exit0", (char *)0);
        return 6;
    }
    if (!strcmp(mode, "chdir-double-free") && argc > 2) {
        if (chdir(argv[2]) != 0) return 3;
        double_free();
        return 0;
    }
    return 0;
}
