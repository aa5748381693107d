// sprintf, snprintf and vsnprintf writing past the end of their heap
// destination: reported at the call, after the write (its length is known
// then), and the block's redzone healed.
// OPTIONS: guard=off
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: format_id
// EXPECT-LINE: 28
// EXPECT-MESSAGE: sprintf() writes 14 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: format_capped
// EXPECT-LINE: 34
// EXPECT-MESSAGE: snprintf() writes 17 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: format_v
// EXPECT-LINE: 41
// EXPECT-MESSAGE: vsnprintf() writes 11 bytes
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static volatile int sink;
static const char *volatile long_text = "0123456789abcdef"; /* else gcc -O2 inlines the copy */

__attribute__((noinline)) static void format_id(char *dst, int id)
{
    sink = sprintf(dst, "%s-%d", "abcdef", id);
}

__attribute__((noinline)) static void format_capped(char *dst, size_t cap, const char *s)
{
    /* cap says 32, the block holds 8 */
    sink = snprintf(dst, cap, "%s", s);
}

__attribute__((noinline)) static void format_v(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sink = vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

int main(void)
{
    char *a = malloc(8);
    format_id(a, 123456);
    char *b = malloc(8);
    format_capped(b, 32, long_text);
    char *c = malloc(10);
    format_v(c, 64, "%d", 1234567890);
    free(a);
    free(b);
    free(c);
    return 0;
}
