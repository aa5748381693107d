/* rt_leaks.h — what the leak scan's files share.
 *
 *   rt_leaks.c         the two entry points, the order of the steps, locks
 *   rt_leaks_world.c   stopping every other thread (a ptrace tracer)
 *   rt_leaks_roots.c   the roots: writable mappings, stacks, registers
 *   rt_leaks_mark.c    the mark stack, marking, grouping leaked blocks
 *   rt_leaks_report.c  one finding per allocation stack, the summary
 *   rt_leaks_read.c    reading without faulting: readable ranges, pagemap
 *   rt_leaks_exit.c    where the exit began (exit() and main interposed)
 * docs/LEAKS.md explains the design. */
#ifndef RT_LEAKS_H
#define RT_LEAKS_H

#include "rt_internal.h"

/* The callee-saved registers of the caller, into regs (the others are dead
 * across a call). */
#define RT_SAVED_REGS 6
static inline __attribute__((always_inline)) void rt_save_callee_saved(uintptr_t *regs)
{
    __asm__ volatile("movq %%rbx, 0(%0)\n\tmovq %%rbp, 8(%0)\n\tmovq %%r12, 16(%0)\n\t"
                     "movq %%r13, 24(%0)\n\tmovq %%r14, 32(%0)\n\tmovq %%r15, 40(%0)"
                     :
                     : "r"(regs)
                     : "memory");
}

/* ---- rt_leaks_exit.c ------------------------------------------------------- */
/* Where the exit began: the stack pointer of exit()'s caller, with the
 * callee-saved registers exit() was called with into regs (the exit path
 * runs on that thread) — or, main having returned, on main's thread,
 * _start's stack pointer; 0 when neither is known. */
uintptr_t rt_exit_sp(uintptr_t regs[RT_SAVED_REGS]);

/* ---- rt_leaks_world.c ---------------------------------------------------- */
#define RT_WORLD_REGS 27 /* struct user_regs_struct, in words */
/* The start of the thread's XSAVE area, in words: the legacy area (xmm0-15
 * at byte 160), the header, the upper halves of ymm0-15 (byte 576). */
#define RT_WORLD_VREGS 128

typedef struct rt_world_thread {
    int tid;
    int pending_signal;  /* a signal that arrived while stopped, delivered at resume */
    bool stopped;        /* registers valid */
    uintptr_t regs[RT_WORLD_REGS];
    uintptr_t vregs[RT_WORLD_VREGS]; /* vector registers (zeros when ptrace gives none) */
    uintptr_t sp;
} rt_world_thread;

typedef struct rt_world {
    int phase;           /* futex word, see rt_leaks_world.c */
    int go;              /* futex word: the tracer may start */
    int parent_pid, caller_tid;
    uint32_t count, cap; /* threads seized */
    uint32_t not_stopped;/* threads seen that could not be stopped */
    uint32_t stopped;    /* set by rt_world_resume: how many were */
    int error;           /* errno of the first failure, 0 if none */
    const char *why;     /* what failed, for the notes */
    rt_world_thread *threads;
} rt_world;

/* Stops every thread of the process but the caller; bounded in time.
 * Threads it could not stop are counted in w->not_stopped (w->why says why). */
void rt_world_stop(rt_world *w);
void rt_world_resume(rt_world *w);

/* ---- rt_leaks_mark.c ----------------------------------------------------- */
bool rt_mark_init(void);
void rt_mark_fini(void);
/* Marks (reachable) every live block a word of [lo, hi) points into. */
void rt_mark_range(uintptr_t lo, uintptr_t hi);
/* The same at every byte offset: code a JIT compiled holds its constants,
 * block addresses among them, as instruction immediates, aligned or not. */
void rt_mark_range_unaligned(uintptr_t lo, uintptr_t hi);
void rt_mark_words(const uintptr_t *words, size_t n);
void rt_mark_drain(void); /* ... and everything they reach, transitively */
/* rt_mark_range over the pages of [lo, hi) changed since the fork, in a
 * forked child (rt_fork_changed); elsewhere all of it. */
void rt_mark_changed(uintptr_t lo, uintptr_t hi);
/* In a forked child: marks from the changed pages of the parent's live blocks. */
void rt_mark_from_inherited(void);

/* One group: a leaked block and the leaked blocks reachable only through it. */
typedef struct rt_leak_group {
    lg_stack_id stack;   /* the root block's allocation */
    uintptr_t user;      /* the root block */
    size_t size;
    uint64_t blocks, bytes;
    bool fresh;          /* not reported by an earlier scan */
    bool tracked;        /* a tracked object lives in the root: the reference tracker reports it */
} rt_leak_group;

typedef struct rt_reach_stack {
    lg_stack_id stack;
    uint64_t blocks, bytes;
    uintptr_t user;
    size_t size;
} rt_reach_stack;

typedef struct rt_leak_result {
    rt_leak_group *groups;
    size_t group_count, group_cap;
    rt_reach_stack *reach;      /* per allocation stack, with show_reachable */
    size_t reach_count, reach_cap;
    uint64_t leaked_blocks, leaked_bytes, fresh_blocks;
    uint64_t reachable_blocks, reachable_bytes;
    uint64_t unstacked_blocks, unstacked_bytes; /* leaked, allocated before the runtime was up */
} rt_leak_result;

/* With the heap locked and marking done: groups the unmarked blocks, counts
 * the marked ones, clears the marks. */
void rt_leaks_collect(rt_leak_result *res);
void rt_leaks_result_free(rt_leak_result *res);
void rt_mark_clear_all(void); /* after a failed scan: no mark may survive */

/* ---- rt_leaks_roots.c ------------------------------------------------------ */
/* Marks from every root: writable mappings but the runtime's and the heap's,
 * the stopped threads' stacks from their sp and their registers, and the
 * calling thread's stack from self_sp and its saved registers. */
/* False when the roots cannot be read (then nothing may be reported). */
bool rt_roots_mark(const rt_world *w, uintptr_t self_sp, const uintptr_t *self_regs, size_t nregs);

/* ---- rt_leaks_read.c ------------------------------------------------------- */
typedef struct rt_map_line {
    uintptr_t lo, hi;
    char perms[4];
    const char *path; /* up to the end of the line */
    bool anonymous;   /* no path, or [stack], [heap]... */
} rt_map_line;
/* Parses one line of /proc/self/maps; returns the next line. */
const char *rt_maps_line(const char *line, rt_map_line *out);

/* Takes the snapshot of what is readable (with the world stopped); false
 * when /proc/self/maps cannot be read.  rt_mem_end() drops it. */
bool rt_mem_begin(void);
void rt_mem_end(void);
const char *rt_mem_maps_text(void); /* the snapshot's /proc/self/maps */
uint64_t rt_mem_bytes_read(void);   /* since rt_mem_begin: what the scan read */
/* Whether [lo, hi) can be read in place without faulting (true without a snapshot). */
bool rt_mem_readable(uintptr_t lo, uintptr_t hi);

/* The readable words of [lo, hi), piece by piece: each piece is in place or
 * in a copy (file-backed memory), pages never touched are left out.  One
 * copy buffer: a piece is valid until the next rt_mem_next of a copying cursor. */
typedef struct rt_mem_cursor {
    uintptr_t at, hi;
} rt_mem_cursor;
void rt_mem_open(rt_mem_cursor *c, uintptr_t lo, uintptr_t hi);
bool rt_mem_next(rt_mem_cursor *c, uintptr_t *lo, uintptr_t *hi);

/* ---- rt_leaks_report.c ----------------------------------------------------- */
/* Returns how many leaked blocks its findings group (blocks of stacks
 * already reported, suppressed, or beyond max_findings are not counted). */
size_t rt_leaks_report(const rt_leak_result *res, const rt_world *w);

/* A mapped growable array, outside the heap (and out of the roots). */
bool rt_leaks_grow(void **array, size_t *cap, size_t elem, size_t need);

/* Stack id -> array index, an open hash in mapped memory. */
typedef struct rt_stack_index {
    uint64_t *slots; /* (stack + 1) << 32 | index; 0: empty */
    size_t cap, used;
} rt_stack_index;
bool rt_stack_index_find(const rt_stack_index *ix, lg_stack_id stack, size_t *index);
bool rt_stack_index_add(rt_stack_index *ix, lg_stack_id stack, size_t index);
void rt_stack_index_free(rt_stack_index *ix);

#endif
