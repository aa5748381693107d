// Code a JIT wrote holds block addresses as instruction immediates at any
// byte offset (HotSpot's inline caches keep a malloc'd holder only in the
// `movabs` of the call site): a block so held is not a leak, in code kept
// writable (rwx) and in code flipped to r-x (W^X).
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: jit ok
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "scrub.h"

typedef void *(*getter)(void);

static getter rwx_code, rx_code;

/* nop; movabs rax, imm64 (at byte 3: unaligned); ret */
__attribute__((noinline)) static getter emit(void *block, int keep_writable)
{
    unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | (keep_writable ? PROT_EXEC : 0),
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return NULL;
    unsigned char insn[] = {0x90, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xc3};
    uintptr_t v = (uintptr_t)block;
    memcpy(insn + 3, &v, sizeof(v));
    memcpy(code + 40, insn, sizeof(insn));
    if (!keep_writable && mprotect(code, 4096, PROT_READ | PROT_EXEC)) return NULL;
    return (getter)(void *)(code + 40);
}

__attribute__((noinline)) static void *make(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) static int setup(void)
{
    void *a = make(48), *b = make(96);
    rwx_code = emit(a, 1);
    rx_code = emit(b, 0);
    return rwx_code && rx_code && rwx_code() == a && rx_code() == b;
}

int main(void)
{
    if (!setup()) {
        puts("no executable mappings here");
        return 0;
    }
    scrub();
    puts("jit ok");
    return 0;
}
