/* ktrap.c — the GDT and IDT, and CPU exceptions handed to lifeguard.
 *
 * A page fault on one of lifeguard's lazy tables is served (kmem_fault_in).
 * Any other fault goes to lifeguard's fault reporter (lg_fault_report, the
 * one the Linux signal handler calls), which explains it from the address:
 * a poison value (stale-pointer, naming the freed block), a freed block or
 * a guard page (use-after-free, heap-overflow), or nothing known (segv).
 * The model that faulted is then abandoned (ktrap_run) and the kernel goes
 * on to the next one, as a kernel would kill the faulting task. */
#include "kernel.h"
#include "../../src/core/lg_fault.h"
#include "../../src/core/lg_finding.h"

static uint64_t gdt[3] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull}; /* null, code 0x08, data 0x10 */
static uint64_t idt[32];
extern const uint32_t ktrap_stubs[32];
static struct kjmp *catcher;
static const char *running;

void ktrap_init(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr = {sizeof(gdt) - 1, (uint32_t)gdt},
                                                                   idtr = {sizeof(idt) - 1, (uint32_t)idt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\n\t"
                     "mov $0x10, %%ax\n\t"
                     "mov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\t"
                     "mov %%ax, %%ss\n\t"
                     "mov %%ax, %%fs\n\t"
                     "mov %%ax, %%gs"
                     :
                     : "m"(gdtr)
                     : "eax", "memory");
    for (int i = 0; i < 32; i++) {
        uint32_t h = ktrap_stubs[i];
        idt[i] = (h & 0xffffu) | (0x08ull << 16) | (0x8eull << 40) | ((uint64_t)(h >> 16) << 48);
    }
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void ktrap_dispatch(struct ktrapframe *tf);
void ktrap_dispatch(struct ktrapframe *tf)
{
    uintptr_t cr2 = 0;
    if (tf->vector == 14) {
        __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
        if (kmem_fault_in(cr2)) return;
    }
    /* The faulting instruction, stepped past its first byte as a return
     * address would be (reports look up pc - 1), then its callers. */
    uintptr_t pcs[LG_MAX_FRAMES];
    pcs[0] = tf->eip + 1;
    uint32_t n = 1 + kstack_capture_from(tf->ebp, 0, pcs + 1, LG_MAX_FRAMES - 1);
    lg_stack_id stack = lg_depot_put(pcs, n);
    if (tf->vector == 14) {
        /* x86 page-fault error code: bit 1 is set for writes */
        lg_fault f = {cr2, (tf->error & 2) ? LG_ACCESS_WRITE : LG_ACCESS_READ, stack, lg_pal_tid(), false, false};
        lg_fault_report(&f);
    } else {
        lg_finding_report(&(lg_finding){.kind = LG_SEGV, .key = stack, .op = LG_OP_TRAP, .address = tf->eip,
                                        .trap_vector = tf->vector, .trap_error = tf->error, .stack = stack,
                                        .tid = lg_pal_tid()});
    }
    if (catcher) {
        kprintf("kernel: %s stopped by the fault above\n", running);
        kjmp_go(catcher, 1);
    }
    kexit((int)lg_opt.exitcode);
}

bool ktrap_run(const char *name, void (*fn)(void))
{
    struct kjmp j;
    kprintf("\n== %s\n", name);
    running = name;
    if (kjmp_set(&j)) {
        catcher = NULL;
        return false;
    }
    catcher = &j;
    fn();
    catcher = NULL;
    return true;
}
