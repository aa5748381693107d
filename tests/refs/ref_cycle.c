// A process holds its task and the task holds its process back (a strong
// reference where a weak one was meant): once their creators let go, the
// two keep each other alive.  Reported once, as a cycle in holding order,
// not as two leaks; the file the task holds is kept alive by the cycle.
// EXPECT-KIND: ref-cycle
// EXPECT-FUNCTION: task_attach
// EXPECT-LINE: 27
// EXPECT-OBJECT: Process#1
// EXPECT-JQ: [.cycle[] | .type + "#" + (.id | tostring)] == ["Process#1", "Task#1"]
// EXPECT-JQ: [.notes[] | select(contains("File#1"))] | length == 1
// EXPECT-COUNT: 1
// EXPECT-NO-KIND: ref-leak
#include <stdlib.h>

#include "lifeguard.h"

struct file { int fd; };
struct process;
struct task { struct process *proc; struct file *file; };
struct process { struct task *task; };

__attribute__((noinline)) static void task_attach(struct process *p, struct task *t)
{
    p->task = t;
    lg_ref_get(t, p);
    t->proc = p;
    lg_ref_get(p, t); /* should have been a weak reference */
}

int main(void)
{
    struct process *p = calloc(1, sizeof *p);
    lg_object_new(p, "Process");
    struct task *t = calloc(1, sizeof *t);
    lg_object_new(t, "Task");
    task_attach(p, t);
    t->file = calloc(1, sizeof *t->file);
    lg_object_new(t->file, "File");
    lg_ref_get(t->file, t);
    lg_ref_put(t->file, NULL);
    lg_ref_put(t, NULL);
    lg_ref_put(p, NULL);
    return 0;
}
