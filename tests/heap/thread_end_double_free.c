// A thread-specific value's destructor frees a block twice as its thread
// ends.  The runtime's own thread state is given back at the end too, yet
// stacks are still taken then: its key's destructor waits for glibc's last
// round, so the double free names the destructor's line, and the first
// free's.  The thread runs on the smallest stack pthread_create accepts.
// EXPECT-KIND: double-free
// EXPECT-FUNCTION: drop_value
// EXPECT-LINE: 22
// EXPECT-JQ: [.stacks.free[].function] | index("drop_value") != null
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_key_t key;
static volatile int drops; /* after the frees: no tail call */

__attribute__((noinline)) static void drop_value(void *value)
{
    free(value);
    free(value);
    drops++;
}

static void *work(void *arg)
{
    (void)arg;
    pthread_setspecific(key, malloc(48));
    return NULL;
}

int main(void)
{
    free(malloc(16)); /* the runtime's key first: the program's destructor runs after it in each round */
    pthread_key_create(&key, drop_value);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
    pthread_t t;
    if (pthread_create(&t, &attr, work, NULL)) return 3;
    pthread_join(t, NULL);
    return 0;
}
