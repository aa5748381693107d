/* seed_tilck.c — Tilck's free order, in kernel mode (the user-space model
 * and the story: examples/seeds/05_tilck_free_order.c).
 *
 * free_process_int() freed the block holding the task and the process,
 * then read pi->debug_cmdline out of it and freed that.  Tilck's poisoning
 * skipped its small heaps, so i386 hid the bug; lifeguard poisons every
 * block.  On i386 the pointer sits in the high half of a 64-bit word: a
 * poison that filled only low halves would leave it NULL here, and the
 * stale free would pass silently.
 *
 * lifeguard reports (the buggy order):
 *   free order:   stale-pointer, kfree in free_process_int of the value
 *                 read out of the freed task_and_process
 *   stale deref:  stale-pointer, a page fault in arch_specific_free_proc,
 *                 which writes through pi->arch read out of the freed block */
#include <stddef.h>

#include "kernel.h"

struct arch_proc { uint32_t satp, asid; };
struct task { int tid, state; void *kernel_stack; };
struct process { int pid, ref_count; char *debug_cmdline; struct arch_proc *arch; };
struct task_and_process { struct task ti; struct process pi; };
_Static_assert(sizeof(void *) != 4 || offsetof(struct task_and_process, pi.debug_cmdline) % 8 == 4,
               "on i386 the pointer is the high half of a 64-bit word");

static struct process *get_process(struct task_and_process *tp) { return &tp->pi; }
static struct task_and_process *get_process_task(struct process *pi)
{
    return (struct task_and_process *)((char *)pi - offsetof(struct task_and_process, pi));
}

static NOINLINE struct process *create_process(int pid, const char *cmdline)
{
    struct task_and_process *tp = kzalloc(sizeof(*tp));
    struct process *pi = get_process(tp);
    tp->ti.tid = pi->pid = pid;
    pi->ref_count = 1;
    kobj_new(pi, "process"); /* the process table's reference */
    pi->arch = kzalloc(sizeof(*pi->arch));
    size_t n = kstrlen(cmdline) + 1;
    pi->debug_cmdline = kmalloc(n);
    memcpy(pi->debug_cmdline, cmdline, n);
    return pi;
}

static void release_obj(struct process *pi)
{
    kref_put(pi, NULL);
    pi->ref_count--;
}

static NOINLINE void arch_specific_free_proc(struct process *pi)
{
    pi->arch->asid = 0; /* the address space id goes back to the pool */
    kfree(pi->arch);
    pi->arch = NULL;
}

static NOINLINE void free_process_int(struct process *pi)
{
    if (!seed_bug) {
        kfree(pi->debug_cmdline);
        pi->debug_cmdline = NULL;
    }
    release_obj(pi);
    arch_specific_free_proc(pi);
    kfree(get_process_task(pi));
    if (seed_bug) {
        kprintf("free_process_int: kfree(pi->debug_cmdline = %p), read after its block was freed\n",
                (void *)pi->debug_cmdline);
        kfree(pi->debug_cmdline);
    }
}

void seed_tilck_free_order(void)
{
    struct process *pi = create_process(2, "/initrd/usr/bin/fs_perf1 1000 10");
    kprintf("tilck: pid %d runs '%s'; it exits and is reaped\n", pi->pid, pi->debug_cmdline);
    free_process_int(pi);
    kprintf("tilck: free_process_int done\n");
}

/* The same mistake one step earlier: the arch part is freed after the
 * block, so arch_specific_free_proc writes through a poison value. */
static NOINLINE void free_process_arch_last(struct process *pi)
{
    kfree(pi->debug_cmdline);
    pi->debug_cmdline = NULL;
    release_obj(pi);
    if (!seed_bug) arch_specific_free_proc(pi);
    kfree(get_process_task(pi));
    if (seed_bug) arch_specific_free_proc(pi);
}

void seed_tilck_stale_deref(void)
{
    struct process *pi = create_process(3, "/initrd/usr/bin/fork_test");
    kprintf("tilck: pid %d runs '%s'; it exits and is reaped\n", pi->pid, pi->debug_cmdline);
    free_process_arch_last(pi);
    kprintf("tilck: free_process_int done\n");
}
