// The same functions as libc_buffers_bad.c used right, on heap buffers: no
// finding, and every result as without lifeguard (printed and compared).
// EXPECT-CLEAN
// EXPECT-STDOUT: memchr=3 strdup=name strchr=2 strstr=4 span=3/2 pbrk=c tok=a,b,c tokr=x,y
// EXPECT-STDOUT: num=123/-45/4096/7/2.5/99 sort=1234 found=3 poll=1 io=6:hello! recv=5:12345 line=short line|
// EXPECT-STDOUT: wide=5:hello cmp=0 wchr=l mb=3 wmem=xxx rawmem=1 ndup=nam wrap=0
// NO-RUNTIME-RUN
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

static int by_value(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(void)
{
    char *s = strdup("name");
    char *d = strdup(s);
    const char *m = memchr(s, 'e', 4);
    char *hay = strdup("abcdneedle");
    printf("memchr=%d strdup=%s strchr=%d strstr=%d span=%zu/%zu pbrk=%c ", (int)(m - s), d, (int)(strchr(s, 'm') - s),
           (int)(strstr(hay, "need") - hay), strspn(hay, "abc"), strcspn(hay, "cd"), *strpbrk(hay, "xc"));
    char *t = strdup("a b c");
    char *t1 = strtok(t, " "), *t2 = strtok(NULL, " "), *t3 = strtok(NULL, " ");
    char *u = strdup("x;y"), *save;
    char *u1 = strtok_r(u, ";", &save), *u2 = strtok_r(NULL, ";", &save);
    printf("tok=%s,%s,%s tokr=%s,%s\n", t1, t2, t3, u1, u2);

    char *n1 = strdup("123 rest"), *n2 = strdup("-45"), *n3 = strdup("0x1000"), *n4 = strdup("7"), *n5 = strdup("2.5x");
    char *end;
    long a = strtol(n1, &end, 10);
    printf("num=%ld/%lld/%lu/%d/%.1f/%ld ", a, strtoll(n2, NULL, 10), strtoul(n3, NULL, 16), atoi(n4), strtod(n5, NULL),
           atol("99"));
    int *arr = malloc(4 * sizeof(int));
    arr[0] = 4, arr[1] = 2, arr[2] = 3, arr[3] = 1;
    qsort(arr, 4, sizeof(int), by_value);
    int key = 3;
    int *found = bsearch(&key, arr, 4, sizeof(int), by_value);
    printf("sort=%d%d%d%d found=%d ", arr[0], arr[1], arr[2], arr[3], *found);

    struct pollfd *pf = malloc(sizeof(*pf));
    int pipefd[2];
    if (pipe(pipefd)) return 2;
    pf->fd = pipefd[1];
    pf->events = POLLOUT;
    printf("poll=%d ", poll(pf, 1, 0));
    char *h1 = strdup("hel"), *h2 = strdup("lo!");
    struct iovec out[2] = {{h1, 3}, {h2, 3}};
    ssize_t w = writev(pipefd[1], out, 2);
    char *in = calloc(1, 16);
    struct iovec iv = {in, 15};
    ssize_t r = readv(pipefd[0], &iv, 1);
    printf("io=%zd:%s ", w == r ? r : -1, in);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return 2;
    char *sb = strdup("12345");
    send(sv[0], sb, 5, 0);
    char *rb = calloc(1, 16);
    ssize_t got = recv(sv[1], rb, 15, 0);
    printf("recv=%zd:%s ", got, rb);
    static char text[] = "short line\n";
    FILE *f = fmemopen(text, sizeof(text) - 1, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, f);
    fclose(f);
    line[len - 1] = 0;
    printf("line=%s|\n", line);

    wchar_t *wd = malloc(6 * sizeof(wchar_t));
    wcscpy(wd, L"hello");
    wchar_t *wdup = wcsdup(wd);
    printf("wide=%zu:%ls cmp=%d wchr=%lc ", wcslen(wdup), wdup, wcscmp(wd, wdup), (wint_t)*wcschr(wd, L'l'));
    char *mb = malloc(8);
    size_t mbn = wcstombs(mb, L"abc", 8);
    wchar_t *wm = malloc(3 * sizeof(wchar_t));
    wmemset(wm, L'x', 3);
    wchar_t wtmp[4] = {0};
    wmemcpy(wtmp, wm, 3);
    printf("mb=%zu wmem=%ls rawmem=%d ndup=", mbn, wtmp, (int)((char *)rawmemchr(s, 'a') - s));
    char *nd = strndup(s, 3);
    printf("%s wrap=%zu\n", nd, fwrite(s, 0, 5, stdout));

    free(s); free(d); free(hay); free(t); free(u); free(n1); free(n2); free(n3); free(n4); free(n5);
    free(arr); free(pf); free(h1); free(h2); free(in); free(sb); free(rb); free(line);
    free(wd); free(wdup); free(mb); free(wm); free(nd);
    return 0;
}
