// guard_markers=0 forces the page-protection path (as on kernels before
// 6.13) even where the kernel has guard markers: 2000 live guarded blocks
// are then two kernel mappings each.  The option is honoured, and the
// blocks are still guarded (markers_mappings.c: the default).
// OPTIONS: guard=all:leaks=0:guard_markers=0
// EXPECT-CLEAN
// EXPECT-STDOUT: mappings as expected for protections
// EXPECT-SUMMARY: .guarded_allocations >= 2000
// NO-GEN-SUPPRESSIONS: a clean run
#include "markers_mappings.h"

int main(void)
{
    return check_mappings(false);
}
