// Tokens attribute exactly: two code paths take references with tokens;
// the put that comes last hands back open_path's token, so the reference
// left is cache_path's.  By counts alone (a put charged to the most recent
// get) open_path would be blamed.
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: cache_path
// EXPECT-LINE: 27
// EXPECT-OBJECT: Inode#1
// EXPECT-JQ: (.notes | any(test("acquired in cache_path"))) and ([.holders[].stacks[][] | .function] | index("open_path") == null)
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct inode { int ino; };
static char icache;
static volatile int cached; /* keeps cache_path distinct from open_path at -O2 (identical code folding) */

__attribute__((noinline)) static lg_ref_token_t open_path(struct inode *i)
{
    return lg_ref_get_token(i, &icache);
}

__attribute__((noinline)) static lg_ref_token_t cache_path(struct inode *i)
{
    cached++;
    return lg_ref_get_token(i, &icache);
}

__attribute__((noinline)) static void drop(struct inode *i, lg_ref_token_t t)
{
    lg_ref_put_token(i, &icache, t);
}

int main(void)
{
    static struct inode ino;
    lg_object_new(&ino, "Inode");
    lg_ref_token_t a = open_path(&ino);
    lg_ref_token_t b = cache_path(&ino);
    (void)b; /* leaked */
    drop(&ino, a);
    lg_ref_put(&ino, NULL);
    return 0;
}
