/* ksyms.c — function names for reports, from the kernel's own ELF file.
 *
 * QEMU loads the kernel's program segments only; the same file given as a
 * multiboot module (-initrd) brings its symbol table, which lifeguard's
 * lg_pal_function_of reads here.  A kernel with its own symbol table
 * (kallsyms, Tilck's elf symbols) would answer from that instead. */
#include "kernel.h"

typedef struct {
    uint32_t name, type, flags, addr, offset, size, link, info, align, entsize;
} elf32_shdr;
typedef struct {
    uint32_t name, value, size;
    uint8_t info, other;
    uint16_t shndx;
} elf32_sym;
_Static_assert(sizeof(elf32_shdr) == 40 && sizeof(elf32_sym) == 16, "ELF32 layouts");

#define SHT_SYMTAB 2
#define STT_FUNC 2

static const elf32_sym *syms;
static uint32_t sym_count;
static const char *strtab;
static uint32_t strtab_size;

void ksyms_init(const void *elf, size_t size)
{
    const unsigned char *e = elf;
    if (size < 52 || e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F' || e[4] != 1) return;
    uint32_t shoff = *(const uint32_t *)(e + 32);
    uint16_t shentsize = *(const uint16_t *)(e + 46), shnum = *(const uint16_t *)(e + 48);
    if (shentsize != sizeof(elf32_shdr) || shoff > size || (size_t)shnum * shentsize > size - shoff) return;
    const elf32_shdr *sh = (const elf32_shdr *)(e + shoff);
    for (uint16_t i = 0; i < shnum; i++) {
        if (sh[i].type != SHT_SYMTAB || sh[i].link >= shnum) continue;
        const elf32_shdr *st = &sh[sh[i].link];
        if (sh[i].offset > size || sh[i].size > size - sh[i].offset || st->offset > size || st->size > size - st->offset)
            return;
        syms = (const elf32_sym *)(e + sh[i].offset);
        sym_count = sh[i].size / sizeof(elf32_sym);
        strtab = (const char *)(e + st->offset);
        strtab_size = st->size;
        return;
    }
}

bool ksyms_loaded(void)
{
    return syms != NULL;
}

/* The source name of a symbol: GCC's clones (p9_open.constprop.0,
 * f.isra.0, f.part.1) are the function the reader knows. */
static const char *source_name(const char *sym)
{
    static char names[8][64];
    static unsigned next;
    size_t n = 0;
    while (sym[n] && sym[n] != '.') n++;
    if (!sym[n] || n >= sizeof(names[0])) return sym;
    char *out = names[next++ % 8];
    memcpy(out, sym, n);
    out[n] = 0;
    return out;
}

const char *ksyms_function_of(uintptr_t pc)
{
    const elf32_sym *best = NULL;
    for (uint32_t i = 0; i < sym_count; i++) {
        const elf32_sym *s = &syms[i];
        if ((s->info & 0xf) != STT_FUNC || s->value > pc || s->name >= strtab_size) continue;
        if (s->size && pc - s->value >= s->size) continue;
        if (!best || s->value > best->value) best = s;
    }
    return best ? source_name(strtab + best->name) : NULL;
}
