/* guard_marks.c — what marking freed guarded pages costs, one at a time
 * or in a batch (docs/PERFORMANCE-HISTORY.md, "Batched frees"):
 *
 *   guard_marks MODE PAGES ROUNDS [SPINNERS]
 *
 * PAGES slots of [data page][guard page] are touched, then their data
 * pages marked: MODE 0 one madvise(MADV_GUARD_INSTALL) a page, 1 one
 * batched MADV_DONTNEED then one batched install (process_madvise), 2 one
 * madvise over all PAGES slots as one range, then unmarked one a page.
 * SPINNERS threads keep running meanwhile, so that a TLB flush has other
 * CPUs to interrupt, as in a threaded program.  Prints microseconds a
 * page for the marking, the unmarking and the touches (the faults). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif
#define PIDFD_SELF_THREAD (-10000)
#define MAX_PAGES 1024

static volatile int stop;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *spin(void *arg)
{
    volatile unsigned long n = 0;
    (void)arg;
    while (!stop) n++;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: guard_marks MODE PAGES ROUNDS [SPINNERS]\n");
        return 2;
    }
    int mode = atoi(argv[1]), pages = atoi(argv[2]), rounds = atoi(argv[3]), spinners = argc > 4 ? atoi(argv[4]) : 0;
    if (pages < 1 || pages > MAX_PAGES || spinners > 8) return 2;
    size_t ps = (size_t)sysconf(_SC_PAGESIZE), slot = 2 * ps;
    char *region = mmap(NULL, slot * (size_t)pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return 1;
    for (int i = 0; i < pages; i++)
        if (syscall(SYS_madvise, region + (size_t)i * slot + ps, ps, MADV_GUARD_INSTALL) != 0) {
            puts("no guard markers here (Linux 6.13+)");
            return 0;
        }
    pthread_t threads[8];
    for (int i = 0; i < spinners; i++) pthread_create(&threads[i], NULL, spin, NULL);
    static struct iovec iov[MAX_PAGES];
    for (int i = 0; i < pages; i++) iov[i] = (struct iovec){region + (size_t)i * slot, ps};
    double mark = 0, unmark = 0, touch = 0;
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        for (int i = 0; i < pages; i++) region[(size_t)i * slot] = 1;
        double t1 = now();
        if (mode == 0)
            for (int i = 0; i < pages; i++) syscall(SYS_madvise, iov[i].iov_base, ps, MADV_GUARD_INSTALL);
        else if (mode == 1) {
            syscall(SYS_process_madvise, PIDFD_SELF_THREAD, iov, (size_t)pages, MADV_DONTNEED, 0);
            syscall(SYS_process_madvise, PIDFD_SELF_THREAD, iov, (size_t)pages, MADV_GUARD_INSTALL, 0);
        } else
            syscall(SYS_madvise, region, slot * (size_t)pages, MADV_GUARD_INSTALL);
        double t2 = now();
        for (int i = 0; i < pages; i++) syscall(SYS_madvise, iov[i].iov_base, ps, MADV_GUARD_REMOVE);
        double t3 = now();
        touch += t1 - t0;
        mark += t2 - t1;
        unmark += t3 - t2;
    }
    stop = 1;
    for (int i = 0; i < spinners; i++) pthread_join(threads[i], NULL);
    double per = 1e6 / ((double)rounds * pages);
    printf("mode %d, %d pages, %d spinners: mark %.2f us a page, unmark %.2f, touch %.2f\n", mode, pages, spinners, mark * per,
           unmark * per, touch * per);
    return 0;
}
