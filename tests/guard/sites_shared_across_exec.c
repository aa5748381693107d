// Under `lifeguard run`, guard=sites counts a site's guarded first uses
// once a run, across exec: the image before exec guarded the site's first
// 8 blocks, so the image after it guards none of that site's, only the
// fresh site's.  Counted per image, both reads faulted: .suppressed was 2.
// SUPPRESSIONS: use-after-free:peek
// EXPECT-CLEAN
// EXPECT-SUMMARY: .suppressed == 1
// NO-GEN-SUPPRESSIONS: the suppression is the test
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_across_exec.h"
