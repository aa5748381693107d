// The same as leak_dead_frames, the exit begun by exit() from a nested
// function: the scan reads the stack from exit()'s caller up, so the copies
// a returned helper left below that frame keep nothing.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_block
// EXPECT-LINE: 18
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

__attribute__((noinline)) static void finish(void)
{
    char *volatile p = helper();
    printf("made %s\n", p);
    p = NULL;
    fflush(stdout);
    exit(0);
}

int main(void)
{
    finish();
}
