/* lg_core_init.c — the one call an embedder makes before the first
 * allocation: options with every default set, hooks, the heap reserved.
 * The Linux runtime (rt_init.c) does the same in its own order, because it
 * must read its options before libc is up. */
#include "lg_heap.h"

bool lg_core_init(const char *options, const lg_core_platform *platform, char *err, size_t err_len)
{
    lg_buf e;
    lg_buf_init(&e, err, err_len);
    lg_options opts;
    lg_options_defaults(&opts);
    if (options && !lg_options_parse(&opts, options, err, err_len)) return false;
    lg_opt = opts;
    if (platform) {
        lg_capture_stack = platform->capture_stack;
        lg_report_channel = platform->report_channel;
    }
    if (!lg_heap_init()) {
        lg_buf_puts(&e, "lifeguard: cannot reserve the heap (lg_pal_reserve or lg_pal_map failed)");
        lg_buf_cstr(&e);
        return false;
    }
    return true;
}
