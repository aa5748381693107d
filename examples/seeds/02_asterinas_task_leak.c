/* 02_asterinas_task_leak.c — Asterinas: no task was ever freed (Task's
 * destructor never ran; the idle task's count grew on every schedule).
 *
 * Three bugs, each enough to leak:
 *   park   park_current() clones a strong reference to the current task
 *          (for whoever unparks it) and never drops it;
 *   exit   process exit never returns: the strong reference its frame holds
 *          to the process is not dropped before the final yield, and the
 *          process holds its task;
 *   procfs creating a /proc inode (fork, ls /proc) takes an extra strong
 *          reference to the process that nothing ever consumes.
 *
 * The model: a run queue with an idle task and a waker, processes owning
 * their tasks, fork / exit / wait, and procfs inodes holding their process.  The
 * idle task parks --parks=N times (default 150000, past lifeguard's
 * ref_growth_limit of 100000), then a fork/ls/exit/wait loop runs between
 * lg_checkpoint() and lg_check_since().  --bug=park, --bug=exit and
 * --bug=procfs enable one bug each, --bug all three; the default is fixed.
 *
 * lifeguard should report, per bug:
 *   park    ref-growth on the idle task (holder the waker, taken in
 *           park_current), ref-leak of tasks (park_current), checkpoint-leak
 *   exit    ref-leak of processes (holder their task's kernel stack,
 *           taken in do_exit), checkpoint-leak
 *   procfs  ref-leak of processes (an anonymous clone taken in procfs_inode_new,
 *           via procfs_lookup from do_fork and ls_proc), checkpoint-leak
 * and nothing in the fixed mode. */
#include <stdlib.h>

#include "seeds.h"

#define MAX_CHILDREN 16
#define ROUNDS 8

enum task_state { TASK_RUNNABLE, TASK_SLEEPING, TASK_EXITED };

struct process;
struct task { int refs; int tid; enum task_state state; struct process *proc; /* weak */ void *kstack; };
struct process {
    int refs, pid;
    bool zombie;
    struct task *task;       /* strong */
    struct process *parent;  /* weak */
    struct process *children[MAX_CHILDREN];
    int nchildren;
};
/* Wakes parked tasks: each park hands it a reference to the sleeper. */
struct waker { int woken; };
struct run_queue { struct task *current, *idle, *queue[MAX_CHILDREN]; int nqueued; struct waker *waker; };
struct proc_inode { char name[12]; struct process *proc; };

static bool bug_park, bug_exit, bug_procfs;
static int live_tasks, live_procs, next_id = 1;
static struct process *init_proc;

/* ---- strong references, mirrored to lifeguard ---- */
static void task_get(struct task *t, const void *holder) { t->refs++; lg_ref_get(t, holder); }
static void task_put(struct task *t, const void *holder)
{
    lg_ref_put(t, holder);
    if (--t->refs) return;
    live_tasks--;
    free(t->kstack);
    free(t);
}
static void proc_get(struct process *p, const void *holder) { p->refs++; lg_ref_get(p, holder); }
static void proc_put(struct process *p, const void *holder)
{
    lg_ref_put(p, holder);
    if (--p->refs) return;
    task_put(p->task, p);
    live_procs--;
    free(p);
}

static struct task *task_new(struct process *owner, const void *holder)
{
    struct task *t = calloc(1, sizeof(*t));
    t->refs = 1;
    t->tid = next_id++;
    t->proc = owner;
    t->kstack = calloc(1, 256);
    seed_object_new(t, "Task", holder);
    live_tasks++;
    return t;
}

/* ---- the scheduler ---- */
static void enqueue(struct run_queue *rq, struct task *t)
{
    task_get(t, rq);
    t->state = TASK_RUNNABLE;
    rq->queue[rq->nqueued++] = t;
}

/* The queue's reference becomes the current task's. */
static struct task *pick_next(struct run_queue *rq)
{
    if (!rq->nqueued) return rq->current = rq->idle;
    struct task *t = rq->queue[0];
    memmove(rq->queue, rq->queue + 1, sizeof(rq->queue[0]) * (size_t)--rq->nqueued);
    return rq->current = t;
}

/* Sleeps until unparked; here the wake-up comes at once. */
static NOINLINE void park_current(struct run_queue *rq)
{
    struct task *cur = rq->current;
    task_get(cur, rq->waker);
    cur->state = TASK_SLEEPING;
    rq->waker->woken++;
    cur->state = TASK_RUNNABLE;
    if (!bug_park) task_put(cur, rq->waker);
}

static NOINLINE void idle_loop(struct run_queue *rq, long parks)
{
    pick_next(rq);
    for (long i = 0; i < parks; i++) park_current(rq);
}

/* The current task is done for good: switch away, dropping the queue's hold. */
static void yield_never_return(struct run_queue *rq)
{
    struct task *t = rq->current;
    t->state = TASK_EXITED;
    pick_next(rq);
    task_put(t, rq);
}

/* ---- procfs ---- */
static NOINLINE struct proc_inode *procfs_inode_new(struct process *p)
{
    struct proc_inode *ino = calloc(1, sizeof(*ino));
    lg_object_new(ino, "ProcInode");
    ino->proc = p;
    proc_get(p, ino);
    if (bug_procfs) proc_get(p, NULL); /* the builder's clone, never consumed */
    return ino;
}

static void procfs_inode_drop(struct proc_inode *ino)
{
    proc_put(ino->proc, ino);
    lg_ref_put(ino, NULL);
    free(ino);
}

static NOINLINE struct proc_inode *procfs_lookup(int pid)
{
    struct process *p = init_proc->pid == pid ? init_proc : NULL;
    for (int i = 0; i < init_proc->nchildren && !p; i++)
        if (init_proc->children[i]->pid == pid) p = init_proc->children[i];
    if (!p) return NULL;
    struct proc_inode *ino = procfs_inode_new(p);
    snprintf(ino->name, sizeof(ino->name), "%d", pid);
    return ino;
}

static NOINLINE void ls_proc(void)
{
    char line[128];
    int n = snprintf(line, sizeof(line), "ls /proc:");
    for (int i = -1; i < init_proc->nchildren; i++) {
        struct proc_inode *ino = procfs_lookup(i < 0 ? init_proc->pid : init_proc->children[i]->pid);
        n += snprintf(line + n, sizeof(line) - (size_t)n, " %s", ino->name);
        procfs_inode_drop(ino);
    }
    say("%s", line);
}

/* ---- fork, exit, wait ---- */
static NOINLINE struct process *do_fork(struct process *parent, struct run_queue *rq)
{
    struct process *p = calloc(1, sizeof(*p));
    p->refs = 1;
    p->pid = next_id++;
    seed_object_new(p, "Process", parent); /* the parent's child list */
    live_procs++;
    p->parent = parent;
    p->task = task_new(p, p);
    parent->children[parent->nchildren++] = p;
    procfs_inode_drop(procfs_lookup(p->pid)); /* /proc/<pid> comes into being */
    enqueue(rq, p->task);
    return p;
}

static NOINLINE void do_exit(struct run_queue *rq)
{
    struct task *t = rq->current;
    struct process *p = t->proc;
    /* current_process(): a strong reference held by this frame, on the
     * task's kernel stack */
    proc_get(p, t->kstack);
    p->zombie = true;
    if (!bug_exit) proc_put(p, t->kstack);
    yield_never_return(rq); /* never comes back to drop it */
}

static NOINLINE void do_wait(struct process *parent)
{
    for (int i = 0; i < parent->nchildren; i++) {
        struct process *c = parent->children[i];
        if (!c->zombie) continue;
        parent->children[i--] = parent->children[--parent->nchildren];
        proc_put(c, parent);
    }
}

/* A child's life: it blocks once on I/O, then exits. */
static void run_child(struct run_queue *rq)
{
    pick_next(rq);
    park_current(rq);
    do_exit(rq);
}

static bool parse(int argc, char **argv, long *parks)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--bug")) bug_park = bug_exit = bug_procfs = true;
        else if (!strcmp(a, "--bug=park")) bug_park = true;
        else if (!strcmp(a, "--bug=exit")) bug_exit = true;
        else if (!strcmp(a, "--bug=procfs")) bug_procfs = true;
        else if (!strncmp(a, "--parks=", 8)) *parks = strtol(a + 8, NULL, 10);
        else {
            fprintf(stderr, "usage: %s [--bug[=park|exit|procfs]]... [--parks=N]\n", argv[0]);
            return false;
        }
    }
    return *parks >= 0;
}

int main(int argc, char **argv)
{
    long parks = 150000;
    if (!parse(argc, argv, &parks)) return 2;
    say("asterinas task-leak model (%s%s%s%s)", bug_park || bug_exit || bug_procfs ? "bugs:" : "fixed",
        bug_park ? " park" : "", bug_exit ? " exit" : "", bug_procfs ? " procfs" : "");

    struct run_queue *rq = calloc(1, sizeof(*rq));
    lg_object_new(rq, "RunQueue");
    rq->waker = calloc(1, sizeof(*rq->waker));
    seed_object_new(rq->waker, "Waker", rq);
    rq->idle = task_new(NULL, rq);
    init_proc = calloc(1, sizeof(*init_proc));
    init_proc->refs = 1;
    init_proc->pid = next_id++;
    lg_object_new(init_proc, "Process");
    live_procs++;
    init_proc->task = task_new(init_proc, init_proc);
    say("boot: idle task %d, init process %d", rq->idle->tid, init_proc->pid);

    idle_loop(rq, parks);
    say("cpu0: idle task parked %ld times, its refcount is %d", parks, rq->idle->refs);

    lg_checkpoint_t since = lg_checkpoint();
    int procs0 = live_procs, tasks0 = live_tasks;
    for (int round = 0; round < ROUNDS; round++) {
        struct process *c = do_fork(init_proc, rq);
        if (round == 0) {
            ls_proc();
            say("fork: process %d (task %d) runs, blocks once, exits; init reaps it", c->pid, c->task->tid);
        }
        run_child(rq);
        do_wait(init_proc);
    }
    say("... %d more such children", ROUNDS - 1);
    ls_proc();
    lg_check_since(since, "fork/exit/wait loop: every child reaped");
    say("regression: after %d fork/exit/wait rounds, %d processes and %d tasks born in the loop are alive", ROUNDS,
        live_procs - procs0, live_tasks - tasks0);

    int idle_refs = rq->idle->refs;
    task_put(rq->idle, rq);
    proc_put(init_proc, NULL);
    lg_ref_put(rq->waker, rq);
    free(rq->waker);
    lg_ref_put(rq, NULL);
    free(rq);
    if (live_tasks || live_procs)
        say("shutdown: %d tasks and %d processes were never dropped (idle task refcount was %d)", live_tasks,
            live_procs, idle_refs);
    else
        say("shutdown: every task and process dropped");
    return 0;
}
