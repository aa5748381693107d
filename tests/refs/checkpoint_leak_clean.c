// The twin of checkpoint_leak.c: every child is reaped, so the loop returns
// to where it started.  stdout's buffer, allocated by the first printf
// inside the loop, is the C library's and does not count.
// EXPECT-CLEAN
// EXPECT-NO-KIND: checkpoint-leak
// EXPECT-STDOUT: found 0
// NO-RUNTIME-RUN
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

struct task { char *name; };

int main(void)
{
    lg_checkpoint_t since = lg_checkpoint();
    for (int i = 0; i < 6; i++) {
        struct task *t = calloc(1, sizeof *t);
        lg_object_new(t, "Task");
        t->name = malloc(24);
        snprintf(t->name, 24, "child-%d", i);
        printf("spawned %s\n", t->name);
        free(t->name);
        lg_ref_put(t, NULL);
        free(t);
    }
    size_t found = lg_check_since(since, "fork/exit loop");
    printf("found %zu\n", found);
    return 0;
}
