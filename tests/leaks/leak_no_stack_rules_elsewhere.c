// The twin of suppressed_module_no_stack: with stacks=0, a rule naming
// another module, or a function (there is no frame to name one), hides
// nothing: the leak is reported.
// OPTIONS: stacks=0
// SUPPRESSIONS: leak:libnosuch.so
// SUPPRESSIONS: leak:lose
// NO-GEN-SUPPRESSIONS: a finding without a stack has no frame to write a rule for
// EXPECT-KIND: leak
// EXPECT-SUMMARY: .suppressed == 0
#include "lose_one_block.h"
