/* cli_report.h — the renderers of a symbolized JSON report and what they
 * share (cli_findings.c): SARIF (cli_sarif.c), HTML (cli_html.c), text and
 * suppressions (cli_render_text.c), baselines (cli_baseline.c), and the
 * `report` command that chooses among them (cli_report.c). */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include "cli.h"

#include <jansson.h>

/* Loads a lifeguard JSON report; any problem is one line and exit 2,
 * prefixed with `what` (the command). */
json_t *cli_report_load(const char *path, const char *what);

typedef struct cli_named_stack {
    const char *name; /* "access", "alloc", ... */
    json_t *frames;   /* [FRAME] */
    const char *title; /* the report's heading for it ("the faulting access"), else cli_stack_title's */
} cli_named_stack;

/* A finding's stacks in display order (the bad operation first). */
size_t cli_finding_stacks(json_t *finding, cli_named_stack *out, size_t max);
/* A heading for a stack name when the report carries none. */
const char *cli_stack_title(const char *name);
const char *cli_str_field(json_t *obj, const char *key);

/* A frame of the program's own code: not the C library or another system
 * library, not the runtime, not lifeguard.h's inline wrappers. */
bool cli_frame_is_own(json_t *frame);
/* `main`, or the thread start routine's callers (start_thread, clone3):
 * what lies below is hidden unless full stacks were asked for.  *show_it:
 * the frame itself is shown (main) or not (start_thread). */
bool cli_frame_is_bottom(json_t *frame, bool *show_it);
/* How many of a stack's frames are shown. */
size_t cli_stack_shown(json_t *stack, bool full);
/* The first frame of the program's own code that has a function name. */
json_t *cli_stack_own_frame(json_t *stack);
/* The stack that stands for the finding: the first holder's acquisition
 * for a reference finding, else the first stack with a frame of the
 * program's own code. */
json_t *cli_finding_primary_stack(json_t *finding);
/* Its first frame of the program's own code (SARIF's primary location). */
json_t *cli_finding_primary_frame(json_t *finding);
/* What identifies a finding across runs: kind, object type, and the
 * functions of the culprit frames (no addresses, no lines).  Malloc'd. */
char *cli_finding_signature(json_t *finding);

/* Renderers: each writes the whole document to out. */
typedef struct cli_render_opts {
    const char *srcroot; /* SARIF's %SRCROOT% and where HTML finds sources; absolute */
    bool full_stacks;    /* show the frames below main */
} cli_render_opts;

void cli_render_sarif(json_t *doc, const cli_render_opts *o, cli_str *out);
void cli_render_html(json_t *doc, const cli_render_opts *o, cli_str *out);
void cli_render_text(json_t *doc, const cli_render_opts *o, cli_str *out);
/* One suppressions-file rule per finding that silences it. */
void cli_render_suppressions(json_t *doc, cli_str *out);
/* The suppression rule for one finding, or NULL when none can name it. */
char *cli_finding_suppression(json_t *finding);

/* Removes from new_doc's findings those that old_doc already had (by
 * signature); returns how many are left. */
size_t cli_baseline_filter(json_t *old_doc, json_t *new_doc);

/* `run`: the extra documents rendered from the program's symbolized JSON
 * report when it ends. */
typedef struct cli_run_outputs {
    const char *sarif_path, *html_path;
    bool gen_suppressions;
    int log_fd;
    cli_render_opts render;
} cli_run_outputs;
bool cli_run_render(const char *json_text, size_t len, const cli_run_outputs *o);

#endif
