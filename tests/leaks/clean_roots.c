// Blocks kept by a global, a static in .bss, a static in .data, a pointer
// into the middle of a block and one just past its end: none is a leak.
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: roots ok
#include <stdio.h>
#include <stdlib.h>

void *global_keep;                      /* .bss, external */
static void *volatile bss_keep;         /* .bss, static */
static void *volatile data_keep = &data_keep; /* .data */
static char *volatile interior;         /* points into the middle */
static char *volatile past_end;         /* points one past the end */

__attribute__((noinline)) static void *make(size_t n)
{
    return malloc(n);
}

int main(void)
{
    global_keep = make(10);
    bss_keep = make(20);
    data_keep = make(30);
    interior = (char *)make(4000) + 1234;
    past_end = (char *)make(64) + 64;
    printf("roots ok %p\n", global_keep);
    return 0;
}
