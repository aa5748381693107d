#!/usr/bin/env bash
# run.sh KERNEL [APPEND...] — boots the example kernel in QEMU (TCG, serial
# console on stdout) and exits with lifeguard's exit status from inside it.
# The kernel's own ELF file goes in as a multiboot module: its symbols.
set -u
kernel=$1
shift
command -v qemu-system-i386 >/dev/null || { echo "run.sh: qemu-system-i386 is not installed" >&2; exit 77; }
[ -r "$kernel" ] || { echo "run.sh: cannot read kernel '$kernel'" >&2; exit 2; }
timeout 120 qemu-system-i386 -accel tcg -m 128 -display none -no-reboot -monitor none \
    -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$kernel" -initrd "$kernel" -append "$*" </dev/null
status=$?
# isa-debug-exit ends QEMU with (value << 1) | 1; anything else is QEMU's own.
if [ $((status & 1)) -eq 1 ] && [ "$status" -ne 1 ] || [ "$status" -eq 1 ]; then
    exit $((status >> 1))
fi
echo "run.sh: QEMU ended with status $status without the kernel's exit" >&2
exit 125
