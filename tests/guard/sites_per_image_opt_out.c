// guard_sites_file=none: each image counts its own first uses, as before
// the run's table: the image after exec guards the shared site's first
// use again, and both reads after free fault.
// OPTIONS: guard_sites_file=none
// SUPPRESSIONS: use-after-free:peek
// EXPECT-CLEAN
// EXPECT-SUMMARY: .suppressed == 2
// NO-GEN-SUPPRESSIONS: the suppression is the test
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_across_exec.h"
