/* boot.S — the example kernel's entry: the multiboot header QEMU's -kernel
 * loader looks for, the boot stack, the CPU exception stubs, and the
 * save/resume pair a model runs under (kjmp_set / kjmp_go). */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* modules page-aligned, memory map wanted */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .bss
    .align 16
    .global boot_stack, boot_stack_top
boot_stack:
    .skip 131072
boot_stack_top:

    .section .text
    .global _start
_start:
    mov $boot_stack_top, %esp
    xor %ebp, %ebp          /* the frame-pointer walk ends at a zero frame */
    push %ebx               /* multiboot information */
    push %eax               /* the loader's magic */
    call kmain
1:  cli
    hlt
    jmp 1b

/* Exceptions 0-31: each stub pushes an error code (0 when the CPU pushes
 * none) and its vector, then the general registers: a struct ktrapframe. */
    .macro TRAP_NOERR n
trap\n:
    push $0
    push $\n
    jmp trap_common
    .endm
    .macro TRAP_ERR n
trap\n:
    push $\n
    jmp trap_common
    .endm

    .irp n, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,29,30,31
    TRAP_NOERR \n
    .endr
    .irp n, 8,10,11,12,13,14,17,21
    TRAP_ERR \n
    .endr

trap_common:
    pusha
    cld
    push %esp
    call ktrap_dispatch
    add $4, %esp
    popa
    add $8, %esp
    iret

    .section .rodata
    .align 4
    .global ktrap_stubs
ktrap_stubs:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long trap\n
    .endr

/* int kjmp_set(struct kjmp *j): 0 now, v when kjmp_go(j, v) comes back. */
    .section .text
    .global kjmp_set, kjmp_go
kjmp_set:
    mov 4(%esp), %eax
    mov %ebx, 0(%eax)
    mov %esi, 4(%eax)
    mov %edi, 8(%eax)
    mov %ebp, 12(%eax)
    lea 4(%esp), %ecx
    mov %ecx, 16(%eax)
    mov (%esp), %ecx
    mov %ecx, 20(%eax)
    xor %eax, %eax
    ret

/* void kjmp_go(struct kjmp *j, int v): may be called from a trap handler,
 * whose frame (below the saved stack pointer) is dropped. */
kjmp_go:
    mov 4(%esp), %edx
    mov 8(%esp), %eax
    mov 0(%edx), %ebx
    mov 4(%edx), %esi
    mov 8(%edx), %edi
    mov 12(%edx), %ebp
    mov 16(%edx), %esp
    jmp *20(%edx)

    .section .note.GNU-stack, "", @progbits
