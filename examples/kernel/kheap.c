/* kheap.c — the kernel's kmalloc/kfree and reference helpers, all through
 * lifeguard's core.
 *
 * Stacks come from frame pointers (everything is built with
 * -fno-omit-frame-pointer): each frame holds the caller's frame pointer and
 * the return address above it, and the boot code starts the chain at 0.
 * The first frame of a stack is the caller of the kmalloc/kfree/kref_*
 * entry point, so reports name the kernel function that made the call. */
#include "kernel.h"
#include "../../src/core/lg_heap.h"
#include "../../src/core/lg_refs.h"

uint32_t kstack_capture_from(uintptr_t fp, uintptr_t first_pc, uintptr_t *pcs, uint32_t max)
{
    uint32_t n = 0, depth = (uint32_t)lg_opt.stack_depth;
    if (depth > max) depth = max;
    if (first_pc && n < depth) pcs[n++] = first_pc;
    while (n < depth && fp >= (uintptr_t)boot_stack && fp + 8 <= (uintptr_t)boot_stack_top && !(fp & 3)) {
        uintptr_t ret = ((const uintptr_t *)fp)[1], next = ((const uintptr_t *)fp)[0];
        if (!ret) break;
        pcs[n++] = ret;
        if (next <= fp) break; /* frames go up the stack */
        fp = next;
    }
    return n;
}

/* The frame of the entry point (kfree, kref_put...) running now: the core
 * may ask for a stack from deep inside it (lg_capture_stack, e.g. when a
 * freed block destroys a tracked object), and that stack starts at the
 * entry point's caller too.  One CPU, no preemption: a plain variable. */
static uintptr_t entry_fp;

static lg_stack_id stack_from(uintptr_t fp)
{
    if (!lg_opt.stacks) return 0;
    uintptr_t pcs[LG_MAX_FRAMES];
    return lg_depot_put(pcs, kstack_capture_from(fp, 0, pcs, LG_MAX_FRAMES));
}

/* The stack of the function that called the caller of this (an entry
 * point), which becomes the running entry point. */
static NOINLINE lg_stack_id capture(void)
{
    entry_fp = ((const uintptr_t *)__builtin_frame_address(0))[0];
    return stack_from(entry_fp);
}

static lg_stack_id capture_hook(void)
{
    return entry_fp ? stack_from(entry_fp) : 0;
}

bool kheap_init(const char *options)
{
    char err[160];
    lg_core_platform platform = {capture_hook, 0};
    if (!lg_core_init(options, &platform, err, sizeof(err))) {
        kprintf("kernel: bad lifeguard= option string: %s\n", err);
        return false;
    }
    return true;
}

NOINLINE void *kmalloc(size_t size)
{
    void *p = lg_heap_alloc(size, 16, capture(), lg_pal_tid());
    entry_fp = 0;
    if (!p) kprintf("kernel: kmalloc(%zu) failed\n", size);
    return p;
}

NOINLINE void *kzalloc(size_t size)
{
    void *p = lg_heap_alloc(size, 16, capture(), lg_pal_tid());
    entry_fp = 0;
    if (p) memset(p, 0, size);
    return p;
}

NOINLINE void kfree(void *p)
{
    if (p) lg_heap_free(p, capture(), lg_pal_tid(), "kfree");
    entry_fp = 0;
}

NOINLINE void kobj_new(const void *obj, const char *type)
{
    lg_refs_new((uintptr_t)obj, type, capture());
    entry_fp = 0;
}

NOINLINE void kref_get(const void *obj, const void *holder)
{
    lg_refs_get((uintptr_t)obj, (uintptr_t)holder, capture());
    entry_fp = 0;
}

NOINLINE void kref_put(const void *obj, const void *holder)
{
    lg_refs_put((uintptr_t)obj, (uintptr_t)holder, capture());
    entry_fp = 0;
}

NOINLINE void kref_move(const void *obj, const void *holder)
{
    lg_stack_id stack = capture();
    lg_refs_get((uintptr_t)obj, (uintptr_t)holder, stack);
    lg_refs_put((uintptr_t)obj, 0, stack);
    entry_fp = 0;
}

/* What the user-space runtime does at exit: references still counted,
 * then every block's poison and redzones (which drains the quarantine). */
int kheap_finish(void)
{
    lg_refs_exit_report();
    lg_heap_check_all();
    uint64_t errors = lg_report_error_count();
    kprintf("\nlifeguard: %llu error(s) in this kernel's run\n", (unsigned long long)errors);
    return errors ? (int)lg_opt.exitcode : 0;
}
