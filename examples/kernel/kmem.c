/* kmem.c — physical frames and paging for the example kernel.
 *
 * Physical memory below phys_top is identity-mapped (4 MiB pages, but the
 * first 4 MiB with 4 KiB pages so that page 0 stays unmapped and a NULL
 * dereference faults).  Above it, [VA_BASE, VA_END) is handed out by a bump
 * pointer to lifeguard's reservations: its heap's size classes, the stale
 * range its poison points into (never mapped), and its own tables, which
 * are committed lazily: the page-fault handler maps a zeroed frame on the
 * first touch of a lazy range (kmem_fault_in), as Linux does for
 * lifeguard's mmap in user space. */
#include "kernel.h"

#define PTE_P 0x001u
#define PTE_W 0x002u
#define PDE_PS 0x080u
#define VA_BASE 0x40000000u
#define VA_END 0xc0000000u
#define LAZY_MAX 128

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t low_table[1024] __attribute__((aligned(4096)));
static uintptr_t frame_next, frame_top, frame_free_list; /* free frames link through their first word */
static uintptr_t va_next = VA_BASE;
static size_t frames_in_use, frames_peak;
static struct { uintptr_t start, end; } lazy[LAZY_MAX];

void kmem_init(uintptr_t free_start, uintptr_t phys_top)
{
    frame_next = (free_start + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);
    frame_top = phys_top & ~(uintptr_t)(PAGE_SIZE - 1);
    for (uint32_t i = 1; i < 1024; i++) low_table[i] = (i * PAGE_SIZE) | PTE_P | PTE_W;
    page_dir[0] = (uintptr_t)low_table | PTE_P | PTE_W;
    for (uint32_t i = 1; i < (phys_top + (4u << 20) - 1) >> 22; i++) page_dir[i] = (i << 22) | PDE_PS | PTE_P | PTE_W;
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 0x10)); /* PSE */
    __asm__ volatile("mov %0, %%cr3" : : "r"(page_dir));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 0x80010000u)); /* PG, WP */
}

static uintptr_t frame_alloc(void)
{
    uintptr_t f = 0;
    if (frame_free_list) {
        f = frame_free_list;
        frame_free_list = *(uintptr_t *)f;
    } else if (frame_next < frame_top) {
        f = frame_next;
        frame_next += PAGE_SIZE;
    }
    if (f) {
        memset((void *)f, 0, PAGE_SIZE);
        if (++frames_in_use > frames_peak) frames_peak = frames_in_use;
    }
    return f;
}

static void frame_free(uintptr_t f)
{
    *(uintptr_t *)f = frame_free_list;
    frame_free_list = f;
    frames_in_use--;
}

void kmem_usage(size_t *reserved, size_t *peak)
{
    *reserved = va_next - VA_BASE;
    *peak = frames_peak * PAGE_SIZE;
}

/* The page-table entry of va, creating its table when asked. */
static uint32_t *pte_of(uintptr_t va, bool create)
{
    uint32_t *pde = &page_dir[va >> 22];
    if (!(*pde & PTE_P)) {
        if (!create) return NULL;
        uintptr_t table = frame_alloc();
        if (!table) return NULL;
        *pde = table | PTE_P | PTE_W;
    }
    return &((uint32_t *)(*pde & ~0xfffu))[(va >> 12) & 1023];
}

static bool map_page(uintptr_t va)
{
    uint32_t *pte = pte_of(va, true);
    if (!pte) return false;
    if (*pte & PTE_P) return true;
    uintptr_t f = frame_alloc();
    if (!f) return false;
    *pte = f | PTE_P | PTE_W;
    return true;
}

static void unmap_page(uintptr_t va)
{
    uint32_t *pte = pte_of(va, false);
    if (!pte || !(*pte & PTE_P)) return;
    frame_free(*pte & ~0xfffu);
    *pte = 0;
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

uintptr_t kmem_reserve(size_t size)
{
    size = (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
    if (size == 0 || size > VA_END - va_next) return 0;
    uintptr_t va = va_next;
    va_next += size + PAGE_SIZE; /* a hole between ranges */
    return va;
}

bool kmem_commit(uintptr_t va, size_t size)
{
    for (uintptr_t p = va & ~(uintptr_t)(PAGE_SIZE - 1); p < va + size; p += PAGE_SIZE)
        if (!map_page(p)) return false;
    return true;
}

void kmem_decommit(uintptr_t va, size_t size)
{
    for (uintptr_t p = va & ~(uintptr_t)(PAGE_SIZE - 1); p < va + size; p += PAGE_SIZE) unmap_page(p);
}

void kmem_zero(uintptr_t va, size_t size)
{
    for (uintptr_t p = va & ~(uintptr_t)(PAGE_SIZE - 1); p < va + size; p += PAGE_SIZE) {
        uint32_t *pte = pte_of(p, false);
        if (pte && (*pte & PTE_P)) memset((void *)p, 0, PAGE_SIZE);
    }
}

void kmem_add_lazy(uintptr_t va, size_t size)
{
    for (int i = 0; i < LAZY_MAX; i++) {
        if (lazy[i].end) continue;
        lazy[i].start = va;
        lazy[i].end = va + size;
        return;
    }
    kmem_commit(va, size); /* no room to remember it: commit it all now */
}

void kmem_remove_lazy(uintptr_t va)
{
    for (int i = 0; i < LAZY_MAX; i++)
        if (lazy[i].start == va) lazy[i].start = lazy[i].end = 0;
}

bool kmem_fault_in(uintptr_t addr)
{
    for (int i = 0; i < LAZY_MAX; i++)
        if (addr >= lazy[i].start && addr < lazy[i].end) return map_page(addr & ~(uintptr_t)(PAGE_SIZE - 1));
    return false;
}

bool kmem_is_reserved(uintptr_t addr)
{
    return addr >= VA_BASE && addr < va_next;
}
