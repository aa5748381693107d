// A thread reads a block another thread freed: reported in the reading
// thread, with the freeing thread named.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: reader
// EXPECT-LINE: 19
// EXPECT-JQ: .access.type == "read" and .threads.access != .threads.free and .threads.free == .threads.alloc
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <pthread.h>
#include <stdlib.h>

static int *volatile shared;
static volatile int result;

static void *reader(void *arg)
{
    (void)arg;
    int *p = shared;
    result = p[1];
    return NULL;
}

int main(void)
{
    shared = malloc(16);
    shared[1] = 5;
    free(shared);
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    pthread_join(t, NULL);
    return result;
}
