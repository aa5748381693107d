// The clean twin of ref_token.c: every token handed back once, in any
// order, and the leak-free exit.  Tokens also pair exactly: a reference
// taken in probe and dropped in remove is not charged to another get.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-put-unheld
// EXPECT-NO-KIND: ref-leak
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct device { int id; };
static char dev_list;

__attribute__((noinline)) static lg_ref_token_t probe(struct device *d)
{
    return lg_ref_get_token(d, &dev_list);
}

__attribute__((noinline)) static void release(struct device *d, lg_ref_token_t t)
{
    lg_ref_put_token(d, &dev_list, t);
}

int main(void)
{
    struct device *d = malloc(sizeof(*d));
    lg_object_new(d, "Device");
    lg_ref_token_t t[8];
    for (int i = 0; i < 8; i++) t[i] = probe(d);
    for (int i = 0; i < 8; i += 2) release(d, t[i]);
    for (int i = 7; i > 0; i -= 2) release(d, t[i]);
    lg_ref_put(d, NULL);
    free(d);
    return 0;
}
