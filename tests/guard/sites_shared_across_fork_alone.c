// guard=sites without a run's table (guard_sites_file=none) still counts
// a site's first uses once across fork: the site table moves into memory
// shared with the children at the first fork.  The child guarded the
// shared site's first 8 blocks, so only the parent's read of the fresh
// site's block faults; with the table left the process's own (copied
// into the child at fork, never seen again by the parent) both did:
// .suppressed was 2.
// OPTIONS: guard_sites_file=none
// SUPPRESSIONS: use-after-free:peek
// EXPECT-CLEAN
// EXPECT-SUMMARY: .suppressed == 1
// NO-GEN-SUPPRESSIONS: the suppression is the test
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_across_fork.h"
