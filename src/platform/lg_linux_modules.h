/* lg_linux_modules.h — the loaded modules, readable from a signal handler.
 *
 * dl_iterate_phdr takes the loader's lock.  A fault handler that called it
 * while another thread held that lock (inside dl_iterate_phdr's callback,
 * or in dlopen) and waited for something the faulting thread holds would
 * never return, and neither would the program.  The stack walk and the
 * report of a fault (the signal context) read this snapshot instead: kept
 * by the normal context (at start, after dlclose, and whenever a lookup
 * through dl_iterate_phdr sees that the loader's counts moved), published
 * lock-free; a pc it does not know (a module loaded since) is looked up in
 * /proc/self/maps and the module's ELF headers, with system calls only.
 *
 * Internal to the Linux platform and the runtime's unwinder (lg_cfi.c,
 * lg_linux_symbols.c); no malloc anywhere. */
#ifndef LG_LINUX_MODULES_H
#define LG_LINUX_MODULES_H

#include <stdbool.h>
#include <stdint.h>

typedef struct lg_mod_entry {
    uintptr_t lo, hi;      /* the extent of its PT_LOAD segments */
    uintptr_t base;        /* load bias (dlpi_addr) */
    const uint8_t *eh_hdr; /* its .eh_frame_hdr (PT_GNU_EH_FRAME), or NULL */
    const char *path;      /* its file, "" for the main program; stable while it is loaded */
} lg_mod_entry;

/* Normal context only (calls dl_iterate_phdr): the snapshot made anew. */
void lg_modules_refresh(void);
/* Normal context: the loader's counts as dl_iterate_phdr just gave them;
 * the snapshot is made anew if they moved since it was made. */
void lg_modules_note_counts(uint64_t adds, uint64_t subs);
/* Around dlclose (normal context): from lg_modules_closing to
 * lg_modules_closed (which refreshes) the snapshot answers nothing, for the
 * module's pages may go at any moment. */
void lg_modules_closing(void);
void lg_modules_closed(void);

/* Lock-free, async-signal-safe: the module that maps pc. */
bool lg_modules_find(uintptr_t pc, lg_mod_entry *out);

/* The calling thread is in a signal handler that must not take the
 * loader's lock (a fault being reported, lg_unwind_from_context): the
 * lookups of lg_cfi.c and lg_linux_symbols.c read the snapshot.  Nests. */
void lg_modules_signal_enter(void);
void lg_modules_signal_leave(void);
bool lg_modules_in_signal(void);

/* One hexadecimal field of a /proc/self/maps line at *s (before end):
 * false if there is none; else its value, *s past it.  Async-signal-safe. */
bool lg_maps_hex(const char **s, const char *end, uintptr_t *out);

/* For tests: snapshots made, lookups that went to /proc/self/maps. */
void lg_modules_get_stats(uint64_t *refreshes, uint64_t *maps_lookups);

#endif
