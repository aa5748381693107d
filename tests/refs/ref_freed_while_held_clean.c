// The twin of ref_freed_while_held.c: the cache lets go before the free,
// and the creator's own reference goes with the free (lg_object_free too).
// EXPECT-CLEAN
// NO-RUNTIME-RUN
#include <stdlib.h>

#include "lifeguard.h"

struct inode { long ino; };
struct dcache { struct inode *slot; };

static struct dcache cache;

__attribute__((noinline)) static void evict_inode(struct inode *i)
{
    cache.slot = NULL;
    lg_ref_put(i, &cache);
    lg_object_free(i);
    free(i);
}

int main(void)
{
    lg_object_new(&cache, "DentryCache");
    struct inode *i = malloc(sizeof *i);
    lg_object_new(i, "Inode");
    cache.slot = i;
    lg_ref_get(i, &cache);
    evict_inode(i);
    lg_ref_put(&cache, NULL);
    return 0;
}
