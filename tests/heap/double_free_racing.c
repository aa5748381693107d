// Two threads free the same block at the same moment, a hundred times: the
// state's compare-and-swap lets exactly one of them free it, so there is
// exactly one double free a round, never none (both freed the block: its
// slot would be queued twice) nor two.  stacks=0: findings without a stack
// are not merged, so every round's counts.
// OPTIONS: stacks=0:guard=off
// EXPECT-KIND: double-free
// EXPECT-COUNT: 100
// NO-GEN-SUPPRESSIONS: findings without a stack cannot be suppressed by function
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <pthread.h>
#include <stdlib.h>

#define ROUNDS 100
static void *volatile block;
static int go, done;

static void *racer(void *arg)
{
    (void)arg;
    for (int round = 1; round <= ROUNDS; round++) {
        while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) < round) {
        }
        free(block);
        __atomic_fetch_add(&done, 1, __ATOMIC_ACQ_REL);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, racer, NULL);
    for (int round = 1; round <= ROUNDS; round++) {
        block = malloc(8 + (size_t)(round % 8) * 16);
        __atomic_store_n(&go, round, __ATOMIC_RELEASE);
        while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) < 2 * round) {
        }
    }
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    return 0;
}
