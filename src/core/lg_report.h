/* lg_report.h — wording one finding into a record, which renderers write as
 * sanitizer-style text and as an entry of the JSON report (docs/REPORT.md is
 * the contract).
 *
 * A finding is worded between lg_report_begin() and lg_report_end(); the
 * calls in between fill its record (lg_report_record.h) and write nothing;
 * lg_report_end renders it.  Only one finding is built at a time (a global
 * lock is held from begin to end). */
#ifndef LG_REPORT_H
#define LG_REPORT_H

typedef struct lg_report lg_report;

/* Stable finding kinds: the JSON "kind" and the text headline. */
#define LG_KIND_LIST(X)                          \
    X(DOUBLE_FREE, "double-free")                \
    X(INVALID_FREE, "invalid-free")              \
    X(STALE_POINTER, "stale-pointer")            \
    X(WRITE_AFTER_FREE, "write-after-free")      \
    X(USE_AFTER_FREE, "use-after-free")          \
    X(HEAP_OVERFLOW, "heap-overflow")            \
    X(SEGV, "segv")                              \
    X(LEAK, "leak")                              \
    X(REF_LEAK, "ref-leak")                      \
    X(REF_CYCLE, "ref-cycle")                    \
    X(REF_UNDERFLOW, "ref-underflow")            \
    X(REF_PUT_UNHELD, "ref-put-unheld")          \
    X(REF_GET_AFTER_FREE, "ref-get-after-free")  \
    X(REF_FREED_WHILE_HELD, "ref-freed-while-held") \
    X(REF_GROWTH, "ref-growth")                  \
    X(REF_SATURATED, "ref-saturated")            \
    X(REF_PUT_AFTER_FREE, "ref-put-after-free")  \
    X(REF_WEAK_STALE, "ref-weak-stale")          \
    X(STILL_ALIVE, "still-alive")                \
    X(CHECKPOINT_LEAK, "checkpoint-leak")        \
    X(BAD_ALLOC, "allocation-failure")           \
    X(ALLOC_DEALLOC_MISMATCH, "alloc-dealloc-mismatch") \
    X(NEW_DELETE_TYPE_MISMATCH, "new-delete-type-mismatch")

typedef enum lg_kind {
#define LG_KIND_ENUM(id, name) LG_##id,
    LG_KIND_LIST(LG_KIND_ENUM)
#undef LG_KIND_ENUM
    LG_KIND_COUNT
} lg_kind;

const char *lg_kind_name(lg_kind kind);

/* Starts a finding.  Returns NULL when it is not to be reported (suppressed
 * by the caller's key stack, a duplicate, or over max_findings); every other
 * lg_report_* call accepts NULL and does nothing.  `key` is the stack that
 * identifies the finding for de-duplication and suppressions (0: none). */
lg_report *lg_report_begin(lg_kind kind, lg_stack_id key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Top-level fields. */
void lg_report_address(lg_report *r, uintptr_t address);
void lg_report_block(lg_report *r, uintptr_t address, size_t size);
void lg_report_object(lg_report *r, uintptr_t address, const char *type, uint64_t id, int64_t refcount);
/* "access": {"type": "read"|"write"}: what the faulting instruction did. */
void lg_report_access_type(lg_report *r, const char *type);
void lg_report_field_u64(lg_report *r, const char *key, uint64_t value);
void lg_report_field_str(lg_report *r, const char *key, const char *value);

/* A line of explanation in the text report (also kept in JSON "notes"). */
void lg_report_note(lg_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One of the finding's stacks: key is "access", "alloc", "free" or another
 * name; title heads it in the text ("freed by thread T1 here"). */
void lg_report_stack(lg_report *r, const char *key, lg_stack_id stack, const char *title);
/* The same, naming the thread that ran it (its kernel thread id; 0: not
 * known, as lg_report_stack): "title, by thread N" in the text, and in
 * JSON "threads": {key: N}. */
void lg_report_stack_of_thread(lg_report *r, const char *key, lg_stack_id stack, const char *title, uint32_t tid);

/* holders: [{"holder", "holder_type", "holder_id", "count", "stacks": [[..]..]} ..] */
void lg_report_holder_begin(lg_report *r, uintptr_t holder, const char *holder_type, uint64_t holder_id,
                            int64_t count, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void lg_report_holder_stack(lg_report *r, lg_stack_id stack, const char *title);
void lg_report_holder_end(lg_report *r);

/* cycle: [{"type", "id", "address"} ..], in order */
void lg_report_cycle_member(lg_report *r, const char *type, uint64_t id, uintptr_t address);

/* Emits the finding (text to the log, JSON to the report file) and counts it
 * as an error unless lg_report_not_error() was called. */
void lg_report_not_error(lg_report *r);
void lg_report_end(lg_report *r);

/* The JSON report file is rewritten whole after each finding and at exit,
 * so it is always a complete document. */
void lg_report_set_command(const char *const *argv, int argc);
void lg_report_summary_u64(const char *key, uint64_t value); /* extra summary counters */
void lg_report_flush(void);         /* rewrite the JSON file now */
/* From now on lg_report_flush writes no JSON file while the process has
 * found nothing (reported or dropped): a run's many clean processes (a
 * build's compilers and shells) then create no file at all. */
void lg_report_skip_clean(void);
/* The process's start time (any number the same in all its images, across
 * exec): written as "process_start", so that a new image recognises the
 * report its process wrote before exec. */
void lg_report_set_process_start(uint64_t start);
/* Takes in the findings and counts of an earlier image's JSON report (doc:
 * the file lg_report_flush wrote), when it is this process's (same pid and
 * process_start): findings made before exec stay in the report, and count.
 * False, adopting nothing, for any other document. */
bool lg_report_adopt(const char *doc, size_t len);
uint64_t lg_report_error_count(void);
uint64_t lg_report_finding_count(void); /* reported and dropped, errors or not */
uint64_t lg_report_reported_count(void); /* reported: the number of the last one */
/* "SUMMARY: lifeguard: N errors (K kinds: ...)", the last line of a run
 * with findings: at exit, at halt_on_error, after a fatal signal. */
void lg_report_summary_line(void);
uint64_t lg_report_kind_count(lg_kind kind);

/* fork(): the parent holds the report lock across it; the child then
 * forgets the parent's findings and releases the lock. */
void lg_report_lock(void);
void lg_report_unlock(void);
void lg_report_forget_for_child(void);

/* For findings whose suppression the caller matched itself, holding the
 * report lock: counted in the summary's "suppressed" like the others. */
void lg_report_count_suppressed_locked(void);

/* Where reports go, set by the runtime at start-up. */
extern int lg_report_channel;         /* text */
extern char lg_report_json_path[512]; /* JSON; empty: none */

/* Writes text to the report log (stderr or log_path). */
void lg_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
