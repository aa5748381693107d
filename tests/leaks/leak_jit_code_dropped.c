// The twin of clean_jit_code: a block whose only address was in JIT code
// that was then unmapped leaks, and so does one whose address sits at an
// odd offset of data (anonymous, not executable: read word by word).
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_for_code
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_for_data
// EXPECT-KIND: leak
// EXPECT-COUNT: 2
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "scrub.h"

typedef void *(*getter)(void);

static unsigned char *data;

__attribute__((noinline)) static void *make_for_code(void)
{
    return malloc(48);
}

__attribute__((noinline)) static void *make_for_data(void)
{
    return malloc(96);
}

/* nop; movabs rax, imm64; ret — run once, then unmapped */
__attribute__((noinline)) static int code_then_unmap(void)
{
    unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 0;
    void *block = make_for_code();
    unsigned char insn[] = {0x90, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xc3};
    uintptr_t v = (uintptr_t)block;
    memcpy(insn + 3, &v, sizeof(v));
    memcpy(code + 40, insn, sizeof(insn));
    int ok = ((getter)(void *)(code + 40))() == block;
    munmap(code, 4096);
    return ok;
}

__attribute__((noinline)) static int odd_data(void)
{
    data = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) return 0;
    uintptr_t v = (uintptr_t)make_for_data();
    memcpy(data + 43, &v, sizeof(v));
    return 1;
}

int main(void)
{
    int ok = code_then_unmap() & odd_data();
    scrub();
    printf("%d %p\n", ok, (void *)data);
    return 0;
}
