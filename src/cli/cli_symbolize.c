/* cli_symbolize.c — `lifeguard symbolize [FILE|-]`: a report, text or JSON
 * (JSON when its first non-blank character is '{'), written to stdout with
 * every frame symbolized.  Text is streamed line by line, so the command
 * also works at the end of a pipe from a running program. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] = "usage: lifeguard symbolize [FILE|-]\n";

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
    return true;
}

static bool flush_out(cli_str *out, bool stream)
{
    if (out->len && fwrite(out->data, 1, out->len, stdout) != out->len) return false;
    out->len = 0;
    return !stream || fflush(stdout) == 0;
}

static int symbolize_stream(FILE *in, const char *name, bool stream)
{
    cli_str pending = {0}, out = {0}, err = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;

    /* Blank lines are held until the first real one tells text from JSON. */
    while ((n = getline(&line, &cap, in)) > 0 && is_blank(line, (size_t)n)) cli_str_putn(&pending, line, (size_t)n);

    if (n > 0 && line[strspn(line, " \t\r\n")] == '{') {
        cli_str_putn(&pending, line, (size_t)n);
        if (!cli_read_all(in, &pending)) {
            cli_error("cannot read '%s': %s", name, strerror(errno));
            rc = CLI_EXIT_USAGE;
        } else if (!cli_json_symbolize_text(pending.data, pending.len, name, &out, &err)) {
            cli_error("%s", err.data);
            rc = CLI_EXIT_USAGE;
        }
    } else {
        if (pending.len) cli_str_putn(&out, pending.data, pending.len);
        for (; n > 0; n = getline(&line, &cap, in)) {
            size_t len = (size_t)n;
            if (line[len - 1] == '\n') len--;
            cli_text_line(line, len, &out);
            if (stream && !flush_out(&out, stream)) break;
        }
        if (ferror(in)) {
            cli_error("cannot read '%s': %s", name, strerror(errno));
            rc = CLI_EXIT_USAGE;
        }
    }
    if (!flush_out(&out, false) || fflush(stdout) != 0) {
        cli_error("cannot write the symbolized report: %s", strerror(errno));
        rc = CLI_EXIT_USAGE;
    }
    free(line);
    cli_str_free(&pending);
    cli_str_free(&out);
    cli_str_free(&err);
    return rc;
}

int cli_cmd_symbolize(int argc, char **argv)
{
    const char *path = NULL;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done) {
            if (strcmp(a, "--") == 0) {
                options_done = true;
                continue;
            }
            if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                fputs(usage, stdout);
                return 0;
            }
            if (a[0] == '-' && a[1] != 0)
                cli_die("symbolize: unknown option '%s' (usage: lifeguard symbolize [FILE|-])", a);
        }
        if (path) cli_die("symbolize takes one FILE, got '%s' and '%s'", path, a);
        path = a;
    }

    FILE *in = stdin;
    const char *name = "<stdin>";
    if (path && strcmp(path, "-") != 0) {
        struct stat st;
        if (stat(path, &st) != 0) cli_die("cannot open report '%s': %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode)) cli_die("cannot open report '%s': it is a directory", path);
        in = fopen(path, "re");
        if (!in) cli_die("cannot open report '%s': %s", path, strerror(errno));
        name = path;
    }
    struct stat st;
    bool stream = fstat(fileno(in), &st) != 0 || !S_ISREG(st.st_mode);
    int rc = symbolize_stream(in, name, stream);
    if (in != stdin) fclose(in);
    cli_sym_shutdown();
    return rc;
}
