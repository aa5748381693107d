/* kfaults.c — two faults that only the page tables catch, beside the seed
 * models: a read of a large block after its free (its frames were given
 * back, lg_pal_decommit) and a write past its end (the guard page).  Both
 * come through the page-fault handler to lifeguard's fault reporter.
 *
 * lifeguard reports (the buggy variants):
 *   use-after-free  in dma_ring_drain, reading the freed 192 KiB ring
 *   heap-overflow   in dma_ring_fill, writing one entry past the ring */
#include "kernel.h"

#define RING_BYTES (192u << 10) /* above the largest size class: its own pages, guard pages around */
#define RING_ENTRIES (RING_BYTES / sizeof(uint32_t))

static NOINLINE uint32_t dma_ring_drain(const uint32_t *ring)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < RING_ENTRIES; i += 1024) sum += ring[i];
    return sum;
}

static NOINLINE void dma_ring_fill(uint32_t *ring, uint32_t entries)
{
    for (uint32_t i = 0; i < entries; i++) ring[i] = i;
}

void fault_large_use_after_free(void)
{
    uint32_t *ring = kmalloc(RING_BYTES);
    dma_ring_fill(ring, RING_ENTRIES);
    uint32_t sum = 0;
    if (!seed_bug) sum = dma_ring_drain(ring);
    kfree(ring);
    if (seed_bug) sum = dma_ring_drain(ring); /* the interrupt handler drains a ring already torn down */
    kprintf("dma: drained, sum %u\n", (unsigned)sum);
}

/* A CPU exception that is not a page fault: the buggy model reaches a
 * "can't happen" branch compiled to ud2 (invalid opcode, vector 6). */
static NOINLINE void driver_unreachable(void)
{
    if (seed_bug) __asm__ volatile("ud2");
    kprintf("driver: state checked\n");
}

void fault_invalid_opcode(void)
{
    driver_unreachable();
}

void fault_large_overflow(void)
{
    uint32_t *ring = kmalloc(RING_BYTES);
    dma_ring_fill(ring, RING_ENTRIES + (seed_bug ? 1 : 0)); /* an off-by-one in the entry count */
    kfree(ring);
    kprintf("dma: ring filled\n");
}
