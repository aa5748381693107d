/* rt_libc_mlock.c — mlockall without faulting in the runtime's reservations.
 *
 * The runtime reserves address space it commits as it goes: a class's span
 * of the heap, the guarded tier's, the depot's tables (GiBs, mapped with
 * no backing until touched).  mlockall(MCL_CURRENT) faults in every page
 * of every mapping and MCL_FUTURE every page of each later one: a program
 * that calls it under lifeguard was killed for memory (24 GiB on a 24 GiB
 * machine).  The call goes to the kernel with MCL_ONFAULT added: every
 * page is locked as it is touched, the program's as the runtime's, and
 * nothing untouched is faulted in.  What the program loses is the
 * pre-faulting of its own pages it has not touched yet (a first touch
 * faults later instead of at the call).  A kernel without MCL_ONFAULT
 * (before Linux 4.4) has the call refused as unsupported: locking would
 * take all the machine's memory. */
#include "rt_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

RT_EXPORT int mlockall(int flags)
{
    /* Flags the kernel refuses get its own EINVAL: the ENOSYS below says only
     * that MCL_ONFAULT, which the runtime added, was refused. */
    bool valid = (flags & (MCL_CURRENT | MCL_FUTURE)) && !(flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT));
    if (!valid) return (int)syscall(SYS_mlockall, flags);
    long rc = syscall(SYS_mlockall, flags | MCL_ONFAULT);
    if (rc != 0 && errno == EINVAL && !(flags & MCL_ONFAULT)) {
        errno = ENOSYS;
        return -1;
    }
    return (int)rc;
}
