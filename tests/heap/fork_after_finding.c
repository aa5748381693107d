// A finding in the parent is the parent's: a child forked after it exits
// with its own status, not lifeguard's error status.
// EXPECT-KIND: double-free
// EXPECT-FUNCTION: main
// EXPECT-STDOUT: child exited 0
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char *p = malloc(32);
    free(p);
    free(p); /* reported; the program goes on */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) exit(0);
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child exited %d\n", WEXITSTATUS(status));
    return 0;
}
