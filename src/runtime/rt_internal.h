/* rt_internal.h — what the runtime's files share.
 *
 * The runtime is the Linux user-space side of lifeguard: it interposes the
 * allocator and the libc buffer functions, captures stacks, handles
 * signals, and runs the exit checks, all on top of the tracking core. */
#ifndef RT_INTERNAL_H
#define RT_INTERNAL_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/lg_core.h"
#include "../core/lg_heap.h"
#include "../core/lg_finding.h"

#define RT_EXPORT __attribute__((visibility("default")))
#define RT_TLS __attribute__((tls_model("initial-exec")))

/* Non-zero while this thread is inside the runtime: allocations made then
 * (by the unwinder, dlsym, the loader) get no stack and no checks, and the
 * libc interceptors pass straight through. */
extern __thread int rt_busy RT_TLS;

/* 0: nothing yet; 1: the heap and options are up; 2: fully initialised. */
extern int rt_state;

void rt_init_early(void); /* options, heap, report channels: what malloc needs */
void rt_init_full(void);  /* unwinder, signals, fork and exit hooks */

static inline void rt_ensure_early(void)
{
    if (__builtin_expect(__atomic_load_n(&rt_state, __ATOMIC_ACQUIRE) == 0, 0)) rt_init_early();
}

/* Whether the checked heap is in charge (false: pass through to glibc). */
extern bool rt_heap_on;
/* In a forked child: the first birth of its own (blocks born before are the
 * parent's, and are never its leaks); 0 in the original process. */
extern uint64_t rt_inherited_below;
/* Whether [lo, hi) may have changed since the fork (rt_malloc_fork.c). */
bool rt_fork_changed(uintptr_t lo, uintptr_t hi);

/* The caller's stack in the depot, runtime frames removed; 0 with stacks=0. */
lg_stack_id rt_capture(void);
/* Same, from a frame of the caller's that keeps a frame pointer: frame is
 * its __builtin_frame_address(0), and the walk starts at its caller (the
 * annotation API's entries, the allocator's: no walk through the capture's
 * frames).  own: how many of the runtime's frames may still come first
 * (an allocator entry that called the one that captures), dropped after. */
lg_stack_id rt_capture_above(const void *frame, uint32_t own);
/* The allocator's entries (malloc, free, realloc, operator delete) walk
 * from their own frame: its caller is the program's, or one of the
 * allocator's other entries (calloc, reallocarray, operator new ...), this
 * many at most, which the store drops. */
#define RT_OWN_ABOVE 2
/* Same, from a signal's saved context. */
lg_stack_id rt_capture_context(const void *ucontext);

/* Whether pc lies in the runtime's own code. */
bool rt_is_own_pc(uintptr_t pc);
/* An allocation's site when no stack is recorded (stacks=0): the address
 * the allocator returns to, or when that is in the runtime (operator new,
 * strdup) the program's first frame above it. */
uintptr_t rt_caller_site(uintptr_t return_address);

/* Maps guard_sites_file, the run's table of first uses (rt_guard_sites.c). */
void rt_guard_sites_attach(void);
/* A SIGBUS in that table (its file truncated): handled, the access retried. */
bool rt_guard_sites_lost(uintptr_t addr);

/* Copies path into out (cap bytes, always terminated), replacing %p with the pid. */
void rt_expand_path(const char *path, char *out, size_t cap);

/* Exit-time work, in order. */
void rt_exit_checks(void);

/* Signals. */
void rt_signals_install(void);

/* Reference tracker and leak scan hooks (rt_refs.c, rt_leaks.c). */
void lg_refs_at_exit(void);
size_t lg_leaks_at_exit(void);
size_t lg_leaks_check_now(void); /* lg_leak_check(): scan now, report new leaks */
void rt_leaks_check_heap_at_exit(void); /* check_at_exit, reading only readable redzones */

/* Allocation sizes (rt_malloc_size.c).  Requests above rt_size_slow_above
 * go to rt_size_refused(), which says whether glibc would refuse them (or
 * max_allocation_size_mb does) and then reports the allocation-failure. */
#define RT_SIZE_PROBE_ABOVE ((size_t)64 << 20)
extern size_t rt_size_slow_above;
void rt_size_init(void);
bool rt_size_refused(const char *fn, size_t size);
/* Reports an allocation-failure warning: fn(size), or fn(count, size) when
 * count is not 0, and why (core/lg_finding.h words it). */
void rt_alloc_failed(const char *fn, size_t size, size_t count, lg_alloc_why why);

/* The allocation and free paths of malloc and free, for operator new and
 * delete (rt_cxx.c). */
void *rt_alloc_checked(size_t size, size_t align, const char *fn);
void rt_free_checked(void *p, lg_stack_id stack, const char *fn);

/* C++ (rt_cxx.c).  Set by the first operator new: until then free() and
 * realloc() check nothing more.  rt_cxx_check_release reports a block
 * released by the wrong family (released_as: 0 for free/realloc, else the
 * LG_BLOCK_FROM_* flags of the delete) and a sized or aligned delete that
 * disagrees with the block (size: RT_UNSIZED, align: 0 when the delete
 * gives none). */
#define RT_UNSIZED ((size_t)-1)
extern bool rt_cxx_used;
void rt_cxx_check_release(void *p, uint8_t released_as, size_t size, size_t align, lg_stack_id stack, const char *fn);

/* glibc's own allocator, for when the checked heap cannot start. */
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
void __libc_free(void *);

#endif
