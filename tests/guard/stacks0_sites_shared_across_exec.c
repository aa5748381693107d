// stacks=0: a site is the allocation's caller address, which ASLR moves
// from image to image; the run's table keys it by module and offset, so
// the image after exec still knows the site's first uses were guarded.
// OPTIONS: stacks=0
// SUPPRESSIONS: use-after-free:peek
// EXPECT-CLEAN
// EXPECT-SUMMARY: .suppressed == 1
// NO-GEN-SUPPRESSIONS: the suppression is the test
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_across_exec.h"
