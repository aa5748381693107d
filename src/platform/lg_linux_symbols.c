/* lg_linux_symbols.c — code addresses to modules and function names.
 *
 * Reports name each frame's module (from the loader's list) and, cheaply,
 * its function (from the module's ELF symbol table, .symtab or else
 * .dynsym).  Full symbolization with files and lines from DWARF is the
 * CLI's job, outside the program.  Everything here runs under the report
 * lock, so the caches need no locks of their own. */
#define _GNU_SOURCE
#include "lg_platform.h"
#include "lg_linux_modules.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_MODULES 256

typedef struct func_sym {
    uintptr_t start; /* file address */
    uintptr_t size;
    const char *name;
    bool data;       /* a variable (STT_OBJECT): named in address descriptions */
} func_sym;

typedef struct module_syms {
    char path[256];
    bool loaded;
    func_sym *syms;
    size_t count;
} module_syms;

static module_syms modules[MAX_MODULES];
static char exe_path[256];

static const char *main_program_path(void)
{
    if (!exe_path[0]) {
        long n = syscall(SYS_readlink, "/proc/self/exe", exe_path, sizeof(exe_path) - 1);
        if (n <= 0) n = 0;
        exe_path[n] = 0;
    }
    return exe_path;
}

struct module_query {
    uintptr_t pc;
    bool found;
    lg_module_info info;
};

static int find_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct module_query *q = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (q->pc - start < ph->p_memsz) {
            q->found = true;
            q->info.base = info->dlpi_addr;
            q->info.path = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : main_program_path();
            return 1;
        }
    }
    return 0;
}

/* ---- modules the program unloaded ----------------------------------------------
 * Stacks keep the addresses of code in a module after dlclose; to name it
 * still, its path, load bias and extent are remembered when it goes (a ring:
 * the oldest are forgotten first). */
#define MAX_GONE 256

typedef struct gone_module {
    uintptr_t lo, hi, base;
    char path[256];
} gone_module;

static gone_module gone[MAX_GONE];
static uint32_t gone_next;
static lg_lock_t gone_lock = LG_LOCK_INIT;

static int find_by_base(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    gone_module *g = data;
    if (info->dlpi_addr != g->base || !info->dlpi_name || !info->dlpi_name[0]) return 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (start < lo) lo = start;
        if (start + ph->p_memsz > hi) hi = start + ph->p_memsz;
    }
    if (lo >= hi) return 0;
    g->lo = lo;
    g->hi = hi;
    size_t n = strlen(info->dlpi_name);
    if (n >= sizeof(g->path)) n = sizeof(g->path) - 1;
    memcpy(g->path, info->dlpi_name, n);
    g->path[n] = 0;
    return 1;
}

void lg_pal_module_closing(uintptr_t base)
{
    gone_module g;
    memset(&g, 0, sizeof(g));
    g.base = base;
    if (!dl_iterate_phdr(find_by_base, &g)) return;
    lg_lock(&gone_lock);
    for (uint32_t i = 0; i < MAX_GONE; i++) /* closed before, loaded again at the same place */
        if (gone[i].base == g.base && gone[i].hi == g.hi && strcmp(gone[i].path, g.path) == 0) {
            lg_unlock(&gone_lock);
            return;
        }
    gone[gone_next++ % MAX_GONE] = g;
    lg_unlock(&gone_lock);
}

static bool gone_module_of(uintptr_t pc, lg_module_info *out)
{
    bool found = false;
    lg_lock(&gone_lock);
    for (uint32_t k = 0; k < MAX_GONE && !found; k++) { /* newest first */
        const gone_module *g = &gone[(gone_next - 1 - k) % MAX_GONE];
        if (g->hi && pc - g->lo < g->hi - g->lo) {
            out->path = g->path;
            out->base = g->base;
            found = true;
        }
    }
    lg_unlock(&gone_lock);
    return found;
}

bool lg_pal_module_of(uintptr_t pc, lg_module_info *out)
{
    struct module_query q = {.pc = pc};
    lg_mod_entry e;
    if (!lg_modules_in_signal()) {
        dl_iterate_phdr(find_module, &q);
    } else if (lg_modules_find(pc, &e)) { /* a fault's report: not the loader's lock */
        q.found = true;
        q.info.base = e.base;
        q.info.path = e.path && e.path[0] ? e.path : main_program_path();
    }
    if (q.found) *out = q.info;
    else q.found = gone_module_of(pc, out);
    return q.found;
}

/* ---- symbol tables ------------------------------------------------------------ */

static void sort_syms(func_sym *a, size_t n)
{
    /* Shell sort: no allocation, no recursion, fast enough for reports. */
    for (size_t gap = n / 2; gap; gap /= 2)
        for (size_t i = gap; i < n; i++) {
            func_sym t = a[i];
            size_t j = i;
            for (; j >= gap && a[j - gap].start > t.start; j -= gap) a[j] = a[j - gap];
            a[j] = t;
        }
}

#define MAX_MODULE_BYTES (4ull << 30)

static void load_symbols(module_syms *m)
{
    m->loaded = true;
    /* The path was the module's when it was mapped; it may be anything by
     * now (a FIFO would block the open and the read): only a regular file of
     * a plausible size is mapped. */
    int fd = (int)syscall(SYS_openat, AT_FDCWD, m->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return;
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size >= sizeof(ElfW(Ehdr)) &&
        (uint64_t)st.st_size <= MAX_MODULE_BYTES)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    syscall(SYS_close, fd);
    if (map == MAP_FAILED) return;
    size_t file_size = (size_t)st.st_size;
    const unsigned char *base = map;
    const ElfW(Ehdr) *eh = map;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shoff == 0 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) > file_size)
        return;
    const ElfW(Shdr) *sh = (const ElfW(Shdr) *)(base + eh->e_shoff);
    const ElfW(Shdr) *symtab = NULL;
    for (int pass = 0; pass < 2 && !symtab; pass++)
        for (int i = 0; i < eh->e_shnum; i++)
            if (sh[i].sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM) && sh[i].sh_link < eh->e_shnum) {
                symtab = &sh[i];
                break;
            }
    if (!symtab || symtab->sh_offset + symtab->sh_size > file_size) return;
    const ElfW(Shdr) *strtab = &sh[symtab->sh_link];
    if (strtab->sh_offset + strtab->sh_size > file_size) return;
    const ElfW(Sym) *syms = (const ElfW(Sym) *)(base + symtab->sh_offset);
    size_t nsyms = symtab->sh_size / sizeof(ElfW(Sym));
    const char *names = (const char *)(base + strtab->sh_offset);

    func_sym *out = mmap(NULL, nsyms * sizeof(func_sym) + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (out == MAP_FAILED) return;
    size_t count = 0;
    for (size_t i = 0; i < nsyms; i++) {
        unsigned type = ELF64_ST_TYPE(syms[i].st_info);
        if ((type != STT_FUNC && type != STT_OBJECT) || syms[i].st_value == 0) continue;
        if (syms[i].st_name >= strtab->sh_size) continue;
        out[count].start = syms[i].st_value;
        out[count].size = syms[i].st_size ? syms[i].st_size : 1;
        out[count].name = names + syms[i].st_name;
        out[count].data = type == STT_OBJECT;
        count++;
    }
    sort_syms(out, count);
    m->syms = out;
    m->count = count;
}

static module_syms *module_for(const char *path)
{
    for (int i = 0; i < MAX_MODULES; i++) {
        module_syms *m = &modules[i];
        if (m->path[0] && strcmp(m->path, path) == 0) return m;
        if (!m->path[0]) {
            size_t n = strlen(path);
            if (n >= sizeof(m->path)) return NULL;
            memcpy(m->path, path, n + 1);
            return m;
        }
    }
    return NULL;
}

/* The symbol of the wanted kind (a function, or a variable) whose range
 * covers addr; *off: addr's offset in it. */
static const func_sym *symbol_at(uintptr_t addr, bool data, uintptr_t *off_in)
{
    lg_module_info mod;
    if (!lg_pal_module_of(addr, &mod)) return NULL;
    module_syms *m = module_for(mod.path);
    if (!m) return NULL;
    if (!m->loaded) load_symbols(m);
    uintptr_t off = addr - mod.base;
    size_t lo = 0, hi = m->count;
    while (lo < hi) { /* last symbol starting at or before off */
        size_t mid = (lo + hi) / 2;
        if (m->syms[mid].start <= off) lo = mid + 1;
        else hi = mid;
    }
    /* Several symbols may share a start (aliases); any whose range covers off will do. */
    for (size_t i = lo; i-- > 0 && m->syms[i].start + (1u << 20) > off;)
        if (m->syms[i].data == data && off - m->syms[i].start < m->syms[i].size) {
            *off_in = off - m->syms[i].start;
            return &m->syms[i];
        }
    return NULL;
}

const char *lg_pal_function_of(uintptr_t pc)
{
    uintptr_t off;
    const func_sym *f = symbol_at(pc, false, &off);
    return f ? f->name : NULL;
}

/* ---- describing an address ------------------------------------------------- */

static bool parse_hex(const char **p, uintptr_t *out)
{
    uintptr_t v = 0;
    const char *s = *p;
    int digits = 0;
    for (;; s++, digits++) {
        char c = *s;
        if (c >= '0' && c <= '9') v = v * 16 + (uintptr_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v = v * 16 + (uintptr_t)(c - 'a' + 10);
        else break;
    }
    *p = s;
    *out = v;
    return digits > 0;
}

const char *lg_pal_describe_address(uintptr_t addr)
{
    static char text[320];
    char buf[8192];
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
    strcpy(text, "an address in no mapping");
    if (fd < 0) return text;
    size_t have = 0;
    bool done = false;
    while (!done) {
        long n = syscall(SYS_read, fd, buf + have, sizeof(buf) - 1 - have);
        if (n <= 0) break;
        have += (size_t)n;
        buf[have] = 0;
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = 0;
            const char *p = line;
            uintptr_t start, end;
            if (parse_hex(&p, &start) && *p++ == '-' && parse_hex(&p, &end) && addr >= start && addr < end) {
                char perms[5] = {0};
                while (*p == ' ') p++;
                memcpy(perms, p, 4);
                const char *name = strchr(p, '/');
                if (!name) name = strchr(p, '[');
                int local;
                uintptr_t here = (uintptr_t)&local, var_off = 0;
                const func_sym *var = NULL;
                if (here >= start && here < end)
                    strcpy(text, "an address on the current thread's stack");
                else if (name && strncmp(name, "[stack", 6) == 0)
                    strcpy(text, "an address on the main thread's stack");
                else if (name && name[0] == '/' && perms[2] != 'x' && (var = symbol_at(addr, true, &var_off)) && var_off)
                    snprintf(text, sizeof(text), "the global '%s' (+%lu), in the global data of %s", var->name,
                             (unsigned long)var_off, name);
                else if (name && name[0] == '/' && perms[2] != 'x' && var)
                    snprintf(text, sizeof(text), "the global '%s', in the global data of %s", var->name, name);
                else if (name && name[0] == '/')
                    snprintf(text, sizeof(text), "an address in the %s of %s",
                             perms[2] == 'x' ? "code" : "global data", name);
                else
                    snprintf(text, sizeof(text), "an address in an anonymous %s mapping (another thread's stack or an mmap)",
                             perms[0] == 'r' ? "readable" : "inaccessible");
                done = true;
                break;
            }
            line = nl + 1;
        }
        size_t rest = have - (size_t)(line - buf);
        memmove(buf, line, rest);
        have = rest;
        if (have == sizeof(buf) - 1) have = 0; /* an absurd line: drop it */
    }
    syscall(SYS_close, fd);
    return text;
}
