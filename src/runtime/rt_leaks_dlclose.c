/* rt_leaks_dlclose.c — a module the program unloads is remembered first.
 *
 * Blocks a library allocated can outlive it (leaked, or reported at exit),
 * and their allocation stacks hold addresses of its code.  Once dlclose has
 * unmapped it, nothing in the loader's list names those addresses: the
 * frames printed "<unknown module>" with no offset, so neither the runtime
 * nor the CLI could symbolize them.  dlclose is interposed to record the
 * module's path, load bias and extent before the real one runs
 * (lg_pal_module_closing); lg_pal_module_of falls back on that record.
 * After it, the unwinder forgets its rules (lg_unwind_invalidate) and the
 * modules' snapshot for signal handlers is made again (lg_modules_closed). */
#include "rt_internal.h"
#include "lg_unwind.h"
#include "../platform/lg_linux_modules.h"

#include <dlfcn.h>
#include <link.h>

RT_EXPORT int dlclose(void *handle)
{
    static int (*next)(void *);
    if (!next) next = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
    if (!next) return -1;
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map) lg_pal_module_closing((uintptr_t)map->l_addr);
    lg_modules_closing(); /* until the snapshot of the modules is made again */
    int rc = next(handle);
    lg_modules_closed();
    /* The unwinder's rules for the module's return addresses must not
     * answer for a module loaded at its address next (the unwinder would
     * notice only at its next miss, and there may be none). */
    lg_unwind_invalidate();
    return rc;
}
