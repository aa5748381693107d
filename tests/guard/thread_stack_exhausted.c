// A thread whose stack is all but used up reads a freed guarded block: the
// kernel cannot push the signal frame on that stack, so the fault is
// reported only because the thread has an alternate signal stack of its
// own (given by the interposed pthread_create), and the report names the
// read.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_freed
// EXPECT-LINE: 26
// EXPECT-JQ: .access.type == "read" and .threads.access != .threads.free
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#define _GNU_SOURCE
#include <alloca.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int *volatile shared;
static volatile int result;
static char *stack_low;

/* Runs with a few hundred bytes of stack left: no room for a signal frame. */
__attribute__((noinline)) static void read_freed(void)
{
    result = shared[1];
}

__attribute__((noinline)) static void use_up_stack(void)
{
    char *sp = __builtin_frame_address(0);
    size_t left = (size_t)(sp - stack_low);
    char *pad = alloca(left - 640); /* alloca does not touch what it takes */
    __asm__ volatile("" : : "r"(pad) : "memory");
    read_freed();
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_attr_t attr;
    void *low;
    size_t size;
    pthread_getattr_np(pthread_self(), &attr);
    pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
    stack_low = low;
    use_up_stack();
    return NULL;
}

int main(void)
{
    shared = malloc(16);
    shared[1] = 5;
    free(shared);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 << 10);
    pthread_t t;
    pthread_create(&t, &attr, worker, NULL);
    pthread_join(t, NULL);
    return 0;
}
