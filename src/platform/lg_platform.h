/* lg_platform.h — everything the tracking core needs from the machine.
 *
 * The core (src/core) calls nothing but these functions and the compiler's
 * freestanding headers, so it can be carried into a kernel by writing one
 * more implementation of this file.  lg_linux.c is the user-space Linux one. */
#ifndef LG_PLATFORM_H
#define LG_PLATFORM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- memory ---------------------------------------------------------- */
size_t lg_pal_page_size(void);
void *lg_pal_map(size_t size);                 /* zeroed, read-write; NULL on failure */
/* Like lg_pal_map, but shared with the processes forked from this one
 * (each sees the others' writes).  NULL: not possible here. */
void *lg_pal_map_shared(size_t size);
/* The first size bytes of an open file, read-write and shared with every
 * process that maps it (user space only).  NULL on failure. */
void *lg_pal_map_file_shared(int fd, size_t size);
/* Replaces [addr, addr + size) of a mapping of ours with zeroed private
 * memory, in place (async-signal-safe; user space only). */
bool lg_pal_map_anonymous_at(void *addr, size_t size);
void lg_pal_unmap(void *addr, size_t size);
void *lg_pal_reserve(size_t size);             /* address space only, no access */
/* The stale range freed memory's poison points into: like lg_pal_reserve,
 * but it must never be made accessible, so that any access through a poison
 * value traps.  A machine without an MMU returns a range no memory or device
 * answers at (a bus error), or at least one no valid pointer falls in. */
void *lg_pal_reserve_stale(size_t size);
bool lg_pal_commit(void *addr, size_t size);   /* make reserved pages read-write */
void lg_pal_decommit(void *addr, size_t size); /* give pages back, keep them reserved */
/* Make committed pages inaccessible; their memory may be kept for a later
 * lg_pal_commit of them (contents as they were) or given back (zeroed). */
void lg_pal_protect(void *addr, size_t size);
void lg_pal_purge(void *addr, size_t size);    /* give pages back, keep them read-write (zero-filled) */
/* Guard markers: committed pages made to fault as inaccessible ones and
 * their memory given back, without a change of protection (so without a
 * new kernel mapping: Linux 6.13's MADV_GUARD_INSTALL); remove makes them
 * read-write again, zero-filled.  false: not possible here or now (an
 * older kernel, a locked mapping, no such facility); the caller then uses
 * lg_pal_decommit and lg_pal_commit. */
bool lg_pal_guard_install(void *addr, size_t size);
bool lg_pal_guard_remove(void *addr, size_t size);
/* lg_pal_guard_install on count ranges of size bytes, stride bytes apart
 * from first (one call where the platform can batch them). */
bool lg_pal_guard_install_each(uintptr_t first, size_t stride, size_t count, size_t size);
/* lg_pal_guard_install on count [start, end) ranges at once (up to
 * LG_PAL_GUARD_RANGES), their pages given back under one TLB flush where
 * the platform can: what a batch of freed blocks costs is then about a
 * page's, not a call's, each.  Ranges may hold pages already marked. */
#define LG_PAL_GUARD_RANGES 64
bool lg_pal_guard_install_ranges(const uintptr_t (*ranges)[2], size_t count);
/* lg_pal_guard_remove on count ranges at once (one call where the
 * platform can batch them). */
bool lg_pal_guard_remove_ranges(const uintptr_t (*ranges)[2], size_t count);
/* Gives count read-write [start, end) ranges their pages now, in one call
 * where the platform can (instead of a page fault each at first touch).
 * A hint: nothing happens where it cannot. */
void lg_pal_populate_ranges(const uintptr_t (*ranges)[2], size_t count);
/* The runtime's own live lg_pal_map mappings as [start, end) pairs, for the
 * leak scan (which must not take them for the program's roots); returns how
 * many were written.  Takes no lock. */
size_t lg_pal_own_maps(uintptr_t (*out)[2], size_t cap);

/* ---- locks: a small mutex, statically initialisable to zero ---------------
 * A kernel's lock may be taken where interrupts (or a page fault handed to
 * the core) can come: its lg_lock disables them and keeps what it saved in
 * irq_state until lg_unlock restores it.  User space leaves it unused. */
typedef struct lg_lock {
    int state;
    unsigned irq_state;
} lg_lock_t;
#define LG_LOCK_INIT {0, 0}
void lg_lock(lg_lock_t *lock);
void lg_unlock(lg_lock_t *lock);
bool lg_trylock(lg_lock_t *lock);

/* lg_trylock and the common lg_unlock inlined, for the core's hottest
 * paths (the reference tracker's get and put, a trylock and an unlock
 * each).  lg_unlock_fast releases the lock and says true, or says false
 * and leaves it held when only lg_unlock can release it (a waiter to
 * wake), so that a caller can keep that call off its own path.  A build
 * whose platform's lock is this word (LG_PAL_LOCK_WORD: 0 free, 1 held, 2
 * held with waiters, whom lg_unlock wakes) gets them inline; any other
 * platform's build, a kernel's, gets its own calls. */
#ifdef LG_PAL_LOCK_WORD
static inline bool lg_trylock_inline(lg_lock_t *lock)
{
    int expected = 0;
    return __atomic_compare_exchange_n(&lock->state, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* A plain store when no waiter is announced: lg_lock's wait is bounded (it
 * looks again after a while), so a waiter announced between the load and
 * the store is not lost. */
static inline bool lg_unlock_fast(lg_lock_t *lock)
{
    if (__builtin_expect(__atomic_load_n(&lock->state, __ATOMIC_RELAXED) == 2, 0)) return false;
    __atomic_store_n(&lock->state, 0, __ATOMIC_RELEASE);
    return true;
}
#else
#define lg_trylock_inline lg_trylock
static inline bool lg_unlock_fast(lg_lock_t *lock)
{
    lg_unlock(lock);
    return true;
}
#endif

/* ---- identity and time ------------------------------------------------ */
uint32_t lg_pal_tid(void);
uint32_t lg_pal_pid(void);
void lg_pal_after_fork_child(void); /* forget the parent's thread id */
uint64_t lg_pal_now_ns(void);
void lg_pal_yield(void); /* let another thread run (a wait on one that may not be) */

/* ---- output: channels are file descriptors on Linux -------------------- */
void lg_pal_write(int channel, const char *text, size_t len); /* a descriptor, or LG_PAL_PATH_CHANNEL */
int lg_pal_open_log(const char *path);  /* appends; -1 on failure (a directory, a disk) */
/* Writes data as the whole content of path.  A regular file (or none) is
 * replaced atomically: a fresh temporary beside it (O_EXCL|O_NOFOLLOW, mode
 * 0600 less the umask), then rename.  Anything else (a device, a FIFO, a
 * symlink) is written through in place, never replaced or deleted; a
 * directory or a block device is refused.  False with errno set on failure. */
bool lg_pal_write_file(const char *path, const char *data, size_t len);
/* The error of the last failed call of this layer (errno on Linux), and a
 * short description of one, without allocating. */
int lg_pal_errno(void);
const char *lg_pal_error_text(int err);
/* A channel that is a file opened by its path for each write (appending),
 * so that nothing the program does with its descriptors (closing them all,
 * reusing the number) loses the report or sends it into the program's own
 * file.  The file is created by the first write; when it cannot be opened,
 * that is said once and the text goes to channel 2. */
#define LG_PAL_PATH_CHANNEL (-2)
void lg_pal_set_log_path(const char *path);

/* ---- code addresses --------------------------------------------------- */
typedef struct lg_module_info {
    const char *path;   /* the module's file; stable for the module's life */
    uintptr_t base;     /* load bias: pc - base is the offset in the file's addresses */
} lg_module_info;

/* Which module holds pc; false when none does.  A module the program has
 * unloaded since still answers for its old addresses (its path and load
 * address were remembered by lg_pal_module_closing), unless another module
 * is loaded there now. */
bool lg_pal_module_of(uintptr_t pc, lg_module_info *out);
/* Remembers the module whose load bias is base (a dlclose is coming). */
void lg_pal_module_closing(uintptr_t base);

/* The name of the function around pc from the module's symbol tables, or
 * NULL.  Cheap enough for reports, never called on a hot path. */
const char *lg_pal_function_of(uintptr_t pc);

/* What an address is, in a few words: "on the stack of thread 12",
 * "in the data of /usr/lib/libc.so.6", "unmapped".  For reports only. */
const char *lg_pal_describe_address(uintptr_t addr);

/* ---- the end ------------------------------------------------------------ */
_Noreturn void lg_pal_die(int status);

#endif
