// The twin of ref_cycle.c: the task drops its process on exit, which
// breaks the cycle; everything is released and freed.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-cycle
// NO-RUNTIME-RUN
#include <stdlib.h>

#include "lifeguard.h"

struct process;
struct task { struct process *proc; };
struct process { struct task *task; };

__attribute__((noinline)) static void task_attach(struct process *p, struct task *t)
{
    p->task = t;
    lg_ref_get(t, p);
    t->proc = p;
    lg_ref_get(p, t);
}

__attribute__((noinline)) static void task_exit(struct process *p, struct task *t)
{
    lg_ref_put(p, t);
    lg_ref_put(t, p);
}

int main(void)
{
    struct process *p = calloc(1, sizeof *p);
    lg_object_new(p, "Process");
    struct task *t = calloc(1, sizeof *t);
    lg_object_new(t, "Task");
    task_attach(p, t);
    lg_ref_put(t, NULL);
    lg_ref_put(p, NULL);
    task_exit(p, t);
    free(t);
    free(p);
    return 0;
}
