// guard=all under four threads: two produce messages, two consume and free
// them in loops (so their frees wait in batches while other threads take
// and reuse slots); no false report, every message intact.
// OPTIONS: guard=all
// EXPECT-CLEAN
// EXPECT-STDOUT: ok 80000
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PRODUCER 40000
#define RING 512

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static unsigned char *ring[RING];
static unsigned head, count, producing = 2;
static long received, bad;

static void *produce(void *arg)
{
    unsigned seed = (unsigned)(size_t)arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = 2 + (seed >> 16) % 300;
        unsigned char *m = malloc(len);
        m[0] = (unsigned char)len;
        m[1] = (unsigned char)(len >> 8);
        memset(m + 2, (int)(len & 0xff), len - 2);
        pthread_mutex_lock(&lock);
        while (count == RING) pthread_cond_wait(&changed, &lock);
        ring[(head + count++) % RING] = m;
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
    }
    pthread_mutex_lock(&lock);
    producing--;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void *consume(void *arg)
{
    (void)arg;
    unsigned char *taken[64];
    for (;;) {
        unsigned n = 0;
        pthread_mutex_lock(&lock);
        while (!count && producing) pthread_cond_wait(&changed, &lock);
        while (count && n < 64) {
            taken[n++] = ring[head];
            head = (head + 1) % RING;
            count--;
        }
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
        if (!n) return NULL;
        long wrong = 0;
        for (unsigned k = 0; k < n; k++) { /* checked, then freed in a loop */
            unsigned char *m = taken[k];
            size_t len = m[0] | (size_t)m[1] << 8;
            for (size_t j = 2; j < len; j++) wrong += m[j] != (unsigned char)(len & 0xff);
            free(m);
        }
        pthread_mutex_lock(&lock);
        received += n;
        bad += wrong;
        pthread_mutex_unlock(&lock);
    }
}

int main(void)
{
    pthread_t p[2], c[2];
    for (int i = 0; i < 2; i++) pthread_create(&c[i], NULL, consume, NULL);
    for (int i = 0; i < 2; i++) pthread_create(&p[i], NULL, produce, (void *)(size_t)(i + 1));
    for (int i = 0; i < 2; i++) pthread_join(p[i], NULL);
    for (int i = 0; i < 2; i++) pthread_join(c[i], NULL);
    if (bad) printf("bad %ld\n", bad);
    else printf("ok %ld\n", received);
    return 0;
}
