/* fake_runtime.c — stands in for liblifeguard.so in the CLI tests.  At load
 * it reads LIFEGUARD_OPTIONS, appends a one-finding text report with a
 * frame of the main executable (at FAKE_OFFSET) to log_path, and writes a
 * JSON report to json_path (%p: pid; FAKE_ERRORS: its summary's errors).  FAKE_ENV_DUMP=FILE: record the options and
 * LD_PRELOAD it saw; FAKE_NO_JSON: write no JSON; FAKE_BAD_JSON: a cut one. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What `lifeguard run` looks for to know a runtime library from any other. */
__attribute__((visibility("default"))) const int lifeguard_api_v1 = 0;

/* The value of the last KEY=... entry of opts, %p replaced by the pid. */
static void last_path(const char *opts, const char *key, char *out, size_t cap)
{
    const char *p = NULL;
    for (const char *q = opts; (q = strstr(q, key)); q++) p = q;
    if (!p) return;
    char tmpl[1024];
    snprintf(tmpl, sizeof(tmpl), "%.*s", (int)strcspn(p + strlen(key), ":"), p + strlen(key));
    char *pid_mark = strstr(tmpl, "%p");
    if (!pid_mark) {
        snprintf(out, cap, "%s", tmpl);
        return;
    }
    *pid_mark = 0;
    snprintf(out, cap, "%s%d%s", tmpl, (int)getpid(), pid_mark + 2);
}

__attribute__((constructor)) static void fake_start(void)
{
    const char *opts = getenv("LIFEGUARD_OPTIONS");
    const char *dump = getenv("FAKE_ENV_DUMP");
    if (dump) {
        FILE *f = fopen(dump, "w");
        if (f) {
            fprintf(f, "OPTS=%s\nPRELOAD=%s\n", opts ? opts : "", getenv("LD_PRELOAD"));
            fclose(f);
        }
    }
    if (!opts) return;

    char logp[1024] = "", json[1024] = "";
    last_path(opts, "log_path=", logp, sizeof(logp));
    last_path(opts, "json_path=", json, sizeof(json));
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n < 0 ? 0 : n] = 0;
    const char *off = getenv("FAKE_OFFSET") ? getenv("FAKE_OFFSET") : "0x1";

    int fd = logp[0] ? open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : 2;
    if (fd < 0) fd = 2;
    dprintf(fd, "==%d==ERROR: lifeguard: fake\n    #0 0x1234 (%s+%s)\nplain line\n", (int)getpid(), exe, off);
    if (fd != 2) close(fd);
    if (json[0] && !getenv("FAKE_NO_JSON")) {
        FILE *f = fopen(json, "w");
        if (!f) return;
        fprintf(f, "{\"pid\": %d, \"findings\": [{\"stacks\": {\"alloc\": [{\"pc\": \"0x1\", \"module\": \"%s\", "
                   "\"offset\": \"%s\"}]}}], \"summary\": {\"errors\": %d}%s\n", (int)getpid(), exe, off,
                atoi(getenv("FAKE_ERRORS") ? getenv("FAKE_ERRORS") : "0"), getenv("FAKE_BAD_JSON") ? "" : "}");
        fclose(f);
    }
}
