/* cli_sarif.c — a JSON report as SARIF 2.1.0, in the subset GitHub code
 * scanning reads: one rule per finding kind (id = the kind), one result per
 * finding, its primary location the first frame of the program's own code,
 * every stack under "stacks" and the other stacks' own frames as
 * "relatedLocations"; file URIs relative to %SRCROOT% when they lie under
 * the source root. */
#define _GNU_SOURCE
#include "cli_report.h"
#include "../core/lg_core.h"

#include <stdlib.h>
#include <string.h>

/* The help of each kind: docs/REPORT.md's table of finding kinds. */
static const struct {
    const char *kind, *name, *help;
} kind_help[] = {
    {"double-free", "DoubleFree", "A block was freed twice: this free, the first free, the allocation."},
    {"invalid-free", "InvalidFree",
     "free() of something the allocator never returned: the stack, a global, inside a live block, unaligned."},
    {"stale-pointer", "StalePointer",
     "A pointer value read out of freed memory was freed or dereferenced: the block it came from, its free and "
     "allocation."},
    {"write-after-free", "WriteAfterFree",
     "A freed block's poison was modified, found when it left the quarantine or at exit: offset, free, allocation."},
    {"use-after-free", "UseAfterFree", "A libc function was given a buffer in a freed block, or a freed block was accessed."},
    {"heap-overflow", "HeapOverflow",
     "A redzone was written (found at free, realloc, exit) or a libc function was given a range past a block."},
    {"segv", "Crash", "The program crashed; what the address was near."},
    {"leak", "Leak", "Blocks nothing reaches any more, one finding per allocation stack."},
    {"ref-leak", "ReferenceLeak", "An object still counted at exit, with every holder."},
    {"ref-cycle", "ReferenceCycle", "Objects kept alive only by holding each other."},
    {"ref-underflow", "ReferenceUnderflow", "A put on a count already at zero."},
    {"ref-put-unheld", "ReferencePutUnheld", "A holder put a reference it does not hold."},
    {"ref-get-after-free", "ReferenceGetAfterFree", "A get on an object whose count reached zero or that was destroyed."},
    {"ref-freed-while-held", "ReferenceFreedWhileHeld", "An object destroyed while references were outstanding."},
    {"ref-growth", "ReferenceGrowth", "A count crossed ref_growth_limit."},
    {"ref-saturated", "ReferenceSaturated",
     "An lg_refcount_t saturated (a get from zero, past INT32_MAX, a put below zero): pinned, the object leaks."},
    {"ref-put-after-free", "ReferencePutAfterFree",
     "A put on an object already destroyed whose count was still above zero."},
    {"ref-weak-stale", "ReferenceWeakStale",
     "A use through a weak slot whose object died, or that was stored to without re-registering."},
    {"still-alive", "StillAlive", "lg_expect_freed found the object alive."},
    {"checkpoint-leak", "CheckpointLeak",
     "lg_check_since found objects or blocks born since the checkpoint still alive."},
    {"allocation-failure", "AllocationFailure",
     "An allocation could not be served (huge size, calloc overflow): not an error."},
    {"alloc-dealloc-mismatch", "AllocDeallocMismatch",
     "A block released by the wrong family: malloc'd and deleted, new'd and freed, new[]'d and deleted with delete."},
    {"new-delete-type-mismatch", "NewDeleteTypeMismatch",
     "A sized or aligned delete whose size or alignment is not the one the block was allocated with."},
};
_Static_assert(sizeof(kind_help) / sizeof(kind_help[0]) == LG_KIND_COUNT, "one SARIF rule per finding kind");

static json_t *text_msg(const char *text)
{
    return json_pack("{s:s}", "text", text && *text ? text : "(none)");
}

/* RFC 3986: everything but unreserved characters and '/' percent-encoded. */
static void put_uri_path(cli_str *s, const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            cli_str_putn(s, (const char *)p, 1);
        else
            cli_str_printf(s, "%%%02X", *p);
    }
}

/* {"uri", "uriBaseId"}: under the source root relative to %SRCROOT%. */
static json_t *artifact(const char *file, const cli_render_opts *o)
{
    cli_str uri = {0};
    const char *base = NULL;
    size_t root_len = o->srcroot ? strlen(o->srcroot) : 0;
    while (root_len > 1 && o->srcroot[root_len - 1] == '/') root_len--;
    if (file[0] == '/' && root_len && strncmp(file, o->srcroot, root_len) == 0 && file[root_len] == '/') {
        put_uri_path(&uri, file + root_len + 1);
        base = "%SRCROOT%";
    } else if (file[0] == '/') {
        cli_str_puts(&uri, "file://");
        put_uri_path(&uri, file);
    } else {
        put_uri_path(&uri, file);
        base = "%SRCROOT%";
    }
    json_t *a = json_pack("{s:s}", "uri", uri.data ? uri.data : "");
    if (base) json_object_set_new(a, "uriBaseId", json_string(base));
    cli_str_free(&uri);
    return a;
}

static char *frame_text(json_t *frame)
{
    const char *fn = cli_str_field(frame, "function");
    const char *module = cli_str_field(frame, "module");
    const char *off = cli_str_field(frame, "offset");
    const char *pc = cli_str_field(frame, "pc");
    if (module && off) return cli_printf("%s (%s+%s)", fn ? fn : "??", module, off);
    return cli_printf("%s (%s)", fn ? fn : "??", pc ? pc : "?");
}

/* A location for a frame: physical when its file is known, else logical. */
static json_t *frame_location(json_t *frame, const cli_render_opts *o, const char *message)
{
    json_t *loc = json_object();
    const char *file = cli_str_field(frame, "file");
    json_int_t line = json_integer_value(json_object_get(frame, "line"));
    if (file && *file) {
        json_t *phys = json_pack("{s:o}", "artifactLocation", artifact(file, o));
        if (line > 0) json_object_set_new(phys, "region", json_pack("{s:I}", "startLine", line));
        json_object_set_new(loc, "physicalLocation", phys);
    }
    const char *fn = cli_str_field(frame, "function");
    if (fn) json_object_set_new(loc, "logicalLocations", json_pack("[{s:s,s:s}]", "name", fn, "kind", "function"));
    char *text = message ? NULL : frame_text(frame);
    json_object_set_new(loc, "message", text_msg(message ? message : text));
    free(text);
    return loc;
}

static json_t *sarif_stack(const char *name, json_t *frames, const cli_render_opts *o)
{
    json_t *list = json_array();
    size_t shown = cli_stack_shown(frames, o->full_stacks);
    for (size_t i = 0; i < shown; i++) {
        json_t *f = json_array_get(frames, i);
        json_t *sf = json_pack("{s:o}", "location", frame_location(f, o, NULL));
        const char *module = cli_str_field(f, "module");
        if (module) json_object_set_new(sf, "module", json_string(module));
        json_array_append_new(list, sf);
    }
    return json_pack("{s:o,s:o}", "message", text_msg(name), "frames", list);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static int rule_index(const char *kind)
{
    for (int i = 0; i < (int)CLI_ARRAY_LEN(kind_help); i++)
        if (kind && strcmp(kind_help[i].kind, kind) == 0) return i;
    return -1;
}

static json_t *result_of(json_t *finding, const cli_render_opts *o)
{
    const char *kind = cli_str_field(finding, "kind");
    const char *message = cli_str_field(finding, "message");
    const char *severity = cli_str_field(finding, "severity");
    int rule = rule_index(kind);
    const char *level = severity && strcmp(severity, "warning") == 0 ? "warning" : "error";
    if (rule < 0) level = "warning";
    json_t *r = json_pack("{s:s,s:s,s:o}", "ruleId", kind ? kind : "unknown", "level", level, "message",
                          text_msg(message));
    if (rule >= 0) json_object_set_new(r, "ruleIndex", json_integer(rule));

    json_t *primary = cli_finding_primary_frame(finding);
    if (primary) json_object_set_new(r, "locations", json_pack("[o]", frame_location(primary, o, message)));

    cli_named_stack st[16];
    size_t n = cli_finding_stacks(finding, st, CLI_ARRAY_LEN(st));
    json_t *stacks = json_array(), *related = json_array();
    int id = 1;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(stacks, sarif_stack(st[i].title, st[i].frames, o));
        json_t *own = cli_stack_own_frame(st[i].frames);
        if (own && own != primary) {
            json_t *loc = frame_location(own, o, st[i].title);
            json_object_set_new(loc, "id", json_integer(id++));
            json_array_append_new(related, loc);
        }
    }
    size_t hi;
    json_t *h;
    json_array_foreach(json_object_get(finding, "holders"), hi, h)
    {
        const char *desc = cli_str_field(h, "description");
        size_t si;
        json_t *s;
        json_array_foreach(json_object_get(h, "stacks"), si, s)
        {
            json_array_append_new(stacks, sarif_stack(desc ? desc : "a holder's acquisition", s, o));
            json_t *own = cli_stack_own_frame(s);
            if (own && own != primary) {
                json_t *loc = frame_location(own, o, desc ? desc : "a holder's acquisition");
                json_object_set_new(loc, "id", json_integer(id++));
                json_array_append_new(related, loc);
            }
        }
    }
    if (json_array_size(stacks)) json_object_set_new(r, "stacks", stacks);
    else json_decref(stacks);
    if (json_array_size(related)) json_object_set_new(r, "relatedLocations", related);
    else json_decref(related);

    char *sig = cli_finding_signature(finding);
    char hash[32];
    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)fnv1a(sig));
    json_object_set_new(r, "partialFingerprints", json_pack("{s:s}", "lifeguardSignature/v1", hash));
    json_object_set_new(r, "properties", json_pack("{s:s}", "signature", sig));
    free(sig);

    /* What SARIF has no field for stays reachable in the result's bag. */
    json_t *props = json_object_get(r, "properties");
    static const char *const extras[] = {"address", "block", "object", "notes", "cycle", "threads", "blocks", "bytes"};
    for (size_t i = 0; i < CLI_ARRAY_LEN(extras); i++) {
        json_t *v = json_object_get(finding, extras[i]);
        if (v) json_object_set(props, extras[i], v);
    }
    return r;
}

void cli_render_sarif(json_t *doc, const cli_render_opts *o, cli_str *out)
{
    json_t *rules = json_array();
    for (size_t i = 0; i < CLI_ARRAY_LEN(kind_help); i++) {
        bool error = strcmp(kind_help[i].kind, "allocation-failure") != 0 && strcmp(kind_help[i].kind, "ref-growth") != 0;
        json_array_append_new(
            rules, json_pack("{s:s,s:s,s:o,s:o,s:o,s:{s:s},s:{s:[s,s]}}", "id", kind_help[i].kind, "name",
                             kind_help[i].name, "shortDescription", text_msg(kind_help[i].kind), "fullDescription",
                             text_msg(kind_help[i].help), "help", text_msg(kind_help[i].help),
                             "defaultConfiguration", "level", error ? "error" : "warning", "properties", "tags",
                             "reliability", "memory"));
    }
    json_t *results = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f) json_array_append_new(results, result_of(f, o));

    const char *version = cli_str_field(doc, "version");
    json_t *driver = json_pack("{s:s,s:s,s:o}", "name", "lifeguard", "version", version ? version : LG_VERSION, "rules",
                               rules);
    json_t *run = json_pack("{s:{s:o},s:o}", "tool", "driver", driver, "results", results);
    if (o->srcroot) {
        cli_str uri = {0};
        cli_str_puts(&uri, "file://");
        put_uri_path(&uri, o->srcroot);
        if (uri.data[uri.len - 1] != '/') cli_str_puts(&uri, "/");
        json_object_set_new(run, "originalUriBaseIds", json_pack("{s:{s:s}}", "%SRCROOT%", "uri", uri.data));
        cli_str_free(&uri);
    }
    json_t *command = json_object_get(doc, "command");
    json_t *invocation = json_pack("{s:b}", "executionSuccessful", true);
    if (json_is_array(command)) json_object_set(invocation, "arguments", command);
    json_object_set_new(run, "invocations", json_pack("[o]", invocation));

    json_t *sarif = json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version",
                              "2.1.0", "runs", run);
    char *dump = json_dumps(sarif, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(sarif);
    if (dump) {
        cli_str_puts(out, dump);
        cli_str_puts(out, "\n");
        free(dump);
    }
}
