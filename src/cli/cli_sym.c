/* cli_sym.c — the symbolizer: a module file and an offset in it become a
 * function, a file:line and the chain of calls inlined there.
 *
 * elfutils' libdwfl reads the module (and its separate debug file, found by
 * build-id or debuglink); one Dwfl per module file, each laid out at its own
 * ELF addresses so that the runtime's offsets are addresses as they stand.
 * Reports repeat the same few hundred return addresses, so every answer is
 * cached per (module, address). */
#define _GNU_SOURCE
#include "cli.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sym_module {
    char *path;
    Dwfl *dwfl; /* NULL: the file could not be read as ELF */
    Dwfl_Module *mod;
    struct sym_module *next;
} sym_module;

typedef struct sym_entry {
    sym_module *module; /* NULL: empty slot */
    uint64_t addr;
    cli_frame_info *info; /* NULL: nothing known */
} sym_entry;

#define MODULE_BUCKETS 256

static sym_module *modules[MODULE_BUCKETS];
static sym_entry *entries;
static size_t entries_cap, entries_used;
static bool sym_ready;

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

static void sym_init(void)
{
    sym_ready = true;
    /* With DEBUGINFOD_URLS set, libdwfl would fetch debug files over the
     * network, module by module: far too slow to sit behind a report. */
    const char *opt_in = getenv("LIFEGUARD_DEBUGINFOD");
    if (!opt_in || strcmp(opt_in, "1") != 0) unsetenv("DEBUGINFOD_URLS");
}

static const Dwfl_Callbacks dwfl_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

static sym_module *module_get(const char *path)
{
    uint64_t h = hash_bytes(path, strlen(path), 0xcbf29ce484222325ull);
    sym_module **bucket = &modules[h % MODULE_BUCKETS];
    for (sym_module *m = *bucket; m; m = m->next)
        if (strcmp(m->path, path) == 0) return m;

    sym_module *m = cli_alloc(sizeof(*m));
    m->path = cli_strdup(path);
    m->next = *bucket;
    *bucket = m;

    /* A report may name anything as a module: only a regular file is read
     * (a FIFO would block the open, a device the read). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return m;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return m;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    Dwfl *dwfl = dwfl_begin(&dwfl_callbacks);
    if (!dwfl) {
        close(fd);
        return m;
    }
    dwfl_report_begin(dwfl);
    /* base 0 relative to p_vaddr: module addresses are the file's own. */
    Dwfl_Module *mod = dwfl_report_elf(dwfl, path, path, fd, 0, true);
    if (!mod) close(fd); /* on success the fd belongs to libdwfl */
    if (dwfl_report_end(dwfl, NULL, NULL) != 0 || !mod) {
        dwfl_end(dwfl);
        return m;
    }
    m->dwfl = dwfl;
    m->mod = mod;
    return m;
}

/* ---- names ------------------------------------------------------------ */
typedef char *(*cxa_demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);

/* C++ names demangled by the C++ runtime's own demangler when it is on the
 * machine; looked up at run time so the tool does not link libstdc++. */
static char *demangle(const char *name)
{
    static cxa_demangle_fn fn;
    static bool looked;
    if (strncmp(name, "_Z", 2) != 0) return NULL;
    if (!looked) {
        looked = true;
        void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
        if (lib) fn = (cxa_demangle_fn)dlsym(lib, "__cxa_demangle");
    }
    if (!fn) return NULL;
    int status = -1;
    char *out = fn(name, NULL, NULL, &status);
    if (status != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* A copy of the best name of a symbol: demangled when it is a C++ one. */
static char *symbol_name(const char *name)
{
    char *d = demangle(name);
    return d ? d : cli_strdup(name);
}

static char *die_function_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
    if (!linkage) linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
    if (linkage) {
        char *d = demangle(linkage);
        if (d) return d;
    }
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
    if (name) return cli_strdup(name);
    return linkage ? cli_strdup(linkage) : NULL;
}

/* The call site of an inlined instance, in its caller's code. */
static void die_call_site(Dwarf_Die *cu, Dwarf_Die *die, cli_loc *loc)
{
    Dwarf_Attribute attr;
    Dwarf_Word index, line;
    Dwarf_Files *files;
    size_t nfiles;
    if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &index) == 0 &&
        dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && index < nfiles) {
        const char *file = dwarf_filesrc(files, index, NULL, NULL);
        if (file) loc->file = cli_strdup(file);
    }
    if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &line) == 0 && line <= 0xffffffffu)
        loc->line = (unsigned)line;
}

static bool is_function_scope(Dwarf_Die *die)
{
    int tag = dwarf_tag(die);
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point;
}

/* ---- one lookup ---------------------------------------------------------- */

/* The compile unit covering addr.  libdw finds it through .debug_aranges,
 * which clang does not emit by default: then walk the units' own ranges. */
static Dwarf_Die *cu_containing(sym_module *m, Dwarf_Addr addr, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dwfl_module_addrdie(m->mod, addr, bias);
    if (cu) return cu;
    while ((cu = dwfl_module_nextcu(m->mod, cu, bias)) != NULL)
        if (dwarf_haspc(cu, addr - *bias) > 0) return cu;
    return NULL;
}

static void loc_free(cli_loc *loc);

static bool is_api_header(const char *file)
{
    if (!file) return false;
    const char *slash = strrchr(file, '/');
    return strcmp(slash ? slash + 1 : file, "lifeguard.h") == 0;
}

static cli_frame_info *resolve(sym_module *m, Dwarf_Addr addr)
{
    cli_loc locs[64]; /* innermost first; the last is the real function */
    size_t n = 0;
    memset(locs, 0, sizeof(locs));

    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = cu_containing(m, addr, &bias);
    if (cu) {
        /* dwarf_getscopes continues an inlined instance's chain through its
         * abstract origin; the concrete chain, the one with the call sites,
         * comes from the innermost scope's own parents. */
        Dwarf_Die *scopes = NULL;
        int nscopes = dwarf_getscopes(cu, addr - bias, &scopes);
        if (nscopes > 0) {
            Dwarf_Die inner = scopes[0];
            free(scopes);
            scopes = NULL;
            nscopes = dwarf_getscopes_die(&inner, &scopes);
        }
        for (int i = 0; i < nscopes && n < CLI_ARRAY_LEN(locs); i++) {
            if (!is_function_scope(&scopes[i])) continue;
            locs[n].function = die_function_name(&scopes[i]);
            n++;
            if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine) break;
            if (n < CLI_ARRAY_LEN(locs)) die_call_site(cu, &scopes[i], &locs[n]);
        }
        free(scopes);
    }

    /* The innermost location is the line table's. */
    Dwfl_Line *line = dwfl_module_getsrc(m->mod, addr);
    Dwarf_Line *cu_line = !line && cu ? dwarf_getsrc_die(cu, addr - bias) : NULL;
    if (line || cu_line) {
        int lineno = 0;
        const char *file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL)
                                : (dwarf_lineno(cu_line, &lineno), dwarf_linesrc(cu_line, NULL, NULL));
        if (n == 0) n = 1;
        if (file && lineno > 0) {
            free((char *)locs[0].file);
            locs[0].file = cli_strdup(file);
            locs[0].line = (unsigned)lineno;
        }
    }

    /* No DWARF function: the symbol table's name for the real function. */
    if (n == 0 || !locs[n - 1].function) {
        GElf_Off off;
        GElf_Sym sym;
        const char *name = dwfl_module_addrinfo(m->mod, addr, &off, &sym, NULL, NULL, NULL);
        if (name && *name) {
            if (n == 0) n = 1;
            if (!locs[n - 1].function) locs[n - 1].function = symbol_name(name);
        }
    }
    if (n == 0) return NULL;

    /* The annotation API's inline wrappers are lifeguard's own frames, like
     * the runtime's: the annotated function comes first. */
    while (n > 1 && is_api_header(locs[0].file)) {
        loc_free(&locs[0]);
        memmove(&locs[0], &locs[1], (n - 1) * sizeof(cli_loc));
        n--;
    }

    cli_frame_info *info = cli_alloc(sizeof(*info));
    info->where = locs[n - 1];
    if (!info->where.file) info->where.line = 0;
    info->n_inlined = n - 1;
    if (n > 1) {
        info->inlined = cli_alloc((n - 1) * sizeof(cli_loc));
        memcpy(info->inlined, locs, (n - 1) * sizeof(cli_loc));
    }
    for (size_t i = 0; i < info->n_inlined; i++)
        if (!info->inlined[i].file) info->inlined[i].line = 0;
    return info;
}

/* ---- the address cache ------------------------------------------------------ */
static size_t entry_slot(sym_entry *table, size_t cap, sym_module *m, uint64_t addr)
{
    uint64_t h = hash_bytes(&addr, sizeof(addr), (uint64_t)(uintptr_t)m * 0x9e3779b97f4a7c15ull);
    size_t i = (size_t)h & (cap - 1);
    while (table[i].module && !(table[i].module == m && table[i].addr == addr)) i = (i + 1) & (cap - 1);
    return i;
}

static void entries_grow(void)
{
    size_t cap = entries_cap ? entries_cap * 2 : 1024;
    sym_entry *table = cli_alloc(cap * sizeof(*table));
    for (size_t i = 0; i < entries_cap; i++)
        if (entries[i].module) table[entry_slot(table, cap, entries[i].module, entries[i].addr)] = entries[i];
    free(entries);
    entries = table;
    entries_cap = cap;
}

const cli_frame_info *cli_sym_lookup(const char *module, uint64_t offset)
{
    if (!sym_ready) sym_init();
    if (!module || !*module) return NULL;
    sym_module *m = module_get(module);
    if (!m->dwfl) return NULL;

    /* A return address: the call is the instruction before it. */
    uint64_t addr = offset ? offset - 1 : 0;
    if ((entries_used + 1) * 2 > entries_cap) entries_grow();
    size_t i = entry_slot(entries, entries_cap, m, addr);
    if (!entries[i].module) {
        entries[i].module = m;
        entries[i].addr = addr;
        entries[i].info = resolve(m, addr);
        entries_used++;
    }
    return entries[i].info;
}

static void loc_free(cli_loc *loc)
{
    free((char *)loc->function);
    free((char *)loc->file);
}

void cli_sym_shutdown(void)
{
    for (size_t i = 0; i < entries_cap; i++) {
        cli_frame_info *info = entries[i].info;
        if (!info) continue;
        loc_free(&info->where);
        for (size_t j = 0; j < info->n_inlined; j++) loc_free(&info->inlined[j]);
        free(info->inlined);
        free(info);
    }
    free(entries);
    entries = NULL;
    entries_cap = entries_used = 0;
    for (size_t b = 0; b < MODULE_BUCKETS; b++) {
        while (modules[b]) {
            sym_module *m = modules[b];
            modules[b] = m->next;
            if (m->dwfl) dwfl_end(m->dwfl);
            free(m->path);
            free(m);
        }
    }
}
