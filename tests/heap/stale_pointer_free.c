// The Tilck bug in miniature: a struct is freed, then a pointer stored in it
// is read and freed.  The value read is lifeguard's poison, which names the
// struct it came from.  The struct is 16 bytes: small blocks are poisoned too.
// OPTIONS: guard=off
// EXPECT-KIND: stale-pointer
// EXPECT-FUNCTION: destroy_process
// EXPECT-LINE: 22
// EXPECT-MESSAGE: read out of freed memory
// EXPECT-NO-KIND: double-free
#include <stdlib.h>

struct process {
    char *cmdline;
    long pid;
};

__attribute__((noinline)) static void destroy_process(struct process *p)
{
    free(p);
    /* Wrong order: the struct is gone; p->cmdline is poison now. */
    char *cmdline = *(char *volatile *)&p->cmdline;
    free(cmdline);
}

int main(void)
{
    struct process *p = malloc(sizeof *p);
    p->cmdline = malloc(64);
    destroy_process(p);
    return 0;
}
