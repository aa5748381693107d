/* kernel.h — what the example kernel's files share: port I/O, the serial
 * console, physical and virtual memory, symbols, traps, the checked heap
 * and reference helpers, and the seed models. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOINLINE __attribute__((noinline))
#define PAGE_SIZE 4096u

/* ---- port I/O, interrupts ----------------------------------------------- */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline unsigned irq_save(void)
{
    unsigned flags;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(flags) : : "memory");
    return flags;
}
static inline void irq_restore(unsigned flags)
{
    if (flags & 0x200) __asm__ volatile("sti" : : : "memory");
}

/* ---- kconsole.c: COM1, formatted output, the end ------------------------ */
void serial_init(void);
void serial_write(const char *s, size_t n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the status, then leaves QEMU through isa-debug-exit with it. */
_Noreturn void kexit(int status);

/* ---- kmem.c: frames, page tables, the virtual ranges lifeguard asks for -- */
void kmem_init(uintptr_t free_start, uintptr_t phys_top);
uintptr_t kmem_reserve(size_t size);             /* page-aligned virtual range, not mapped */
bool kmem_commit(uintptr_t va, size_t size);     /* backed by zeroed frames now */
void kmem_decommit(uintptr_t va, size_t size);   /* frames returned, range stays reserved */
void kmem_zero(uintptr_t va, size_t size);       /* mapped pages zeroed */
void kmem_add_lazy(uintptr_t va, size_t size);   /* committed page by page on first touch */
void kmem_remove_lazy(uintptr_t va);
bool kmem_fault_in(uintptr_t addr);              /* a lazy page touched: map it */
bool kmem_is_reserved(uintptr_t addr);
void kmem_usage(size_t *reserved, size_t *peak); /* address space handed out; most frames ever mapped */

/* ---- ksyms.c: function names from the kernel's own ELF (a boot module) -- */
void ksyms_init(const void *elf, size_t size);
const char *ksyms_function_of(uintptr_t pc);
bool ksyms_loaded(void);

/* ---- ktrap.c: the IDT, page faults handed to lifeguard ------------------ */
struct ktrapframe {
    uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
};
void ktrap_init(void);
/* Runs fn; a fault lifeguard reported inside it ends fn and returns false. */
struct kjmp { uint32_t ebx, esi, edi, ebp, esp, eip; };
int kjmp_set(struct kjmp *j) __attribute__((returns_twice));
_Noreturn void kjmp_go(struct kjmp *j, int v);
bool ktrap_run(const char *name, void (*fn)(void));

/* ---- kheap.c: kmalloc/kfree and refcounts through lifeguard's core ------ */
bool kheap_init(const char *options);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
void kobj_new(const void *obj, const char *type);  /* born with one anonymous reference */
void kref_get(const void *obj, const void *holder);
void kref_put(const void *obj, const void *holder);
void kref_move(const void *obj, const void *holder); /* the anonymous reference to holder */
uint32_t kstack_capture_from(uintptr_t fp, uintptr_t first_pc, uintptr_t *pcs, uint32_t max);
extern uintptr_t boot_stack[], boot_stack_top[];
int kheap_finish(void); /* exit checks; the status lifeguard asks for */

/* ---- the seed models ---------------------------------------------------- */
extern bool seed_bug; /* the buggy order (default) or the fixed one */
void seed_tilck_free_order(void);
void seed_tilck_stale_deref(void);
void seed_openzfs_double_release(void);
void seed_nanos_unlink_close(void);
void fault_large_use_after_free(void); /* kfaults.c */
void fault_large_overflow(void);
void fault_invalid_opcode(void);

/* ---- klib.c: what the compiler may call ---------------------------------- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t kstrlen(const char *s);
int kstrcmp(const char *a, const char *b);
bool kstarts(const char *s, const char *prefix);

#endif
