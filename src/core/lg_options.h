/* lg_options.h — every option of lifeguard, in one table.
 *
 * The runtime reads them from LIFEGUARD_OPTIONS ("key=value:key=value"),
 * the CLI validates them and prints them in --help from this same table. */
#ifndef LG_OPTIONS_H
#define LG_OPTIONS_H

/* X(name, type, default, help) — type is BOOL, UINT or STR. */
#define LG_OPTION_LIST(X)                                                                         \
    X(log_path, STR, "", "write the text report to this file instead of stderr (%p: pid)")        \
    X(log_fd, UINT, 2, "write the text report to this file descriptor")                           \
    X(json_path, STR, "", "write the JSON report to this file (%p: pid)")                         \
    X(json_clean, BOOL, 1, "write the JSON report of a process that found nothing (0: only run_pid's program does)") \
    X(run_pid, UINT, 0, "set by lifeguard run: its pid; its program writes its JSON report as it starts, the run's other processes at a finding and at exit") \
    X(exitcode, UINT, 1, "exit status when errors were found")                                   \
    X(halt_on_error, BOOL, 0, "stop the program at the first error")                              \
    X(max_findings, UINT, 200, "report at most this many findings")                              \
    X(stacks, BOOL, 1, "record allocation and free stacks")                                      \
    X(stack_depth, UINT, 30, "frames kept per stack (1-64)")                                     \
    X(quarantine_mb, UINT, 64, "bytes of freed memory held back from reuse, in MiB")              \
    X(redzone, UINT, 16, "minimum bytes of redzone on each side of a block (16-2048)")            \
    X(check_libc, BOOL, 1, "check the buffers passed to mem*, str* and stdio functions")          \
    X(strict_string_checks, BOOL, 0, "check a string argument up to its terminator, not only the bytes read") \
    X(max_allocation_size_mb, UINT, 0, "refuse allocations above this many MiB (0: what glibc would refuse)") \
    X(alloc_dealloc_mismatch, BOOL, 1, "report malloc/delete, new/free, new[]/delete and aligned mismatches") \
    X(new_delete_type_mismatch, BOOL, 1, "report a sized or aligned delete that disagrees with its new")  \
    X(handle_segv, BOOL, 1, "report segmentation faults and bus errors")                          \
    X(guard, STR, "sites", "guarded blocks, faulting at a bad access: sites, all or off")          \
    X(guard_first, UINT, 8, "guard=sites: allocations guarded first on each allocation stack")      \
    X(guard_first_burst, UINT, 64, "guard=sites: first uses a thread guards at once, then one per 32 of its allocations past its first 8192 (up to 1024)") \
    X(guard_sample, UINT, 4096, "guard=sites: then one allocation in this many (0: no more)")       \
    X(guard_sample_cost, UINT, 1, "guard=sites: percent of the run's time the guarded blocks' system calls may take before a sample waits (0-100; 0: no limit)") \
    X(guard_sites_file, STR, "", "guard=sites: a file of first-use counts shared by every process of a run (lifeguard run makes one; none: per process)") \
    X(guard_mb, UINT, 64, "MiB of memory that live guarded blocks may hold")                       \
    X(guard_blocks, UINT, 8192, "guarded blocks live at once (without guard markers each costs the kernel 2 mappings)")  \
    X(guard_max_size, UINT, 65536, "guarded blocks are at most this many bytes (up to 131072)")    \
    X(guard_align, UINT, 16, "alignment of a guarded block's end (1-16; see README)")              \
    X(guard_batch, UINT, 32, "guard=all: a thread's frees in quick succession made inaccessible this many at once (0-64; 0 or 1: each at once)") \
    X(guard_markers, BOOL, 1, "guard pages by the kernel's guard markers where it has them (Linux 6.13+); 0: by mprotect") \
    X(check_at_exit, BOOL, 1, "verify poison and redzones of every block at exit")                \
    X(leaks, BOOL, 1, "scan for unreachable blocks at exit")                                      \
    X(show_reachable, BOOL, 0, "list still-reachable blocks at exit")                             \
    X(suppressions, STR, "", "file of suppressions (leak:FUNCTION, kind:MODULE ...)")            \
    X(default_suppressions, BOOL, 1, "suppress the C library's and loader's own allocations")      \
    X(ref_growth_limit, UINT, 100000, "report an object whose count crosses this limit")         \
    X(refs, BOOL, 1, "track lg_* reference annotations")                                         \
    X(ref_helpers, STR, "", "refcount helpers (comma-separated names): sites are named after their callers") \
    X(verbosity, UINT, 0, "0: findings only; 1: start-up and summary notes")                     \
    X(full_stacks, BOOL, 0, "show the frames below main and a thread's start routine")

/* guard_first_burst's bound: the budget of first uses it starts (lg_heap_guard.c's GUARD_BURST). */
#define LG_GUARD_BURST_MAX 1024
/* guard_batch's bound: the frees a thread cache holds (lg_heap.h). */
#define LG_GUARD_BATCH_MAX 64

/* The options that name a file: a set-uid program ignores them when they
 * come from the environment (X(name) for each). */
#define LG_PATH_OPTIONS(X) X(log_path) X(json_path) X(suppressions) X(guard_sites_file)

typedef struct lg_options {
#define LG_OPTION_FIELD_BOOL(name) bool name;
#define LG_OPTION_FIELD_UINT(name) uint64_t name;
#define LG_OPTION_FIELD_STR(name) char name[256];
#define LG_OPTION_FIELD(name, type, def, help) LG_OPTION_FIELD_##type(name)
    LG_OPTION_LIST(LG_OPTION_FIELD)
#undef LG_OPTION_FIELD
} lg_options;

extern lg_options lg_opt;

/* Sets every option to its default. */
void lg_options_defaults(lg_options *opts);

/* Parses "key=value:key=value" (or ',' between entries) into opts.  A bad
 * entry is skipped and the others applied; then returns false and writes a
 * one-line reason naming each bad entry to err. */
bool lg_options_parse(lg_options *opts, const char *spec, char *err, size_t err_len);

/* The guard option's value as a mode (an unknown value cannot pass the
 * parser; the default is sites). */
typedef enum lg_guard_mode { LG_GUARD_MODE_OFF, LG_GUARD_MODE_SITES, LG_GUARD_MODE_ALL } lg_guard_mode;
lg_guard_mode lg_options_guard_mode(const lg_options *opts);

/* Walks the table, for --help. */
typedef void (*lg_option_visit_fn)(const char *name, const char *type, const char *def, const char *help, void *ctx);
void lg_options_each(lg_option_visit_fn visit, void *ctx);

#endif
