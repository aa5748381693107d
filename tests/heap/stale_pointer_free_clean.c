// The twin of stale_pointer_free.c, in the right order.
// EXPECT-CLEAN
// NO-RUNTIME-RUN
#include <stdlib.h>

struct process {
    char *cmdline;
    long pid;
};

__attribute__((noinline)) static void destroy_process(struct process *p)
{
    free(p->cmdline);
    free(p);
}

int main(void)
{
    struct process *p = malloc(sizeof *p);
    p->cmdline = malloc(64);
    destroy_process(p);
    return 0;
}
