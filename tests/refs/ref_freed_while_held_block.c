// An inode is freed while the dentry cache still holds a reference to it:
// freeing its heap block destroys the object (no lg_object_free needed),
// with a holder left: the holder, its acquisition and the destroying free().
// EXPECT-KIND: ref-freed-while-held
// EXPECT-FUNCTION: cache_inode
// EXPECT-LINE: 29
// EXPECT-MESSAGE: its heap block was freed
// EXPECT-OBJECT: Inode#1
// EXPECT-JQ: .holders | any(.holder_type == "DentryCache" and .holder_id == 1 and .count == 1)
// EXPECT-NO-TEXT: lifeguard.h:
// EXPECT-JQ: .stacks.free[0].function == "evict_inode" and .stacks.free[0].line == 23
#include <stdlib.h>

#include "lifeguard.h"

struct inode { long ino; };
struct dcache { struct inode *slot; };

static struct dcache cache;

__attribute__((noinline)) static void evict_inode(struct inode *i)
{
    free(i); /* the cache still points to it */
}

__attribute__((noinline)) static void cache_inode(struct inode *i)
{
    cache.slot = i;
    lg_ref_get(i, &cache);
}

int main(void)
{
    lg_object_new(&cache, "DentryCache");
    struct inode *i = malloc(sizeof *i);
    lg_object_new(i, "Inode");
    cache_inode(i);
    evict_inode(i);
    lg_ref_put(&cache, NULL);
    return 0;
}
