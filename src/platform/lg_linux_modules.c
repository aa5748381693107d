/* lg_linux_modules.c — the snapshot of the loaded modules that signal
 * handlers read (see lg_linux_modules.h for why).
 *
 * Two sets, one current (lg_mod_sets[lg_mod_gen & 1]): a refresh fills the
 * other from dl_iterate_phdr and publishes it by bumping the generation.  A
 * reader copies what it needs and checks that the generation did not move
 * meanwhile (else it reads again): a reader that interrupted a refresh in
 * its own thread reads the current set, which the refresh does not touch.
 * One refresh at a time, and none ever waits for another: a refresh that
 * finds one under way gives up (the next lookup that sees the loader's
 * counts differ from the snapshot's refreshes again). */
#define _GNU_SOURCE
#include "lg_linux_modules.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LG_MOD_MAX 512
#define LG_MOD_PATH_MAX 256
#define LG_MOD_PATHS 16 /* paths of modules found through /proc/self/maps */

typedef struct lg_mod_set {
    uint32_t n;
    bool counted; /* adds and subs are the loader's (glibc gives them) */
    uint64_t adds, subs;
    lg_mod_entry mod[LG_MOD_MAX];
} lg_mod_set;

static lg_mod_set lg_mod_sets[2];
static uint32_t lg_mod_gen;     /* 0: no snapshot yet */
static int lg_mod_writing;      /* a refresh is under way */
static int lg_mod_closing;      /* dlcloses under way */
static __thread int lg_mod_signal_depth __attribute__((tls_model("initial-exec")));

static char lg_mod_paths[LG_MOD_PATHS][LG_MOD_PATH_MAX];
static uint32_t lg_mod_path_next;
static uint64_t lg_mod_refreshes, lg_mod_maps_lookups;

void lg_modules_get_stats(uint64_t *refreshes, uint64_t *maps_lookups)
{
    *refreshes = __atomic_load_n(&lg_mod_refreshes, __ATOMIC_RELAXED);
    *maps_lookups = __atomic_load_n(&lg_mod_maps_lookups, __ATOMIC_RELAXED);
}

void lg_modules_signal_enter(void)
{
    lg_mod_signal_depth++;
}

void lg_modules_signal_leave(void)
{
    lg_mod_signal_depth--;
}

bool lg_modules_in_signal(void)
{
    return lg_mod_signal_depth > 0;
}

/* ---- the snapshot -------------------------------------------------------- */

static int lg_mod_add(struct dl_phdr_info *info, size_t size, void *data)
{
    lg_mod_set *s = data;
    if (!s->counted && size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
        s->adds = info->dlpi_adds;
        s->subs = info->dlpi_subs;
        s->counted = true;
    }
    if (s->n == LG_MOD_MAX) return 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    const uint8_t *eh = NULL;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD) {
            if (start < lo) lo = start;
            if (start + ph->p_memsz > hi) hi = start + ph->p_memsz;
        } else if (ph->p_type == PT_GNU_EH_FRAME) {
            eh = (const uint8_t *)start;
        }
    }
    if (lo >= hi) return 0;
    s->mod[s->n++] = (lg_mod_entry){lo, hi, info->dlpi_addr, eh, info->dlpi_name ? info->dlpi_name : ""};
    return 0;
}

void lg_modules_refresh(void)
{
    if (__atomic_exchange_n(&lg_mod_writing, 1, __ATOMIC_ACQUIRE)) return;
    uint32_t gen = __atomic_load_n(&lg_mod_gen, __ATOMIC_RELAXED);
    lg_mod_set *next = &lg_mod_sets[(gen + 1) & 1];
    next->n = 0;
    next->counted = false;
    dl_iterate_phdr(lg_mod_add, next);
    __atomic_store_n(&lg_mod_gen, gen + 1, __ATOMIC_RELEASE);
    __atomic_store_n(&lg_mod_writing, 0, __ATOMIC_RELEASE);
    __atomic_fetch_add(&lg_mod_refreshes, 1, __ATOMIC_RELAXED);
}

void lg_modules_note_counts(uint64_t adds, uint64_t subs)
{
    uint32_t gen = __atomic_load_n(&lg_mod_gen, __ATOMIC_ACQUIRE);
    const lg_mod_set *s = &lg_mod_sets[gen & 1];
    if (gen && s->counted && s->adds == adds && s->subs == subs) return;
    lg_modules_refresh();
}

void lg_modules_closing(void)
{
    __atomic_fetch_add(&lg_mod_closing, 1, __ATOMIC_ACQ_REL);
}

void lg_modules_closed(void)
{
    lg_modules_refresh();
    __atomic_fetch_sub(&lg_mod_closing, 1, __ATOMIC_ACQ_REL);
}

/* ---- a module loaded since: /proc/self/maps and its ELF headers ---------- */

bool lg_maps_hex(const char **s, const char *end, uintptr_t *out)
{
    uintptr_t v = 0;
    const char *p = *s;
    for (; p < end; p++) {
        char c = *p;
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;
        if (d == 16) break;
        v = v << 4 | d;
    }
    if (p == *s) return false;
    *s = p;
    *out = v;
    return true;
}

static const char *lg_mod_skip_field(const char *p, const char *end)
{
    while (p < end && *p != ' ') p++;
    while (p < end && *p == ' ') p++;
    return p;
}

static bool lg_mod_same(const char *a, size_t an, const char *b)
{
    for (size_t i = 0; i < an; i++)
        if (a[i] != b[i]) return false;
    return b[an] == 0;
}

/* The module whose ELF header is mapped at image (the mapping of its file
 * at offset 0), if it maps pc. */
static bool lg_mod_from_image(uintptr_t image, uintptr_t pc, lg_mod_entry *out)
{
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)image;
    if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 || eh->e_ident[EI_MAG2] != ELFMAG2 ||
        eh->e_ident[EI_MAG3] != ELFMAG3 || eh->e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
        eh->e_phentsize != sizeof(ElfW(Phdr)) || eh->e_phoff > 4096 - (size_t)eh->e_phnum * sizeof(ElfW(Phdr)))
        return false; /* the program headers must be in the header's page */
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(image + eh->e_phoff);
    uintptr_t first = UINTPTR_MAX, lo = UINTPTR_MAX, hi = 0, eh_frame = 0;
    for (ElfW(Half) i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD) {
            if (ph[i].p_offset == 0 && first == UINTPTR_MAX) first = ph[i].p_vaddr;
            if (ph[i].p_vaddr < lo) lo = ph[i].p_vaddr;
            if (ph[i].p_vaddr + ph[i].p_memsz > hi) hi = ph[i].p_vaddr + ph[i].p_memsz;
        } else if (ph[i].p_type == PT_GNU_EH_FRAME) {
            eh_frame = ph[i].p_vaddr;
        }
    }
    if (first == UINTPTR_MAX || lo >= hi) return false;
    uintptr_t bias = image - (first & ~(uintptr_t)4095);
    if (pc - (bias + lo) >= hi - lo) return false;
    out->lo = bias + lo;
    out->hi = bias + hi;
    out->base = bias;
    out->eh_hdr = eh_frame ? (const uint8_t *)(bias + eh_frame) : NULL;
    return true;
}

/* A stable copy of a path (the ring's slots are reused after
 * LG_MOD_PATHS other modules were found this way). */
static const char *lg_mod_keep_path(const char *path, size_t n)
{
    for (uint32_t i = 0; i < LG_MOD_PATHS; i++)
        if (lg_mod_same(path, n, lg_mod_paths[i])) return lg_mod_paths[i];
    char *slot = lg_mod_paths[__atomic_fetch_add(&lg_mod_path_next, 1, __ATOMIC_RELAXED) % LG_MOD_PATHS];
    for (size_t i = 0; i < n; i++) slot[i] = path[i];
    slot[n] = 0;
    return slot;
}

/* One pass over /proc/self/maps: the mappings of one file follow each
 * other, the one at offset 0 (its ELF header) first. */
static bool lg_mod_from_maps(uintptr_t pc, lg_mod_entry *out)
{
    __atomic_fetch_add(&lg_mod_maps_lookups, 1, __ATOMIC_RELAXED);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[2048], image_path[LG_MOD_PATH_MAX];
    size_t have = 0, image_path_n = 0;
    uintptr_t image = 0;
    bool found = false, done = false;
    while (!done) {
        long got = syscall(SYS_read, fd, buf + have, sizeof buf - have);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        have += (size_t)got;
        size_t start = 0;
        for (size_t i = start; i < have && !done; i++) {
            if (buf[i] != '\n') continue;
            const char *p = buf + start, *end = buf + i;
            start = i + 1;
            uintptr_t lo, hi, off;
            if (!lg_maps_hex(&p, end, &lo) || p == end || *p++ != '-' || !lg_maps_hex(&p, end, &hi)) continue;
            p = lg_mod_skip_field(lg_mod_skip_field(p, end), end); /* the range, the permissions */
            if (!lg_maps_hex(&p, end, &off)) continue;
            p = lg_mod_skip_field(lg_mod_skip_field(lg_mod_skip_field(p, end), end), end); /* offset, device, inode */
            size_t path_n = (size_t)(end - p);
            if (path_n == 0 || *p != '/' || path_n >= LG_MOD_PATH_MAX) continue;
            if (off == 0) {
                image = lo;
                for (size_t k = 0; k < path_n; k++) image_path[k] = p[k];
                image_path[path_n] = 0;
                image_path_n = path_n;
            }
            if (pc - lo >= hi - lo) continue;
            done = true;
            if (image && image_path_n == path_n && lg_mod_same(p, path_n, image_path) &&
                lg_mod_from_image(image, pc, out)) {
                out->path = lg_mod_keep_path(p, path_n);
                found = true;
            }
        }
        if (start == 0 && have == sizeof buf) have = 0; /* a line longer than the buffer: not a module's */
        for (size_t i = start; i < have; i++) buf[i - start] = buf[i];
        have -= start;
    }
    syscall(SYS_close, fd);
    return found;
}

/* ---- lookups -------------------------------------------------------------- */

bool lg_modules_find(uintptr_t pc, lg_mod_entry *out)
{
    if (__atomic_load_n(&lg_mod_closing, __ATOMIC_ACQUIRE)) return false; /* pages may be going away */
    for (int tries = 0; tries < 16; tries++) {
        uint32_t gen = __atomic_load_n(&lg_mod_gen, __ATOMIC_ACQUIRE);
        const lg_mod_set *s = &lg_mod_sets[gen & 1];
        uint32_t n = __atomic_load_n(&s->n, __ATOMIC_RELAXED);
        if (n > LG_MOD_MAX) n = LG_MOD_MAX;
        lg_mod_entry e = {0, 0, 0, NULL, NULL};
        bool found = false;
        for (uint32_t i = 0; i < n && !found; i++) {
            uintptr_t lo = s->mod[i].lo, hi = s->mod[i].hi;
            if (pc - lo < hi - lo) {
                e = s->mod[i];
                found = true;
            }
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&lg_mod_gen, __ATOMIC_RELAXED) != gen) continue; /* a refresh came by: again */
        if (found) {
            *out = e;
            return true;
        }
        break;
    }
    return lg_mod_from_maps(pc, out);
}
