// A dl_iterate_phdr callback reads a freed (guarded) block: the fault comes
// while this very thread holds the loader's lock.  Reported at its line,
// with dl_iterate_phdr's frame between the callback and main; a hang ends
// the run by SIGALRM, without the report.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_in_callback
// EXPECT-LINE: 23
// EXPECT-JQ: .access.type == "read" and (.stacks.access | any(.function == "main" and .line == 34)) and (.stacks.free | any(.function == "main" and .line == 33))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#define _GNU_SOURCE
#include <link.h>
#include <stdlib.h>
#include <unistd.h>

static int *volatile freed;
static volatile int sink;

__attribute__((noinline)) static int read_in_callback(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info, (void)size, (void)data;
    __asm__ volatile("" ::: "memory");
    sink = freed[3];
    return 1;
}

int main(void)
{
    alarm(20);
    freed = malloc(40);
    freed[3] = 1;
    __asm__ volatile("" ::: "memory");
    free(freed);
    dl_iterate_phdr(read_in_callback, NULL);
    return sink;
}
