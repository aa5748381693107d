// A block allocated by one thread and freed by two others: the report names
// the thread of each stack (kernel thread ids, as gdb shows them), so a
// race between threads is told from a bug within one.
// EXPECT-KIND: double-free
// EXPECT-FUNCTION: worker
// EXPECT-MESSAGE: already freed
// EXPECT-JQ: [.threads.alloc, .threads.free, .threads.access] | all(type == "number")
// EXPECT-JQ: .threads.alloc != .threads.free and .threads.free != .threads.access
// EXPECT-TEXT: first freed here, by thread
// EXPECT-TEXT: the block was allocated here, by thread
#include <pthread.h>
#include <stdlib.h>

__attribute__((noinline)) static void *worker(void *block)
{
    free(block);
    return NULL;
}

int main(void)
{
    void *block = malloc(40);
    for (int i = 0; i < 2; i++) {
        pthread_t t;
        pthread_create(&t, NULL, worker, block);
        pthread_join(t, NULL);
    }
    return 0;
}
