/* ut_lib.c — the test's shared library: the same awkward call chain, in
 * another module.  Built three times: linked (prefix ut_lib_) and as two
 * differently compiled variants for dlopen (prefix ut_dl_). */
#ifndef UT_PREFIX
#define UT_PREFIX ut_lib_
#endif
#define UT_OTHER exe

#ifdef UT_PADDING
#define UT_STR2(x) #x
#define UT_STR(x) UT_STR2(x)
/* Moves the code after it, so the two dlopen'ed variants differ. */
__attribute__((used)) static void ut_padding(void)
{
    __asm__ volatile(".skip " UT_STR(UT_PADDING) ", 0x90");
}
#endif

#include "ut_chain.h"
