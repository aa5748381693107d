/* kmain.c — the example kernel: boots under QEMU (multiboot), turns paging
 * on, sets lifeguard's core up as its heap, runs kernel-mode models of the
 * seed bugs, and leaves QEMU with lifeguard's exit status.
 *
 * Kernel command line (QEMU -append): "fixed" runs the fixed models (no
 * finding expected); "lifeguard=OPTIONS" is lifeguard's option string. */
#include "kernel.h"

#define MB_BOOT_MAGIC 0x2badb002u

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
};
struct multiboot_module { uint32_t start, end, string, reserved; };

extern char kernel_end[];
bool seed_bug = true;

static char cmdline[512];
static char options[300];

/* Copies the word at s (up to a space) into out; returns what follows it. */
static const char *word(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    while (*s && *s != ' ') {
        if (n + 1 < cap) out[n++] = *s;
        s++;
    }
    out[n] = 0;
    return s;
}

static void parse_cmdline(void)
{
    char w[300];
    for (const char *s = cmdline; *s;) {
        if (*s == ' ') {
            s++;
            continue;
        }
        s = word(s, w, sizeof(w));
        if (!kstrcmp(w, "fixed")) seed_bug = false;
        else if (kstarts(w, "lifeguard=")) memcpy(options, w + 10, kstrlen(w + 10) + 1);
    }
}

#define STACK_PAINT 0x57ac4ed0u

/* Fills the unused part of the boot stack, to measure the deepest use. */
static NOINLINE void stack_paint(void)
{
    uintptr_t *p = (uintptr_t *)boot_stack, *below = (uintptr_t *)__builtin_frame_address(0) - 64;
    while (p < below) *p++ = STACK_PAINT;
}

static size_t stack_used(void)
{
    const uintptr_t *p = (const uintptr_t *)boot_stack;
    while (p < (const uintptr_t *)boot_stack_top && *p == STACK_PAINT) p++;
    return (size_t)((const char *)boot_stack_top - (const char *)p);
}

static uintptr_t max_addr(uintptr_t a, uintptr_t b)
{
    return a > b ? a : b;
}

void kmain(uint32_t magic, const struct multiboot_info *mbi);
void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    serial_init();
    if (magic != MB_BOOT_MAGIC || !(mbi->flags & 1)) {
        kprintf("kernel: not started by a multiboot loader with a memory size\n");
        kexit(2);
    }
    uintptr_t free_start = max_addr((uintptr_t)kernel_end, (uintptr_t)mbi + sizeof(*mbi));
    if (mbi->flags & 4) {
        const char *c = (const char *)mbi->cmdline;
        size_t n = kstrlen(c);
        if (n >= sizeof(cmdline)) n = sizeof(cmdline) - 1;
        memcpy(cmdline, c, n);
        free_start = max_addr(free_start, mbi->cmdline + n + 1);
    }
    const struct multiboot_module *mods = (mbi->flags & 8) ? (const void *)mbi->mods_addr : NULL;
    uint32_t mods_count = mods ? mbi->mods_count : 0;
    for (uint32_t i = 0; i < mods_count; i++) free_start = max_addr(free_start, mods[i].end);
    if (mods) free_start = max_addr(free_start, (uintptr_t)(mods + mods_count));
    parse_cmdline();

    kmem_init(free_start, ((uintptr_t)mbi->mem_upper + 1024) * 1024);
    ktrap_init();
    if (mods_count) ksyms_init((const void *)mods[0].start, mods[0].end - mods[0].start);
    kprintf("kernel: lifeguard example kernel, i386, paging on, %u MiB; symbols %s; models %s\n",
            (unsigned)(mbi->mem_upper / 1024 + 1), ksyms_loaded() ? "from the boot module" : "absent",
            seed_bug ? "with their bugs" : "fixed");
    stack_paint();
    if (!kheap_init(options)) kexit(2);

    ktrap_run("tilck: free order (kfree of a pointer read out of a freed block)", seed_tilck_free_order);
    ktrap_run("tilck: stale dereference (a page fault through poison)", seed_tilck_stale_deref);
    ktrap_run("openzfs: direct-I/O double release", seed_openzfs_double_release);
    ktrap_run("nanos: unlink while open", seed_nanos_unlink_close);
    ktrap_run("a large block read after its free (page fault)", fault_large_use_after_free);
    ktrap_run("a large block written past its end (guard page)", fault_large_overflow);
    ktrap_run("an invalid instruction (a CPU exception, not a page fault)", fault_invalid_opcode);
    int status = kheap_finish();
    size_t reserved, peak;
    kmem_usage(&reserved, &peak);
    kprintf("kernel: lifeguard reserved %zu KiB of address space; at most %zu KiB of frames were mapped; "
            "at most %zu bytes of stack used\n",
            reserved >> 10, peak >> 10, stack_used());
    kexit(status);
}
