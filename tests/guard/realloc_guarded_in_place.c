// realloc keeps a guarded block in place only while its end stays against
// the guard page: 100 bytes grown to 104 (within the 16-byte end
// alignment) stay, and a read of the first byte past the aligned end
// faults at once, reported at the read.
// OPTIONS: guard=all
// EXPECT-STDOUT: in place
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 18
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int peek(const volatile char *p, size_t i)
{
    return p[i];
}

int main(void)
{
    char *p = malloc(100);
    if (((uintptr_t)p + 112) % 4096 != 0) { /* guard=all alternates sides: take an end-guarded one */
        char *other = p;
        p = malloc(100);
        free(other);
    }
    char *volatile old = p;
    char *q = realloc(old, 104);
    if (!q) return 2;
    puts(q == old ? "in place" : "moved");
    fflush(stdout);
    int r = peek(q, 112);
    free(q); /* reached when a suppression lets the program go on */
    return r;
}
