// fork while other threads allocate; the child allocates and exits, the
// parent frees what it had: no finding, no deadlock.
// EXPECT-CLEAN
// EXPECT-STDOUT: children ok
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop;

static void *churn(void *arg)
{
    (void)arg;
    while (!stop) free(malloc(128));
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, churn, NULL);
    char *kept = malloc(100);
    int ok = 1;
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char *p = malloc(1000);
            free(kept);
            free(p);
            _exit(0);
        }
        int status;
        waitpid(pid, &status, 0);
        ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    stop = 1;
    pthread_join(t, NULL);
    free(kept);
    puts(ok ? "children ok" : "a child failed");
    return 0;
}
