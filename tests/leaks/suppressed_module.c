// A suppression by module (a substring of the path of a frame's module)
// hides a leak made anywhere in that module: here the program itself.
// SUPPRESSIONS: leak:suppressed_module
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
#include "lose_one_block.h"
