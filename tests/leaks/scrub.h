/* scrub.h — for the leak cases: wipe the dead part of the stack, so that a
 * pointer left behind in a returned frame does not keep a leaked block
 * reachable (the scan reads the whole stack, dead frames included). */
#ifndef LEAKS_SCRUB_H
#define LEAKS_SCRUB_H

#include <stddef.h>

__attribute__((noinline)) static void scrub(void)
{
    volatile char junk[8192];
    for (size_t i = 0; i < sizeof(junk); i++) junk[i] = 0;
}

#endif
