// A fault reported while another thread holds the loader's lock: that
// thread sits in a dl_iterate_phdr callback waiting for a mutex main holds,
// and main reads a freed (guarded) block.  The fault handler's stack walk
// and report must not call dl_iterate_phdr (it would wait for the lock
// forever); they read the modules' snapshot.  A hang ends the run by
// SIGALRM, without the report.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_freed
// EXPECT-LINE: 41
// EXPECT-JQ: .access.type == "read" and (.stacks.access | any(.function == "main" and .line == 54)) and (.stacks.free | any(.function == "main" and .line == 49))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static volatile int inside;
static int *volatile freed;

static int wait_for_main(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info, (void)size, (void)data;
    inside = 1;
    pthread_mutex_lock(&held); /* main holds it: this thread waits inside dl_iterate_phdr */
    pthread_mutex_unlock(&held);
    return 1;
}

static void *loader_user(void *arg)
{
    (void)arg;
    dl_iterate_phdr(wait_for_main, NULL);
    return NULL;
}

__attribute__((noinline)) static int read_freed(void)
{
    return freed[3];
}

int main(void)
{
    alarm(20);
    freed = malloc(40);
    freed[3] = 1;
    free(freed);
    pthread_mutex_lock(&held);
    pthread_t t;
    pthread_create(&t, NULL, loader_user, NULL);
    while (!inside) usleep(1000);
    int v = read_freed();
    pthread_mutex_unlock(&held);
    pthread_join(t, NULL);
    return v;
}
