/* bugs.c — the fixture of tests/report/run.sh: each argument turns on one
 * bug, so that two runs can differ by one finding.
 *   dfree  a double free in free_twice()
 *   leak   a leak of a block made by make_leak()
 *   cycle  a Process and a Task holding each other (ref-cycle) */
#include <stdlib.h>
#include <string.h>

#include "lifeguard.h"

struct task;
struct process { struct task *task; };
struct task { struct process *proc; };

void *kept;

__attribute__((noinline)) static void free_twice(char *p)
{
    free(p);
    free(p);
}

__attribute__((noinline)) static void make_leak(void)
{
    kept = malloc(48);
    kept = NULL;
}

__attribute__((noinline)) static void attach(struct process *p, struct task *t)
{
    p->task = t;
    lg_ref_get(t, p);
    t->proc = p;
    lg_ref_get(p, t);
}

__attribute__((noinline)) static void make_cycle(void)
{
    struct process *p = calloc(1, sizeof *p);
    struct task *t = calloc(1, sizeof *t);
    lg_object_new(p, "Process");
    lg_object_new(t, "Task");
    attach(p, t);
    lg_ref_put(p, NULL);
    lg_ref_put(t, NULL);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "dfree") == 0) free_twice(malloc(32));
        if (strcmp(argv[i], "leak") == 0) make_leak();
        if (strcmp(argv[i], "cycle") == 0) make_cycle();
    }
    return 0;
}
