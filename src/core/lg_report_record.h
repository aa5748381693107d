/* lg_report_record.h — a worded finding, as the renderers read it.
 *
 * The findings modules (lg_finding*.c) word a finding through the
 * lg_report_* calls of lg_report.h; those calls fill this record and write
 * nothing.  lg_report_end hands the record to the two renderers, text
 * (lg_report_text.c) and JSON (lg_report_json.c), each turning it into its
 * own output.  The record lives in static storage under the report lock. */
#ifndef LG_REPORT_RECORD_H
#define LG_REPORT_RECORD_H

#include "lg_core.h"

/* What the text shows in order; JSON gathers each sort in its own section. */
typedef enum lg_part_kind {
    LG_PART_OBJECT,       /* the tracked object (JSON "object") */
    LG_PART_NOTE,         /* a line of explanation (JSON "notes") */
    LG_PART_STACK,        /* one of the finding's stacks (JSON "stacks", "threads") */
    LG_PART_HOLDER,       /* a holder of references (JSON "holders") */
    LG_PART_HOLDER_STACK, /* a stack of the last holder before it */
    LG_PART_CYCLE,        /* a member of the reference cycle, in order (JSON "cycle") */
} lg_part_kind;

typedef struct lg_report_part {
    lg_part_kind kind;
    const char *text;  /* NOTE: the note; STACK, HOLDER_STACK: the title; HOLDER: its description */
    const char *key;   /* STACK: "access", "alloc", "free" ... */
    const char *type;  /* OBJECT, CYCLE: the type; HOLDER: the holder's type, or NULL */
    uintptr_t address; /* OBJECT, CYCLE: the object; HOLDER: the holder */
    uint64_t id;       /* OBJECT, CYCLE, HOLDER (with a type) */
    int64_t count;     /* OBJECT: the refcount; HOLDER: the references it holds */
    lg_stack_id stack; /* STACK, HOLDER_STACK */
    uint32_t tid;      /* STACK: the kernel thread that ran it (0: not known) */
} lg_report_part;

typedef struct lg_report_field {
    const char *key;
    const char *str; /* NULL: the number */
    uint64_t u64;
} lg_report_field;

#define LG_REPORT_PARTS 1024u
#define LG_REPORT_FIELDS 8u
#define LG_REPORT_WORDS (48u << 10) /* the record's strings */
#define LG_REPORT_LINE 512u         /* one message, note or description, as before: longer ones are cut */

struct lg_report {
    lg_kind kind;
    lg_stack_id key;
    bool not_error;
    bool cut; /* a part or a string did not fit: the JSON leaves the finding out */
    bool in_holder;
    const char *message;
    bool has_address, has_block;
    uintptr_t address;
    uintptr_t block_address;
    size_t block_size;
    const char *access_type; /* NULL: not said */
    uint32_t nfields, nparts;
    lg_report_field fields[LG_REPORT_FIELDS];
    lg_report_part parts[LG_REPORT_PARTS];
    lg_buf words;
};

/* The renderers.  Text: the headline and the body, as one write. */
void lg_report_render_text(const lg_report *r, lg_buf *out);
/* JSON: the finding's object.  False when it did not fit (out is cut). */
bool lg_report_render_json(const lg_report *r, lg_buf *out);

/* The stack key suppressions were matched against: the first of the
 * finding's stacks that is its key stack (NULL: none). */
const char *lg_report_key_name(const lg_report *r);

#endif
