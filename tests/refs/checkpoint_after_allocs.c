// A thread that allocated before the checkpoint allocates again after it:
// only the blocks born after the checkpoint and still live count, however
// the runtime numbers births (per-thread ranges must not let a later block
// pass for an earlier one).
// EXPECT-KIND: checkpoint-leak
// EXPECT-FUNCTION: make_session
// EXPECT-LINE: 18
// EXPECT-COUNT: 1
// EXPECT-JQ: .blocks == 1 and .bytes == 40
// EXPECT-STDOUT: found 1
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

__attribute__((noinline)) static void *make_session(void)
{
    return malloc(40);
}

static void *before[8];
static void *after;

int main(void)
{
    for (int i = 0; i < 8; i++) before[i] = malloc(16); /* live, but older than the checkpoint */
    lg_checkpoint_t since = lg_checkpoint();
    after = make_session();
    size_t found = lg_check_since(since, "one session");
    printf("found %zu\n", found);
    free(after);
    for (int i = 0; i < 8; i++) free(before[i]);
    return 0;
}
