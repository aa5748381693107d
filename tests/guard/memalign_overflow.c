// A memalign'd block keeps its alignment when guarded, and a write 64
// bytes past its end faults at the guard page.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: poke
// EXPECT-LINE: 14
// EXPECT-MESSAGE: 64 bytes past the end of the 100-byte block
// EXPECT-STDOUT: aligned
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>

__attribute__((noinline)) static void poke(volatile char *p) { p[164] = 1; }

int main(void)
{
    char *p = memalign(64, 100);
    if ((uintptr_t)p % 64 == 0) printf("aligned\n");
    fflush(stdout);
    poke(p);
    free(p); /* reached when a suppression lets the program go on */
    return 0;
}
