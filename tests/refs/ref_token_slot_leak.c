// Tokens attribute exactly whatever order they are handed back in: a
// holder keeps one outstanding token beside its counter and the others in
// records, and here the token left outstanding is taken after the first
// one was handed back (it reuses that place) while an older one is still
// out.  scan_path's reference is the one leaked; open_path's and
// cache_path's were all handed back.
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: scan_path
// EXPECT-LINE: 35
// EXPECT-OBJECT: Inode#1
// EXPECT-JQ: (.notes | any(test("acquired in scan_path"))) and ([.holders[].stacks[][] | .function] | (index("open_path") == null and index("cache_path") == null))
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct inode { int ino; };
static char icache;
static volatile int path; /* keeps the three paths distinct at -O2 (identical code folding) */

__attribute__((noinline)) static lg_ref_token_t open_path(struct inode *i)
{
    return lg_ref_get_token(i, &icache);
}

__attribute__((noinline)) static lg_ref_token_t cache_path(struct inode *i)
{
    path = 1;
    return lg_ref_get_token(i, &icache);
}

__attribute__((noinline)) static lg_ref_token_t scan_path(struct inode *i)
{
    path = 2;
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
    drop(&ino, b);
    lg_ref_token_t c = open_path(&ino);
    drop(&ino, a);
    lg_ref_token_t d = scan_path(&ino); /* leaked */
    (void)d;
    drop(&ino, c);
    for (int k = 0; k < 3; k++) drop(&ino, cache_path(&ino));
    lg_ref_put(&ino, NULL);
    return 0;
}
