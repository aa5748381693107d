// The message names what the pointer is: a stack address, a global (its
// whole description, however long the name).
// EXPECT-KIND: invalid-free
// EXPECT-FUNCTION: free_stack
// EXPECT-MESSAGE: stack
// EXPECT-KIND: invalid-free
// EXPECT-FUNCTION: free_global
// EXPECT-MESSAGE: global data
// EXPECT-KIND: invalid-free
// EXPECT-FUNCTION: free_unaligned
// EXPECT-MESSAGE: not 16-byte-aligned
// EXPECT-KIND: invalid-free
// EXPECT-FUNCTION: free_long_named
// EXPECT-MESSAGE: (+5), in the global data of
#include <stdlib.h>

static char global_buffer[32];
char a_global_whose_name_is_long_enough_that_the_description_of_the_address_runs_well_past_one_hundred_and_sixty_characters_of_text[16]; /* a long description is not cut */

__attribute__((noinline)) static void free_stack(void)
{
    char local[32];
    free(local);
}

__attribute__((noinline)) static void free_global(void)
{
    free(global_buffer);
}

__attribute__((noinline)) static void free_unaligned(void)
{
    free((void *)(global_buffer + 3));
}

__attribute__((noinline)) static void free_long_named(void)
{
    free((void *)(a_global_whose_name_is_long_enough_that_the_description_of_the_address_runs_well_past_one_hundred_and_sixty_characters_of_text + 5));
}

int main(void)
{
    free_stack();
    free_global();
    free_unaligned();
    free_long_named();
    return 0;
}
