// Guard markers keep the guarded tier's kernel mappings few: 2000 live
// guarded blocks (guard=all) add a handful of lines to /proc/self/maps
// where page protections add two a block.  On a kernel without markers
// (before 6.13: the program's own probe says EINVAL) the fallback must be
// taken and the blocks still guarded, so it expects the many mappings
// there.  markers_off_mappings.c: the same with guard_markers=0.
// OPTIONS: guard=all:leaks=0
// EXPECT-CLEAN
// EXPECT-STDOUT: mappings as expected for markers
// EXPECT-SUMMARY: .guarded_allocations >= 2000
// NO-GEN-SUPPRESSIONS: a clean run
#include "markers_mappings.h"

int main(void)
{
    return check_mappings(kernel_has_markers());
}
