// A fork/exit loop between a checkpoint and lg_check_since: every third
// child's task is never released and its name buffer never freed.  Both
// come back, grouped: the tasks by type and birth stack, the buffers by
// allocation stack; lg_check_since returns how many things it found.
// EXPECT-KIND: checkpoint-leak
// EXPECT-FUNCTION: spawn
// EXPECT-LINE: 28
// EXPECT-MESSAGE: 2 Task objects born since the checkpoint are still alive
// EXPECT-JQ: .notes // [] | any(. == "born here and still alive: Task#2, Task#5")
// EXPECT-KIND: checkpoint-leak
// EXPECT-FUNCTION: spawn
// EXPECT-LINE: 29
// EXPECT-JQ: .blocks == 2 and .bytes == 48
// EXPECT-STDOUT: found 4
// EXPECT-NO-KIND: ref-leak
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

struct task { char *name; };

static struct task *tasks[16];

__attribute__((noinline)) static struct task *spawn(int i)
{
    struct task *t = calloc(1, sizeof *t);
    lg_object_new(t, "Task");
    t->name = malloc(24);
    snprintf(t->name, 24, "child-%d", i);
    return t;
}

__attribute__((noinline)) static void reap(struct task *t, int i)
{
    if (i % 3 == 1) return; /* the bug: this child is never reaped */
    free(t->name);
    lg_ref_put(t, NULL);
    free(t);
}

int main(void)
{
    lg_checkpoint_t since = lg_checkpoint();
    for (int i = 0; i < 6; i++) {
        tasks[i] = spawn(i);
        printf("spawned %s\n", tasks[i]->name);
        reap(tasks[i], i);
    }
    size_t found = lg_check_since(since, "fork/exit loop");
    printf("found %zu\n", found);
    for (int i = 1; i < 6; i += 3) reap(tasks[i], 0); /* reaped late, so no ref-leak at exit */
    return 0;
}
