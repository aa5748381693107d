/* lg_finding.c — the words of the heap findings.
 *
 * One place says "N bytes past the end of the M-byte block", "a pointer
 * read out of freed memory", "already freed": the detectors hand over an
 * lg_finding of facts (lg_finding.h) and this file writes the headline,
 * the notes and the stack titles through lg_report (text and JSON). */
#include "lg_finding.h"

#define POISON_WORDS "a pointer read out of freed memory (lifeguard's poison)"

static const char *access_word(lg_access a)
{
    return a == LG_ACCESS_WRITE ? "write" : a == LG_ACCESS_READ ? "read" : "access";
}

/* The JSON's "access": {"type"}; NULL when the CPU did not say. */
static const char *access_type(lg_access a)
{
    return a == LG_ACCESS_WRITE ? "write" : a == LG_ACCESS_READ ? "read" : NULL;
}

static bool block_freed(const lg_block *b)
{
    return __atomic_load_n(&b->meta->state, __ATOMIC_ACQUIRE) != LG_BLOCK_LIVE;
}

/* The freed block a stale value was read from, with its free and allocation. */
static void put_stale_source(lg_report *r, uint32_t qtag)
{
    lg_block b;
    switch (lg_heap_stale_block(qtag, &b)) {
    case LG_STALE_FORGOTTEN:
        lg_report_note(r, "the block it was read from has left lifeguard's memory of freed blocks");
        return;
    case LG_STALE_REUSED:
        lg_report_note(r, "it was read from a freed block whose memory has since been reused");
        return;
    case LG_STALE_FOUND:
        break;
    }
    lg_report_block(r, b.user, b.size);
    lg_report_note(r, "the value was read from the %zu-byte block at 0x%lx after that block was freed", b.size,
                   (unsigned long)b.user);
    lg_heap_report_stacks(r, &b, "the block it was read from was freed here", "that block was allocated here");
}

static void report_stale(const lg_finding *f)
{
    lg_report *r;
    const char *title;
    if (f->op == LG_OP_FREE) {
        r = lg_report_begin(LG_STALE_POINTER, f->key, "%s() of 0x%lx, " POISON_WORDS, f->op_name, (unsigned long)f->address);
        title = "this free";
    } else if (f->op == LG_OP_CALL) {
        r = lg_report_begin(LG_STALE_POINTER, f->key, "%s() was passed 0x%lx, " POISON_WORDS, f->op_name,
                            (unsigned long)f->address);
        title = "the call";
    } else {
        r = lg_report_begin(LG_STALE_POINTER, f->key, "a %s at 0x%lx through " POISON_WORDS, access_word(f->access),
                            (unsigned long)f->address);
        title = "the faulting access";
    }
    lg_report_address(r, f->address);
    if (f->op == LG_OP_FAULT) lg_report_access_type(r, access_type(f->access));
    lg_report_stack_of_thread(r, "access", f->stack, title, f->tid);
    put_stale_source(r, f->stale_qtag);
    lg_report_end(r);
}

/* "N bytes past the end of the M-byte [freed ]block at 0x…" and its kin. */
static void put_relation(lg_buf *m, const lg_finding *f, bool say_freed)
{
    const lg_block *b = f->block;
    bool freed = say_freed && block_freed(b);
    uintptr_t end = b->user + b->size;
    switch (f->where) {
    case LG_WHERE_PAST_END:
        lg_buf_printf(m, "%zu bytes past the end of the %zu-byte %sblock at 0x%lx",
                      (size_t)(f->address + f->length - end), b->size, freed ? "freed " : "", (unsigned long)b->user);
        break;
    case LG_WHERE_BEFORE:
        lg_buf_printf(m, "%zu bytes before the %zu-byte %sblock at 0x%lx", (size_t)(b->user - f->address), b->size,
                      freed ? "freed " : "", (unsigned long)b->user);
        break;
    default:
        lg_buf_printf(m, "inside the freed %zu-byte block at 0x%lx", b->size, (unsigned long)b->user);
    }
}

/* A libc call or a faulting access against a block: use-after-free or
 * heap-overflow. */
static void report_access(const lg_finding *f)
{
    char mem[256];
    lg_buf m;
    lg_buf_init(&m, mem, sizeof(mem));
    if (f->op == LG_OP_CALL)
        lg_buf_printf(&m, "%s() %s %zu bytes at 0x%lx, ", f->op_name, f->access == LG_ACCESS_WRITE ? "writes" : "reads",
                      f->length, (unsigned long)f->address);
    else
        lg_buf_printf(&m, "a %s at 0x%lx, ", access_word(f->access), (unsigned long)f->address);
    put_relation(&m, f, f->op == LG_OP_FAULT);
    lg_report *r = lg_report_begin(f->kind, f->key, "%s", lg_buf_cstr(&m));
    lg_report_address(r, f->address);
    if (f->op == LG_OP_FAULT) lg_report_access_type(r, access_type(f->access));
    lg_report_block(r, f->block->user, f->block->size);
    const char *title = f->op == LG_OP_FAULT ? "the faulting access" : f->access == LG_ACCESS_WRITE ? "the write" : "the read";
    lg_report_stack_of_thread(r, "access", f->stack, title, f->tid);
    lg_heap_report_stacks(r, f->block, block_freed(f->block) ? "the block was freed here" : NULL,
                          "the block was allocated here");
    lg_report_end(r);
}

static void report_bad_free(const lg_finding *f)
{
    const lg_block *b = f->block;
    lg_report *r;
    if (!b) {
        r = lg_report_begin(LG_INVALID_FREE, f->key, "%s() of 0x%lx, which malloc never returned (%s%s)", f->op_name,
                            (unsigned long)f->address, f->address & 15 ? "not 16-byte-aligned, " : "",
                            f->unknown_what ? f->unknown_what : "an unknown address");
        lg_report_address(r, f->address);
        lg_report_stack_of_thread(r, "access", f->stack, "this free", f->tid);
        lg_report_end(r);
        return;
    }
    bool freed = block_freed(b);
    if (f->kind == LG_DOUBLE_FREE) {
        r = lg_report_begin(LG_DOUBLE_FREE, f->key, "%s() of 0x%lx, a %zu-byte block already freed", f->op_name,
                            (unsigned long)f->address, b->size);
    } else {
        long long delta = (long long)(f->address - b->user);
        const char *where = f->where == LG_WHERE_BEFORE                                  ? "before"
                            : f->where == LG_WHERE_INSIDE || f->where == LG_WHERE_START ? "inside"
                                                                                       : "past the end of";
        r = lg_report_begin(LG_INVALID_FREE, f->key, "%s() of 0x%lx, %lld bytes %s the %zu-byte %sblock at 0x%lx",
                            f->op_name, (unsigned long)f->address, delta < 0 ? -delta : delta, where, b->size,
                            freed ? "freed " : "", (unsigned long)b->user);
    }
    lg_report_address(r, f->address);
    lg_report_block(r, b->user, b->size);
    lg_report_stack_of_thread(r, "access", f->stack, "this free", f->tid);
    lg_heap_report_stacks(r, b, f->kind == LG_DOUBLE_FREE ? "first freed here" : freed ? "the block was freed here" : NULL,
                          "the block was allocated here");
    lg_report_end(r);
}

/* A damaged redzone, found by the check at free or realloc. */
static void report_redzone(const lg_finding *f)
{
    const lg_block *b = f->block;
    bool past = f->where == LG_WHERE_PAST_END;
    lg_report *r = lg_report_begin(LG_HEAP_OVERFLOW, f->key, "%s: a write %s the %zu-byte block at 0x%lx damaged its redzone",
                                   f->op_name, past ? "past the end of" : "before the start of", b->size,
                                   (unsigned long)b->user);
    lg_report_address(r, f->address);
    lg_report_block(r, b->user, b->size);
    if (past)
        lg_report_note(r, "0x%lx is %lld bytes after the block's last byte", (unsigned long)f->address,
                       (long long)(f->address - (b->user + b->size)));
    else
        lg_report_note(r, "0x%lx is %lld bytes before the block's first byte", (unsigned long)f->address,
                       (long long)(b->user - f->address));
    if (f->stack) lg_report_stack_of_thread(r, "access", f->stack, "found by this call", f->tid);
    lg_heap_report_stacks(r, b, NULL, "the block was allocated here");
    lg_report_end(r);
}

static void report_write_after_free(const lg_finding *f)
{
    const lg_block *b = f->block;
    lg_report *r = lg_report_begin(LG_WRITE_AFTER_FREE, f->key,
                                   "byte %zu of the %zu-byte block at 0x%lx was written after the block was freed",
                                   (size_t)(f->address - b->user), b->size, (unsigned long)b->user);
    lg_report_address(r, f->address);
    lg_report_block(r, b->user, b->size);
    lg_report_note(r, f->op_name ? "found when the block was made inaccessible with the frees that followed it (guard_batch); "
                                   "the write happened after this free"
                                 : "found when the block left the quarantine; the write happened after this free");
    lg_heap_report_stacks(r, b, "the block was freed here", "the block was allocated here");
    lg_report_end(r);
}

/* A CPU exception that is no memory access (a kernel's trap handler). */
static void report_trap(const lg_finding *f)
{
    lg_report *r = lg_report_begin(LG_SEGV, f->key, "CPU exception %u (error code 0x%x) at 0x%lx", f->trap_vector,
                                   f->trap_error, (unsigned long)f->address);
    lg_report_stack_of_thread(r, "access", f->stack, "the faulting instruction", f->tid);
    lg_report_end(r);
}

/* A crash lifeguard cannot tie to a block. */
static void report_crash(const lg_finding *f)
{
    if (f->op == LG_OP_TRAP) {
        report_trap(f);
        return;
    }
    const char *desc = f->addr_unknown ? "the CPU gave no address" : f->unknown_what ? f->unknown_what : "the null page";
    lg_report *r = lg_report_begin(LG_SEGV, f->key, "%s on a%s %s at 0x%lx (%s)", f->bus ? "bus error" : "segmentation fault",
                                   f->access == LG_ACCESS_UNKNOWN ? "n" : "", access_word(f->access),
                                   (unsigned long)f->address, desc);
    lg_report_address(r, f->address);
    lg_report_access_type(r, access_type(f->access));
    if (f->addr_unknown)
        lg_report_note(r, "the address was not canonical: the pointer may hold a redzone pattern (0xfbfb...) or garbage");
    lg_report_stack_of_thread(r, "access", f->stack, "the faulting access", f->tid);
    lg_report_end(r);
}

void lg_finding_report(const lg_finding *f)
{
    if (f->stale) report_stale(f);
    else if (f->kind == LG_SEGV) report_crash(f);
    else if (f->op == LG_OP_FREE) report_bad_free(f);
    else if (f->op == LG_OP_CHECK) report_redzone(f);
    else if (f->op == LG_OP_EVICT) report_write_after_free(f);
    else report_access(f);
}
