// An inode is destroyed while the dentry cache still holds a reference to
// it: the destroyer is named, and who still holds what.
// EXPECT-KIND: ref-freed-while-held
// EXPECT-FUNCTION: evict_inode
// EXPECT-LINE: 20
// EXPECT-OBJECT: Inode#1
// EXPECT-JQ: .holders | any(.holder_type == "DentryCache" and .holder_id == 1 and .count == 1)
// EXPECT-TEXT: in cache_inode
#include <stdlib.h>

#include "lifeguard.h"

struct inode { long ino; };
struct dcache { struct inode *slot; };

static struct dcache cache;

__attribute__((noinline)) static void evict_inode(struct inode *i)
{
    lg_object_free(i); /* the cache still points to it */
    free(i);
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
