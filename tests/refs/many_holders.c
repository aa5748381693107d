// Five thousand holders each keep one reference, taken thirty calls deep:
// the finding stays bounded (the largest holders, a summary of the rest)
// and the JSON report stays whole.
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: subscribe
// EXPECT-LINE: 17
// EXPECT-OBJECT: Topic#1
// EXPECT-JQ: .object.refcount == 5000 and (.holders | length <= 16) and (.notes | any(contains("more holders hold")))
// EXPECT-COUNT: 1
#include <stdlib.h>

#include "lifeguard.h"

__attribute__((noinline)) static void subscribe(void *topic, void *sub, int depth)
{
    if (depth) subscribe(topic, sub, depth - 1);
    else lg_ref_get(topic, sub);
    __asm__ volatile("" ::: "memory"); /* not a tail call: every frame stays */
}

int main(void)
{
    void *topic = malloc(64);
    lg_object_new(topic, "Topic");
    char *subs = malloc(5000);
    for (int i = 0; i < 5000; i++) subscribe(topic, subs + i, 30);
    lg_ref_put(topic, NULL);
    return 0;
}
