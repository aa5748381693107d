// Blocks of every size are poisoned, the big ones too: one byte written
// deep inside a freed 6000-byte buffer is found when it leaves the
// quarantine, and the other big blocks that went through it are not
// reported.
// OPTIONS: quarantine_mb=1:guard=off
// EXPECT-KIND: write-after-free
// EXPECT-FUNCTION: drop_frame
// EXPECT-MESSAGE: byte 4321 of the 6000-byte block
// EXPECT-COUNT: 1
// EXPECT-STDOUT: churned
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void drop_frame(unsigned char *frame)
{
    free(frame);
}

int main(void)
{
    unsigned char *frame = malloc(6000);
    memset(frame, 0x11, 6000);
    unsigned char *volatile alias = frame;
    drop_frame(frame);
    alias[4321] = 0x42;
    for (int i = 0; i < 400; i++) {
        unsigned char *other = malloc(1024 + (size_t)i * 37);
        memset(other, i, 1024);
        free(other);
    }
    puts("churned");
    return 0;
}
