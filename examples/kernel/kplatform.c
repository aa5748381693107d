/* kplatform.c — lifeguard's platform interface (src/platform/lg_platform.h)
 * for the example kernel: memory from kmem.c, interrupt-safe spinlocks,
 * one kernel thread, reports on the serial port, symbols from ksyms.c. */
#include "kernel.h"
#include "../../src/platform/lg_platform.h"

extern char kernel_text_start[], kernel_text_end[], kernel_end[];

/* ---- memory ---------------------------------------------------------------- */
size_t lg_pal_page_size(void)
{
    return PAGE_SIZE;
}

/* Lifeguard's tables: reserved now, committed page by page as touched. */
void *lg_pal_map(size_t size)
{
    uintptr_t va = kmem_reserve(size);
    if (va) kmem_add_lazy(va, size);
    return (void *)va;
}

void lg_pal_unmap(void *addr, size_t size)
{
    kmem_remove_lazy((uintptr_t)addr);
    kmem_decommit((uintptr_t)addr, size); /* the range itself is not reused */
}

void *lg_pal_reserve(size_t size)
{
    return (void *)kmem_reserve(size);
}

/* Reserved like any range, and never committed: every access faults. */
void *lg_pal_reserve_stale(size_t size)
{
    return (void *)kmem_reserve(size);
}

bool lg_pal_commit(void *addr, size_t size)
{
    return kmem_commit((uintptr_t)addr, size);
}

void lg_pal_decommit(void *addr, size_t size)
{
    kmem_decommit((uintptr_t)addr, size);
}

/* This kernel cannot unmap a page and keep it: given back. */
void lg_pal_protect(void *addr, size_t size)
{
    kmem_decommit((uintptr_t)addr, size);
}

void lg_pal_purge(void *addr, size_t size)
{
    kmem_zero((uintptr_t)addr, size);
}

/* No processes to share with. */
void *lg_pal_map_shared(size_t size)
{
    (void)size;
    return NULL;
}

/* No guard markers here: the core uses decommit and commit. */
bool lg_pal_guard_install(void *addr, size_t size)
{
    (void)addr;
    (void)size;
    return false;
}

bool lg_pal_guard_remove(void *addr, size_t size)
{
    (void)addr;
    (void)size;
    return false;
}

bool lg_pal_guard_install_each(uintptr_t first, size_t stride, size_t count, size_t size)
{
    (void)first;
    (void)stride;
    (void)count;
    (void)size;
    return false;
}

bool lg_pal_guard_install_ranges(const uintptr_t (*ranges)[2], size_t count)
{
    (void)ranges;
    (void)count;
    return false;
}

bool lg_pal_guard_remove_ranges(const uintptr_t (*ranges)[2], size_t count)
{
    (void)ranges;
    (void)count;
    return false;
}

void lg_pal_populate_ranges(const uintptr_t (*ranges)[2], size_t count)
{
    (void)ranges;
    (void)count;
}

size_t lg_pal_own_maps(uintptr_t (*out)[2], size_t cap)
{
    (void)out;
    (void)cap;
    return 0; /* no leak scan in this kernel */
}

/* ---- locks: interrupts off while held; one CPU, so a lock found taken
 * can only be this CPU's own (a fault inside the core): say so and stop. */
bool lg_trylock(lg_lock_t *lock)
{
    unsigned flags = irq_save();
    if (__atomic_exchange_n(&lock->state, 1, __ATOMIC_ACQUIRE)) {
        irq_restore(flags);
        return false;
    }
    lock->irq_state = flags;
    return true;
}

void lg_lock(lg_lock_t *lock)
{
    if (lg_trylock(lock)) return;
    kprintf("kernel: a lifeguard lock was taken twice on the only CPU (a fault inside the core?)\n");
    kexit(3);
}

void lg_unlock(lg_lock_t *lock)
{
    unsigned flags = lock->irq_state;
    __atomic_store_n(&lock->state, 0, __ATOMIC_RELEASE);
    irq_restore(flags);
}

/* ---- identity and time ---------------------------------------------------- */
uint32_t lg_pal_tid(void)
{
    return 1; /* the boot CPU's only kernel thread */
}

uint32_t lg_pal_pid(void)
{
    return 0;
}

void lg_pal_after_fork_child(void)
{
}

void lg_pal_yield(void)
{
}

uint64_t lg_pal_now_ns(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32 | lo); /* cycles: good enough for ordering */
}

/* ---- output ---------------------------------------------------------------- */
void lg_pal_write(int channel, const char *text, size_t len)
{
    (void)channel; /* one console */
    serial_write(text, len);
}

int lg_pal_open_log(const char *path)
{
    (void)path;
    return -1;
}

bool lg_pal_write_file(const char *path, const char *data, size_t len)
{
    (void)path;
    (void)data;
    (void)len;
    return false;
}

/* Nothing here fails with an error number: the one failing call
 * (lg_pal_write_file) has no file system behind it. */
int lg_pal_errno(void)
{
    return 0;
}

const char *lg_pal_error_text(int err)
{
    (void)err;
    return "no file system in this kernel";
}

/* ---- code addresses --------------------------------------------------------- */
bool lg_pal_module_of(uintptr_t pc, lg_module_info *out)
{
    if (pc < (uintptr_t)kernel_text_start || pc >= (uintptr_t)kernel_text_end) return false;
    out->path = "kernel";
    out->base = 0; /* linked where it runs: offsets are link addresses */
    return true;
}

const char *lg_pal_function_of(uintptr_t pc)
{
    return ksyms_function_of(pc);
}

const char *lg_pal_describe_address(uintptr_t addr)
{
    if (addr < PAGE_SIZE) return "the null page";
    if (addr >= (uintptr_t)boot_stack && addr < (uintptr_t)boot_stack_top) return "on the boot stack";
    if (addr >= (uintptr_t)kernel_text_start && addr < (uintptr_t)kernel_end) return "in the kernel image";
    if (kmem_is_reserved(addr)) return "in a range reserved for lifeguard";
    return "not a heap address";
}

_Noreturn void lg_pal_die(int status)
{
    kexit(status);
}
