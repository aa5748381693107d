// A pointer read out of freed memory is dereferenced: the access faults in
// the poison range and is reported with the freed block's stacks.
// OPTIONS: guard=off
// EXPECT-KIND: stale-pointer
// EXPECT-FUNCTION: read_name
// EXPECT-MESSAGE: through a pointer read out of freed memory
#include <stdlib.h>
#include <string.h>

struct file { char *name; int refs; };

__attribute__((noinline)) static int read_name(struct file *f)
{
    return f->name[0];
}

__attribute__((noinline)) static void close_file(struct file *f)
{
    free(f);
}

int main(void)
{
    struct file *f = malloc(sizeof *f);
    f->name = strdup("notes.txt");
    close_file(f);
    return read_name(f);
}
