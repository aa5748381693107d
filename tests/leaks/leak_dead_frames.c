// A pointer left in the dead frames of a returned helper does not keep a
// leaked block: the exit scan reads the exiting thread's stack only from
// where the exit began (here: main returned), as LeakSanitizer does.  The
// helper leaves 128 copies of the pointer below main's frame and hands the
// block to strcpy (whose interceptor keeps a copy in its own frame, below
// the helper's); main drops the only live pointer.  Before, the exit path's
// frames lay over those slots without overwriting them all, and the
// 200-byte block was "still reachable".
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_block
// EXPECT-LINE: 23
// EXPECT-COUNT: 1
// EXPECT-JQ: .bytes == 200
// EXPECT-STDOUT: made x
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

__attribute__((noinline)) static char *make_block(void)
{
    char *p = malloc(200);
    strcpy(p, "x");
    return p;
}

__attribute__((noinline)) static char *helper(void)
{
    void *volatile copies[128];
    char *p = make_block();
    for (int i = 0; i < 128; i++) copies[i] = p;
    return p;
}

int main(void)
{
    char *volatile p = helper();
    printf("made %s\n", p);
    p = NULL;
    return 0;
}
