// guard=sites counts a site's guarded first uses across fork: a forked
// child that guarded a site's first 8 blocks spent them for the parent
// too (a shell and its subshells guard a site's first uses once, not once
// a process).  The parent then reads after free a block of that site
// (not guarded: no fault) and one of a site nobody used before (guarded:
// its fault is suppressed and counted).  With per-process counts the
// first read faulted as well: .suppressed was 2.  Under `lifeguard run`
// the run's table shares the counts; sites_shared_across_fork_alone.c
// runs without it.
// SUPPRESSIONS: use-after-free:peek
// EXPECT-CLEAN
// EXPECT-SUMMARY: .suppressed == 1
// NO-GEN-SUPPRESSIONS: the suppression is the test
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_across_fork.h"
