/* 05_tilck_free_order.c — Tilck on riscv64 with KMALLOC_FREE_MEM_POISONING:
 * the fs_perf1 test crashed because kfree could not find the heap block of
 * pointer 0xfaabcafefaabcafe, the poison pattern.
 *
 * The bug: free_process_int() released the process (release_obj), its
 * arch-specific part, then the block holding both the task and the process
 * (struct task_and_process, which contains the process struct pi), and only
 * then did kfree2(pi->debug_cmdline, ...): a read of a pointer out of a
 * block already freed and poisoned.  i386 hid it: its small blocks came
 * from small heaps, which were never poisoned.  The fix frees the command
 * line first.
 *
 * The model: a kmalloc with a table of live blocks (kfree2 complains, as
 * Tilck's did, about a pointer it does not know), a task_and_process block
 * — a large one by default, a 48-byte one with --small, to show lifeguard
 * poisons small blocks as well — and the free order behind --bug.
 *
 * lifeguard should report, with --bug (with or without --small):
 *   stale-pointer  free() from kfree2 in free_process_int of a value read
 *                  out of the task_and_process block, freed in
 *                  free_process_int (kfree2 from free_process_int)
 * Without the runtime glibc leaves the pointer intact: a silent
 * use-after-free.  Nothing in the fixed mode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "seeds.h"

#define PROCESS_CMDLINE_BUF_SIZE 256
#define LARGE_TASK_EXTRA 4096 /* kernel-mode state save area of a full task */

struct arch_proc { uint64_t satp; uint64_t asid; };
/* glibc reuses the first 32 bytes of a freed large block: keep
 * pi->debug_cmdline past them, so without lifeguard the stale read is silent. */
struct task { int tid, state; void *kernel_stack; void *fault_resume; };
struct process { int pid, ref_count; char *debug_cmdline; struct arch_proc *arch; };
struct task_and_process { struct task ti; struct process pi; unsigned char extra[]; };
_Static_assert(offsetof(struct task_and_process, pi.debug_cmdline) >= 32, "see struct task");

static bool bug;
static void *live_blocks[8];

/* ---- the kernel heap: malloc plus Tilck's "is this one of my blocks" ---- */
static void *kmalloc(size_t size)
{
    void *p = calloc(1, size);
    for (int i = 0; i < 8; i++)
        if (!live_blocks[i]) { live_blocks[i] = p; break; }
    return p;
}

static NOINLINE void kfree2(void *p, size_t size)
{
    if (!p) return;
    int i = 0;
    while (i < 8 && live_blocks[i] != p) i++;
    if (i == 8) say("kfree2: could not find the heap block for ptr %p (size %zu)", p, size);
    else live_blocks[i] = NULL;
    free(p);
}

/* ---- processes ---- */
static struct task_and_process *get_process_task(struct process *pi)
{
    return (struct task_and_process *)((char *)pi - offsetof(struct task_and_process, pi));
}

static size_t tp_size(bool small) { return sizeof(struct task_and_process) + (small ? 0 : LARGE_TASK_EXTRA); }

static NOINLINE struct process *create_process(int pid, bool small, const char *cmdline)
{
    struct task_and_process *tp = kmalloc(tp_size(small));
    struct process *pi = &tp->pi;
    tp->ti.tid = pi->pid = pid;
    pi->ref_count = 1;
    lg_object_new(pi, "process"); /* the process table's reference */
    pi->arch = kmalloc(sizeof(*pi->arch));
    pi->debug_cmdline = kmalloc(PROCESS_CMDLINE_BUF_SIZE);
    snprintf(pi->debug_cmdline, PROCESS_CMDLINE_BUF_SIZE, "%s", cmdline);
    return pi;
}

static void release_obj(struct process *pi)
{
    lg_ref_put(pi, NULL);
    pi->ref_count--;
}

static NOINLINE void arch_specific_free_proc(struct process *pi)
{
    kfree2(pi->arch, sizeof(*pi->arch));
    pi->arch = NULL;
}

static NOINLINE void free_process_int(struct process *pi, size_t block_size)
{
    if (!bug) {
        kfree2(pi->debug_cmdline, PROCESS_CMDLINE_BUF_SIZE);
        pi->debug_cmdline = NULL;
    }
    release_obj(pi);
    arch_specific_free_proc(pi);
    kfree2(get_process_task(pi), block_size);
    if (bug) {
        say("free_process_int: kfree2(pi->debug_cmdline = %p), read after its block was freed",
            (void *)pi->debug_cmdline);
        kfree2(pi->debug_cmdline, PROCESS_CMDLINE_BUF_SIZE);
    }
    say("free_process_int: done");
}

int main(int argc, char **argv)
{
    static const char *const known[] = {"--bug", "--small", NULL};
    if (!seed_args_ok(argc, argv, known)) return 2;
    bug = seed_flag(argc, argv, "--bug");
    bool small = seed_flag(argc, argv, "--small");
    say("tilck free-order model (%s, %zu-byte task_and_process: %s heap)",
        bug ? "bug: cmdline freed after its block" : "fixed", tp_size(small), small ? "small" : "main");

    struct process *pi = create_process(2, small, "/initrd/usr/bin/fs_perf1 1000 10");
    say("fork+exec: pid %d runs '%s'", pi->pid, pi->debug_cmdline);
    say("exit: pid %d exits, its parent reaps it", pi->pid);
    free_process_int(pi, tp_size(small));
    return 0;
}
