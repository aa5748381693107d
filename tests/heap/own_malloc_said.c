// A program with its own malloc (Chromium's PartitionAlloc exports one) is
// looked up before the preloaded runtime: its blocks never reach the
// checked heap.  lifeguard says so, naming the module, instead of a run
// that checked nothing looking clean; the program runs as before.
// EXPECT-CLEAN
// EXPECT-TEXT: malloc is the program's own
// EXPECT-TEXT: found before lifeguard's: the blocks it allocates are not checked
// EXPECT-STDOUT: own malloc served 3
#include <stdio.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static int served;

void *malloc(size_t n)
{
    served++;
    return __libc_malloc(n);
}

void free(void *p)
{
    __libc_free(p);
}

void *calloc(size_t n, size_t size)
{
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    return __libc_realloc(p, n);
}

int main(void)
{
    int before = served;
    for (int i = 0; i < 3; i++) {
        char *volatile p = malloc(32);
        strcpy(p, "x");
        free(p);
    }
    printf("own malloc served %d\n", served - before);
    return 0;
}
