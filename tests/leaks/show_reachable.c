// show_reachable=1 lists the blocks still reachable at exit, as warnings
// (not errors), one per allocation stack; without it they are only counted.
// OPTIONS: show_reachable=1
// NO-GEN-SUPPRESSIONS: the still-reachable listing is not matched against suppressions
// EXPECT-CLEAN
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_table
// EXPECT-MESSAGE: still reachable: 640 bytes in 10 blocks
// EXPECT-JQ: .blocks == 10 and .reachable == "yes"
#include <stdio.h>
#include <stdlib.h>

void *table[10];

__attribute__((noinline)) static void *make_table(void)
{
    return malloc(64);
}

int main(void)
{
    for (int i = 0; i < 10; i++) table[i] = make_table();
    puts("table made");
    return 0;
}
