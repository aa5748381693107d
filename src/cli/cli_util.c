/* cli_util.c — one-line errors, allocation that cannot fail, growable
 * strings and whole-file helpers for the command-line tool. */
#define _GNU_SOURCE
#include "cli.h"
#include "../platform/lg_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void verror(const char *fmt, va_list ap)
{
    cli_str s = {0};
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    cli_str_puts(&s, "lifeguard: ");
    if (n > 0) {
        size_t at = s.len;
        cli_str_putn(&s, NULL, (size_t)n);
        vsnprintf(s.data + at, (size_t)n + 1, fmt, ap);
    }
    /* One line, whatever the message quotes (file names, option values). */
    for (size_t i = 0; i < s.len; i++)
        if (s.data[i] == '\n' || s.data[i] == '\r') s.data[i] = ' ';
    cli_str_putn(&s, "\n", 1);
    cli_write_all(2, s.data, s.len);
    cli_str_free(&s);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
}

_Noreturn void cli_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
    exit(CLI_EXIT_USAGE);
}

static _Noreturn void out_of_memory(void)
{
    static const char msg[] = "lifeguard: out of memory\n";
    cli_write_all(2, msg, sizeof(msg) - 1);
    exit(CLI_EXIT_USAGE);
}

void *cli_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

void *cli_realloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) out_of_memory();
    return q;
}

char *cli_strndup(const char *s, size_t n)
{
    char *d = cli_alloc(n + 1);
    memcpy(d, s, n);
    return d;
}

char *cli_strdup(const char *s)
{
    return cli_strndup(s, strlen(s));
}

char *cli_printf(const char *fmt, ...)
{
    va_list ap, cp;
    va_start(ap, fmt);
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *d = cli_alloc((size_t)(n < 0 ? 0 : n) + 1);
    if (n > 0) vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

/* Appends n bytes of text; with text NULL, reserves n bytes (left zero). */
void cli_str_putn(cli_str *s, const char *text, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 64;
        while (cap < s->len + n + 1) cap *= 2;
        s->data = cli_realloc(s->data, cap);
        s->cap = cap;
    }
    if (text) memcpy(s->data + s->len, text, n);
    else memset(s->data + s->len, 0, n);
    s->len += n;
    s->data[s->len] = 0;
}

void cli_str_puts(cli_str *s, const char *text)
{
    cli_str_putn(s, text, strlen(text));
}

void cli_str_printf(cli_str *s, const char *fmt, ...)
{
    va_list ap, cp;
    va_start(ap, fmt);
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n > 0) {
        size_t at = s->len;
        cli_str_putn(s, NULL, (size_t)n);
        vsnprintf(s->data + at, (size_t)n + 1, fmt, ap);
    }
    va_end(ap);
}

void cli_str_free(cli_str *s)
{
    free(s->data);
    s->data = NULL;
    s->len = s->cap = 0;
}

bool cli_read_all(FILE *f, cli_str *out)
{
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) cli_str_putn(out, buf, n);
    if (!out->data) cli_str_putn(out, "", 0);
    return !ferror(f);
}

bool cli_write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* The platform layer's writer: the runtime and the command replace files
 * the same way (a regular file atomically, anything else in place). */
bool cli_write_file(const char *path, const char *data, size_t len)
{
    return lg_pal_write_file(path, data, len);
}

char *cli_expand_pid(const char *pattern, int pid)
{
    cli_str s = {0};
    for (const char *p = pattern; *p; p++) {
        if (p[0] == '%' && p[1] == 'p') {
            cli_str_printf(&s, "%d", pid);
            p++;
        } else {
            cli_str_putn(&s, p, 1);
        }
    }
    if (!s.data) cli_str_putn(&s, "", 0);
    return s.data;
}

bool cli_remove_stale(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) return false;
    return unlink(path) == 0;
}
