// The clean twin of refcount_unless_zero.c, with threads: lookups with
// lg_refcount_get_unless_zero race with the final put of each entry.  A
// lookup that wins drops its reference; one that loses takes none.  The
// tracker may see the final put before a winning lookup's get (the get is
// annotated after the count moved): that is no finding.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-get-after-free
// VARIANT: -O2 -g -fno-builtin
#include <pthread.h>
#include <stdlib.h>

#include "lifeguard.h"

#define ENTRIES 2000

struct entry { lg_refcount_t ref; };
static struct entry *table[ENTRIES];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static void entry_put(struct entry *e, int i)
{
    if (lg_refcount_put(&e->ref, e, NULL)) {
        pthread_mutex_lock(&table_lock);
        if (table[i] == e) table[i] = NULL;
        pthread_mutex_unlock(&table_lock);
        free(e);
    }
}

static void *reader(void *arg)
{
    (void)arg;
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < ENTRIES; i++) {
            pthread_mutex_lock(&table_lock);
            struct entry *e = table[i];
            int got = e && lg_refcount_get_unless_zero(&e->ref, e, NULL);
            pthread_mutex_unlock(&table_lock);
            if (got) entry_put(e, i);
        }
    return NULL;
}

int main(void)
{
    for (int i = 0; i < ENTRIES; i++) {
        table[i] = malloc(sizeof(struct entry));
        lg_refcount_init(&table[i]->ref, table[i], "Entry");
    }
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    for (int i = 0; i < ENTRIES; i++) {
        pthread_mutex_lock(&table_lock);
        struct entry *e = table[i];
        pthread_mutex_unlock(&table_lock);
        if (e) entry_put(e, i);
    }
    pthread_join(t, NULL);
    return 0;
}
