/* prodcons.c — messages allocated by producer threads and freed by consumer
 * threads, handed over in batches through a bounded queue. */
#include <pthread.h>
#include <string.h>

#include "wl_common.h"

#define PRODUCERS 2
#define CONSUMERS 2
#define BATCH 256
#define QUEUE_BATCHES 64

struct msg {
    uint32_t len;
    uint32_t seq;
    unsigned char payload[];
};

struct batch {
    struct msg *m[BATCH];
    unsigned n;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    struct batch *ring[QUEUE_BATCHES];
    unsigned head, count, producers_left;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, PRODUCERS};

static uint64_t per_producer;

static void push(struct batch *b)
{
    pthread_mutex_lock(&q.lock);
    while (q.count == QUEUE_BATCHES)
        pthread_cond_wait(&q.not_full, &q.lock);
    q.ring[(q.head + q.count++) % QUEUE_BATCHES] = b;
    pthread_cond_signal(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
}

/* NULL once every producer is done and the queue is drained. */
static struct batch *pop(void)
{
    struct batch *b = NULL;
    pthread_mutex_lock(&q.lock);
    while (q.count == 0 && q.producers_left)
        pthread_cond_wait(&q.not_empty, &q.lock);
    if (q.count) {
        b = q.ring[q.head];
        q.head = (q.head + 1) % QUEUE_BATCHES;
        q.count--;
        pthread_cond_signal(&q.not_full);
    }
    pthread_mutex_unlock(&q.lock);
    return b;
}

static void *producer(void *arg)
{
    uint64_t rng = 0x5EED0004 + (uintptr_t)arg * 7919;
    struct batch *b = NULL;
    for (uint64_t i = 0; i < per_producer; i++) {
        if (!b) {
            b = wl_xmalloc(sizeof *b);
            b->n = 0;
        }
        uint64_t r = wl_rand(&rng);
        uint32_t len = 1 + (uint32_t)(r % 200);
        if ((r >> 32) % 64 == 0)
            len += 2000; /* now and then a big one */
        struct msg *m = wl_xmalloc(sizeof *m + len);
        m->len = len;
        m->seq = (uint32_t)i;
        memset(m->payload, (int)(r >> 16), len);
        b->m[b->n++] = m;
        if (b->n == BATCH) {
            push(b);
            b = NULL;
        }
    }
    if (b)
        push(b);
    pthread_mutex_lock(&q.lock);
    q.producers_left--;
    pthread_cond_broadcast(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

static void *consumer(void *out)
{
    uint64_t sum = 0; /* a plain sum: the same whichever consumer gets what */
    struct batch *b;
    while ((b = pop())) {
        for (unsigned k = 0; k < b->n; k++) {
            struct msg *m = b->m[k];
            sum += wl_mix(m->len, (uint64_t)m->seq << 8 | m->payload[m->len - 1]) + m->payload[0];
            free(m);
        }
        free(b);
    }
    *(uint64_t *)out = sum;
    return NULL;
}

int main(int argc, char **argv)
{
    per_producer = wl_scaled(argc, argv, 4000000);
    pthread_t prod[PRODUCERS], cons[CONSUMERS];
    uint64_t sums[CONSUMERS], total = 0;

    for (uintptr_t k = 0; k < CONSUMERS; k++)
        pthread_create(&cons[k], NULL, consumer, &sums[k]);
    for (uintptr_t k = 0; k < PRODUCERS; k++)
        pthread_create(&prod[k], NULL, producer, (void *)k);
    for (int k = 0; k < PRODUCERS; k++)
        pthread_join(prod[k], NULL);
    for (int k = 0; k < CONSUMERS; k++) {
        pthread_join(cons[k], NULL);
        total += sums[k];
    }
    printf("prodcons messages=%llu checksum=%016llx\n", (unsigned long long)(per_producer * PRODUCERS),
           (unsigned long long)total);
    return 0;
}
