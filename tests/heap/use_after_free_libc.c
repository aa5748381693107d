// libc functions given freed buffers: memcpy reading one, strlen, fwrite,
// memset writing one.  Each reports the call and the block's stacks.
// OPTIONS: guard=off
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: copy_out
// EXPECT-MESSAGE: memcpy() reads 32 bytes
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: measure
// EXPECT-MESSAGE: strlen()
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: clear
// EXPECT-MESSAGE: memset() writes
// EXPECT-NO-KIND: write-after-free
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void copy_out(char *dst, const char *src, size_t n)
{
    memcpy(dst, src, n);
}

__attribute__((noinline)) static size_t measure(const char *s)
{
    return strlen(s);
}

__attribute__((noinline)) static void clear(char *p, size_t n)
{
    memset(p, 0, n);
}

int main(void)
{
    char out[64];
    char *msg = malloc(32);
    strcpy(msg, "hello");
    free(msg);
    copy_out(out, msg, 32);
    char *name = strdup("name");
    free(name);
    char *dup = malloc(16);
    free(dup);
    clear(dup, 16); /* healed after the report: no write-after-free later */
    volatile size_t sink = measure(name);
    (void)sink;
    return 0;
}
