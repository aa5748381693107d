// guard=sites twin of tests/heap/strict_string_checks.c, which is pinned to guard=off
// because it tests two reports in one run.
// Under the default guard=sites the block is guarded, so each
// unterminated string is measured only up to its guard page and reported by
// its call as before.
// OPTIONS: strict_string_checks=1
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: find_colon
// EXPECT-LINE: 23
// EXPECT-MESSAGE: strchr() reads
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: read_port
// EXPECT-LINE: 24
// EXPECT-MESSAGE: strtol() reads
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include "../../heap/strict_string_checks.c"
