/* lg_format.c — byte helpers and a bounded text buffer with a printf subset.
 *
 * The core cannot call libc (it may run inside malloc, in a signal handler,
 * or in a kernel), so it formats its own text. */
#include "lg_core.h"

void lg_mem_set(void *dst, int byte, size_t len)
{
    volatile unsigned char *d = dst; /* volatile: keep the compiler from calling memset */
    while (len--) *d++ = (unsigned char)byte;
}

void lg_mem_copy(void *dst, const void *src, size_t len)
{
    volatile unsigned char *d = dst;
    const unsigned char *s = src;
    while (len--) *d++ = *s++;
}

int lg_mem_cmp(const void *a, const void *b, size_t len)
{
    const unsigned char *x = a, *y = b;
    for (; len; len--, x++, y++)
        if (*x != *y) return *x < *y ? -1 : 1;
    return 0;
}

size_t lg_str_len(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int lg_str_cmp(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

bool lg_str_eq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] || !a[i]) return false;
    return true;
}

size_t lg_fn_base_len(const char *fn, size_t n)
{
    static const char *const suffixes[] = {".constprop", ".isra", ".part", ".cold", ".lto_priv", ".llvm"};
    for (size_t i = 0; i < n; i++) {
        if (fn[i] != '.') continue;
        for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
            size_t len = lg_str_len(suffixes[k]);
            if (i + len <= n && lg_mem_cmp(fn + i, suffixes[k], len) == 0 && (fn[i + len] == 0 || fn[i + len] == '.'))
                return i;
        }
    }
    return n;
}

bool lg_parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        uint64_t digit = (uint64_t)(s[i] - '0');
        /* v * 10 + digit overflows; constant divisions only (see div10) */
        if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && digit > UINT64_MAX % 10)) return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

void lg_buf_init(lg_buf *b, char *storage, size_t cap)
{
    b->data = storage;
    b->len = 0;
    b->cap = cap;
}

void lg_buf_putc(lg_buf *b, char c)
{
    if (b->len < b->cap) b->data[b->len] = c;
    b->len++;
}

void lg_buf_putn(lg_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) lg_buf_putc(b, s[i]);
}

void lg_buf_puts(lg_buf *b, const char *s)
{
    if (!s) s = "(null)";
    while (*s) lg_buf_putc(b, *s++);
}

/* v / 10 in four 16-bit steps of 32-bit arithmetic: a 64-bit division on a
 * 32-bit target would call libgcc's __udivdi3 (the core needs none). */
static uint64_t div10(uint64_t v, unsigned *rem)
{
    uint64_t q = 0;
    uint32_t r = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t cur = (r << 16) | (uint32_t)((v >> shift) & 0xffff);
        q |= (uint64_t)(cur / 10) << shift;
        r = cur % 10;
    }
    *rem = r;
    return q;
}

/* %s: a name from the program (a type, a function, a file) must not be able
 * to start a line of its own in a report, so control characters are shown
 * as \xNN; the layout's own newlines come from the format strings. */
static void buf_put_shown(lg_buf *b, const char *s)
{
    static const char digits[] = "0123456789abcdef";
    if (!s) s = "(null)";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != 0x7f) {
            lg_buf_putc(b, (char)c);
            continue;
        }
        lg_buf_puts(b, "\\x");
        lg_buf_putc(b, digits[c >> 4]);
        lg_buf_putc(b, digits[c & 15]);
    }
}

void lg_buf_udec(lg_buf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        unsigned digit;
        v = div10(v, &digit);
        tmp[n++] = (char)('0' + digit);
    } while (v != 0);
    while (n) lg_buf_putc(b, tmp[--n]);
}

void lg_buf_dec(lg_buf *b, int64_t v)
{
    if (v < 0) {
        lg_buf_putc(b, '-');
        lg_buf_udec(b, (uint64_t)0 - (uint64_t)v);
    } else {
        lg_buf_udec(b, (uint64_t)v);
    }
}

static void buf_hex_digits(lg_buf *b, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    int n = 0;
    do tmp[n++] = digits[v & 15]; while ((v >>= 4) != 0);
    while (n) lg_buf_putc(b, tmp[--n]);
}

void lg_buf_hex(lg_buf *b, uint64_t v)
{
    lg_buf_puts(b, "0x");
    buf_hex_digits(b, v);
}

void lg_buf_json_str(lg_buf *b, const char *s)
{
    static const char digits[] = "0123456789abcdef";
    lg_buf_putc(b, '"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            lg_buf_putc(b, '\\');
            lg_buf_putc(b, (char)c);
        } else if (c == '\n') {
            lg_buf_puts(b, "\\n");
        } else if (c == '\t') {
            lg_buf_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            lg_buf_puts(b, "\\u00");
            lg_buf_putc(b, digits[c >> 4]);
            lg_buf_putc(b, digits[c & 15]);
        } else {
            lg_buf_putc(b, (char)c);
        }
    }
    lg_buf_putc(b, '"');
}

void lg_buf_vprintf(lg_buf *b, const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            lg_buf_putc(b, *p);
            continue;
        }
        p++;
        int longs = 0;
        bool size_t_arg = false;
        while (*p == 'l') longs++, p++;
        if (*p == 'z') size_t_arg = true, p++;
        switch (*p) {
        case 's': buf_put_shown(b, va_arg(ap, const char *)); break;
        case 'c': lg_buf_putc(b, (char)va_arg(ap, int)); break;
        case 'p': lg_buf_hex(b, (uintptr_t)va_arg(ap, void *)); break;
        case '%': lg_buf_putc(b, '%'); break;
        case 'd':
        case 'i':
            if (size_t_arg) lg_buf_dec(b, (int64_t)va_arg(ap, size_t));
            else if (longs == 2) lg_buf_dec(b, va_arg(ap, long long));
            else if (longs == 1) lg_buf_dec(b, va_arg(ap, long));
            else lg_buf_dec(b, va_arg(ap, int));
            break;
        case 'u':
        case 'x': {
            uint64_t v;
            if (size_t_arg) v = va_arg(ap, size_t);
            else if (longs == 2) v = va_arg(ap, unsigned long long);
            else if (longs == 1) v = va_arg(ap, unsigned long);
            else v = va_arg(ap, unsigned);
            if (*p == 'u') lg_buf_udec(b, v);
            else buf_hex_digits(b, v);
            break;
        }
        default: /* unknown conversion: print it as is */
            lg_buf_putc(b, '%');
            if (*p) lg_buf_putc(b, *p);
            else p--;
        }
    }
}

void lg_buf_printf(lg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lg_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *lg_buf_cstr(lg_buf *b)
{
    if (b->cap == 0) return "";
    if (b->len < b->cap) b->data[b->len] = 0;
    else b->data[b->cap - 1] = 0;
    return b->data;
}
