/* fake_runtime.c — stands in for liblifeguard.so in the CLI tests.  At load
 * it reads LIFEGUARD_OPTIONS, writes a one-finding text report with a frame
 * of the main executable (at FAKE_OFFSET) to log_fd, and a JSON report to
 * json_path (%p: pid).  FAKE_ENV_DUMP=FILE: record the options and
 * LD_PRELOAD it saw; FAKE_NO_JSON: write no JSON; FAKE_BAD_JSON: a cut one. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

    int fd = 2;
    const char *p = strstr(opts, "log_fd=");
    if (p) fd = atoi(p + 7);
    char json[1024] = "";
    p = strstr(opts, "json_path=");
    if (p) {
        char tmpl[1024];
        snprintf(tmpl, sizeof(tmpl), "%.*s", (int)strcspn(p + 10, ":"), p + 10);
        char *pid_mark = strstr(tmpl, "%p");
        if (pid_mark) {
            *pid_mark = 0;
            snprintf(json, sizeof(json), "%s%d%s", tmpl, (int)getpid(), pid_mark + 2);
        }
    }
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n < 0 ? 0 : n] = 0;
    const char *off = getenv("FAKE_OFFSET") ? getenv("FAKE_OFFSET") : "0x1";

    dprintf(fd, "==%d==ERROR: lifeguard: fake\n    #0 0x1234 (%s+%s)\nplain line\n", (int)getpid(), exe, off);
    if (json[0] && !getenv("FAKE_NO_JSON")) {
        FILE *f = fopen(json, "w");
        if (!f) return;
        fprintf(f, "{\"pid\": %d, \"findings\": [{\"stacks\": {\"alloc\": [{\"pc\": \"0x1\", \"module\": \"%s\", "
                   "\"offset\": \"%s\"}]}}]%s\n", (int)getpid(), exe, off, getenv("FAKE_BAD_JSON") ? "" : "}");
        fclose(f);
    }
}
