// fork() while other threads are inside the tracker: the tracker's locks
// are held across fork, so children never deadlock; a child that takes and
// drops references of its own exits cleanly, and does not report the
// parent's objects as its leaks.
// EXPECT-CLEAN
// EXPECT-STDOUT: children ok 20
// NO-RUNTIME-RUN
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifeguard.h"

#define THREADS 4

static void *objs[8];
static volatile int stop;

static void *churn(void *arg)
{
    long id = (long)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        for (int k = 0; k < 8; k++) {
            lg_ref_get(objs[k], (void *)(id + 1));
            lg_ref_put(objs[k], (void *)(id + 1));
        }
        void *tmp = malloc(24);
        lg_object_new(tmp, "Temp");
        lg_ref_put(tmp, NULL);
        free(tmp);
    }
    return NULL;
}

int main(void)
{
    for (int k = 0; k < 8; k++) {
        objs[k] = malloc(32);
        lg_object_new(objs[k], "Shared");
    }
    pthread_t tid[THREADS];
    for (long t = 0; t < THREADS; t++) pthread_create(&tid[t], NULL, churn, (void *)t);
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            void *mine = malloc(16);
            lg_object_new(mine, "ChildObject");
            lg_ref_get(objs[i % 8], mine);
            lg_ref_put(objs[i % 8], mine);
            lg_ref_put(mine, NULL);
            free(mine);
            exit(0); /* runs the exit checks in the child */
        }
        int status = 0;
        waitpid(pid, &status, 0);
        ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int t = 0; t < THREADS; t++) pthread_join(tid[t], NULL);
    for (int k = 0; k < 8; k++) {
        lg_ref_put(objs[k], NULL);
        free(objs[k]);
    }
    printf("children ok %d\n", ok);
    return 0;
}
