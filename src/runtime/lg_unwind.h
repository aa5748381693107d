/* lg_unwind.h — stack capture for the heap runtime, x86-64 Linux.
 *
 * Every function here is safe to call from inside malloc: none of them
 * allocates, takes a lock of its own, or reads memory outside the calling
 * thread's stack (or its signal stack) and the loaded modules' unwind tables.
 *
 * All stacks are arrays of code addresses, innermost first:
 *   pcs[0]   the return address of the lg_unwind_* call, i.e. the address in
 *            its caller just after the call instruction;
 *   pcs[i]   the return address of frame i, so pcs[i] - 1 lies inside the
 *            call instruction (subtract one before symbolising);
 * except lg_unwind_from_context, whose pcs[0] is the interrupted pc itself.
 * A frame that follows a signal frame holds the interrupted pc too, as in
 * libunwind and libgcc.  The walk ends at the outermost frame (whose return
 * address the unwind tables mark undefined: _start, clone), at code without
 * unwind tables, at a frame that would leave the thread's stack, or at max. */
#ifndef LG_UNWIND_H
#define LG_UNWIND_H

#include <stdbool.h>
#include <stdint.h>

/* Once, at runtime start.  Safe before libc is fully up (a constructor):
 * it makes system calls only. */
void lg_unwind_init(void);

/* The caller's stack through the per-return-address rule cache; frames the
 * cache cannot express continue through lg_unwind_slow's interpreter. */
uint32_t lg_unwind_fast(uintptr_t *pcs, uint32_t max);

/* The same walk from a frame of the caller's own: pc its return address,
 * sp its CFA (the caller's caller's rsp after the return), bp the rbp that
 * frame saved, i.e. its caller's.  pcs[0] is pc.  For an entry point that
 * keeps a frame pointer: the frames between it and lg_unwind_fast (its own
 * and the capture's) are neither walked nor stored. */
uint32_t lg_unwind_fast_from(uintptr_t pc, uintptr_t sp, uintptr_t bp, uintptr_t *pcs, uint32_t max);

/* The reference: the same contract, interpreting the DWARF call-frame
 * information of every frame from scratch with the full register set and no
 * cache (libunwind cannot be linked into a shared object on Debian: its
 * static archive is not position-independent). */
uint32_t lg_unwind_slow(uintptr_t *pcs, uint32_t max);

/* From a signal handler's ucontext_t (the third argument of an SA_SIGINFO
 * handler); pcs[0] is the interrupted pc.  Async-signal-safe: it never calls
 * dl_iterate_phdr, whose lock the interrupted code (or a thread waiting for
 * it) may hold; the modules come from the snapshot of lg_linux_modules.c. */
uint32_t lg_unwind_from_context(const void *ucontext, uintptr_t *pcs, uint32_t max);

/* Whether the calling thread's last lg_unwind_fast returned exactly the
 * stack (the same pcs, as many) that its lg_unwind_fast before it did:
 * then whatever was derived from that stack can be reused.  False after a
 * walk from a signal handler that interrupted a walk, or an invalidation. */
bool lg_unwind_repeated(void);

/* A hash of the pcs the calling thread's last lg_unwind_fast returned (all
 * of them): call it while the caller's array still holds them.  Equal
 * stacks have equal hashes, so the depot can look a stack up by it (a
 * hint: a match is still checked frame by frame).  Not computed by the
 * walk: a walk whose stack repeats the one before (lg_unwind_repeated) is
 * not stored, and would pay for it for nothing; when asked, it comes from
 * the running hashes the walk's memo keeps of its frames (two loads,
 * whatever the depth), or from the array when the walk left the memo.
 * lg_unwind_hash_of computes the same of any pcs. */
uint64_t lg_unwind_hash(void);
uint64_t lg_unwind_hash_of(const uintptr_t *pcs, uint32_t n);

/* Optional.  The calling thread's stack is [lo, hi).  Without this call the
 * first capture in each thread finds the bounds in /proc/self/maps (with
 * system calls and a buffer on the stack, no malloc).  The runtime may call
 * it at thread start with pthread_getattr_np's answer to skip that read. */
void lg_unwind_set_thread_stack(uintptr_t lo, uintptr_t hi);

/* At the calling thread's end: unmaps its state (its memo).  A walk after
 * it maps a new one, which nothing unmaps. */
void lg_unwind_thread_end(void);

/* Forget every cached rule: call after dlclose has unloaded a module (the
 * cache also notices on its next miss, through dl_iterate_phdr's counters). */
void lg_unwind_invalidate(void);
/* In a forked child: the rules it learns are kept in the first slots only. */
void lg_unwind_after_fork_child(void);

/* Statistics for tests and benchmarks: hits, slow_frames and head_frames
 * (frames taken by the walk's first frames' cache) count the calling
 * thread's frames, misses and invalidations the whole process's. */
typedef struct lg_unwind_stats {
    uint64_t hits, slow_frames, misses, invalidations, head_frames;
} lg_unwind_stats;
void lg_unwind_get_stats(lg_unwind_stats *out);

#endif
