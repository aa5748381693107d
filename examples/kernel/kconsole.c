/* kconsole.c — the serial console (COM1), kprintf, and leaving QEMU.
 *
 * Text goes out on COM1; QEMU's -serial puts it on stdout or in a file.
 * kexit writes the status to QEMU's isa-debug-exit port (0xf4), which ends
 * QEMU with exit status (status << 1) | 1. */
#include "kernel.h"
#include "../../src/core/lg_core.h"

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4

void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* divisor latch */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xc7); /* FIFO on */
}

void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (!(inb(COM1 + 5) & 0x20)) {
        }
        outb(COM1, (uint8_t)s[i]);
    }
}

void kprintf(const char *fmt, ...)
{
    char text[512];
    lg_buf b;
    lg_buf_init(&b, text, sizeof(text));
    va_list ap;
    va_start(ap, fmt);
    lg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    serial_write(text, b.len < b.cap ? b.len : b.cap);
}

_Noreturn void kexit(int status)
{
    kprintf("kernel: exit status %d\n", status);
    outb(DEBUG_EXIT_PORT, (uint8_t)status);
    for (;;) __asm__ volatile("cli; hlt");
}
