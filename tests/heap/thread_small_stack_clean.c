// Threads on the smallest stacks pthread_create accepts, and thousands of
// short-lived ones: under the runtime they start as without it (the
// runtime's per-thread state is mapped, not in static TLS, which glibc
// takes from every thread's stack: 31 KiB of it made 16 and 32 KiB stacks
// fail with EINVAL), and a thread's state is given back when it ends
// (2 000 threads leave the address space as it was, within 16 MiB).
// EXPECT-CLEAN
// EXPECT-STDOUT: threads ok
// NO-RUNTIME-RUN
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *work(void *arg)
{
    char *p = malloc(64 + (size_t)arg % 64);
    if (!p) return (void *)1;
    memset(p, 'x', 64);
    free(p);
    return NULL;
}

static long vm_size_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmSize:", 7)) kb = strtol(line + 7, NULL, 10);
    if (f) fclose(f);
    return kb;
}

static int run(size_t stack_bytes, uintptr_t i)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (stack_bytes && pthread_attr_setstacksize(&attr, stack_bytes) != 0) return 1;
    pthread_t t;
    int rc = pthread_create(&t, &attr, work, (void *)i);
    pthread_attr_destroy(&attr);
    if (rc) {
        printf("pthread_create with a %zu-byte stack: %s\n", stack_bytes, strerror(rc));
        return 1;
    }
    void *out;
    pthread_join(t, &out);
    return out != NULL;
}

int main(void)
{
    const size_t sizes[] = {PTHREAD_STACK_MIN, 2 * PTHREAD_STACK_MIN, 32768, 65536};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (run(sizes[i], i)) return 1;
    if (run(0, 0)) return 1; /* glibc caches the stacks of ended threads: warm it */
    long before = vm_size_kb();
    for (uintptr_t i = 0; i < 2000; i++)
        if (run(PTHREAD_STACK_MIN, i)) return 1;
    long grown = vm_size_kb() - before;
    if (before < 0 || grown > 16 * 1024) {
        printf("2000 threads grew the address space by %ld KiB\n", grown);
        return 1;
    }
    puts("threads ok");
    return 0;
}
