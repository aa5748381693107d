// The other libc functions that take heap buffers: each misuse reported at
// its call (kind, function, line), the program going on.
// OPTIONS: guard=off
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: find_byte
// EXPECT-LINE: 79
// EXPECT-MESSAGE: memchr()
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: copy_name
// EXPECT-LINE: 80
// EXPECT-MESSAGE: strdup()
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: find_char
// EXPECT-LINE: 81
// EXPECT-MESSAGE: strchr() reads
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: sort_too_many
// EXPECT-LINE: 83
// EXPECT-MESSAGE: qsort() writes 48 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: poll_freed
// EXPECT-LINE: 84
// EXPECT-MESSAGE: poll()
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: gather_freed
// EXPECT-LINE: 85
// EXPECT-MESSAGE: writev()
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: scatter_short
// EXPECT-LINE: 86
// EXPECT-MESSAGE: readv() writes 38 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: receive_short
// EXPECT-LINE: 87
// EXPECT-MESSAGE: recv() writes 24 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: send_freed
// EXPECT-LINE: 88
// EXPECT-MESSAGE: send()
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_line
// EXPECT-LINE: 89
// EXPECT-MESSAGE: getline() writes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: parse_number
// EXPECT-LINE: 90
// EXPECT-MESSAGE: strtol()
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: write_wrapped
// EXPECT-LINE: 91
// EXPECT-MESSAGE: fwrite() reads 32 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: wide_copy
// EXPECT-LINE: 92
// EXPECT-MESSAGE: wcscpy() writes 24 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: wide_length
// EXPECT-LINE: 93
// EXPECT-MESSAGE: wcslen()
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: tokens
// EXPECT-LINE: 94
// EXPECT-MESSAGE: strtok()
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wchar.h>

static volatile long sink;
static void *volatile keep;

__attribute__((noinline)) static void find_byte(const char *p) { sink = (long)memchr(p, 'z', 16); }
__attribute__((noinline)) static void copy_name(const char *p) { keep = strdup(p); }
__attribute__((noinline)) static void find_char(const char *p) { sink = (long)strchr(p, 'z'); }
static int by_value(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
__attribute__((noinline)) static void sort_too_many(int *a) { qsort(a, 12, sizeof(int), by_value); sink = a[0]; }
__attribute__((noinline)) static void poll_freed(struct pollfd *f) { sink = poll(f, 1, 0); }
__attribute__((noinline)) static void gather_freed(int fd, struct iovec *v) { sink = writev(fd, v, 2); }
__attribute__((noinline)) static void scatter_short(int fd, struct iovec *v) { sink = readv(fd, v, 1); }
__attribute__((noinline)) static void receive_short(int fd, char *p) { sink = recv(fd, p, 64, 0); }
__attribute__((noinline)) static void send_freed(int fd, const char *p) { sink = send(fd, p, 8, 0); }
__attribute__((noinline)) static void read_line(char **line, size_t *n, FILE *f) { sink = getline(line, n, f); }
__attribute__((noinline)) static void parse_number(const char *p) { sink = strtol(p, NULL, 10); }
__attribute__((noinline)) static void write_wrapped(const char *p, size_t size, FILE *f) { sink = (long)fwrite(p, size, 2, f); }
__attribute__((noinline)) static void wide_copy(wchar_t *d, const wchar_t *s) { keep = wcscpy(d, s); }
__attribute__((noinline)) static void wide_length(const wchar_t *s) { sink = (long)wcslen(s); }
__attribute__((noinline)) static void tokens(char *s) { keep = strtok(s, " "); }

int main(void)
{
    char *a = malloc(16);
    memset(a, 'a', 16);
    free(a);
    find_byte(a);

    char *b = strdup("a name");
    free(b);
    copy_name(b);

    char *c = malloc(8);
    memcpy(c, "abcdefgh", 8); /* no terminator, no 'z' */
    find_char(c);

    int *arr = malloc(10 * sizeof(int));
    for (int i = 0; i < 10; i++) arr[i] = 10 - i;
    sort_too_many(arr);

    struct pollfd *pf = malloc(sizeof(*pf));
    pf->fd = 0;
    pf->events = POLLIN;
    free(pf);
    poll_freed(pf);

    int pipefd[2];
    if (pipe(pipefd)) return 2;
    char *gone = strdup("gone");
    free(gone);
    struct iovec out[2] = {{(void *)"ok", 2}, {gone, 4}};
    gather_freed(pipefd[1], out);
    if (write(pipefd[1], "0123456789abcdef0123456789abcdef", 32) != 32) return 2;
    char *small = malloc(16);
    struct iovec in = {small, 38};
    scatter_short(pipefd[0], &in);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return 2;
    if (send(sv[0], "0123456789abcdefghijklmn", 24, 0) != 24) return 2;
    char *rbuf = malloc(16);
    receive_short(sv[1], rbuf);
    char *sbuf = malloc(8);
    memset(sbuf, 's', 8);
    free(sbuf);
    send_freed(sv[0], sbuf);

    static char text[] = "a line that is longer than its buffer\n";
    FILE *f = fmemopen(text, sizeof(text) - 1, "r");
    char *line = malloc(8);
    size_t n = 64; /* the program lies about its buffer */
    read_line(&line, &n, f);
    fclose(f);

    char *num = strdup("12345");
    free(num);
    parse_number(num);

    char *blob = malloc(16);
    memset(blob, 'b', 16);
    FILE *sinkf = fopen("/dev/null", "w");
    write_wrapped(blob, ((size_t)1 << 63) + 16, sinkf); /* glibc writes 2 × 16 mod 2^64 = 32 bytes */
    fclose(sinkf);

    wchar_t *wd = malloc(4 * sizeof(wchar_t));
    wide_copy(wd, L"hello");
    wchar_t *ws = wcsdup(L"wide");
    free(ws);
    wide_length(ws);

    char *tk = malloc(8);
    memcpy(tk, "abcdefgh", 8); /* unterminated: strtok's token runs off the block */
    tokens(tk);
    return 0;
}
