/* rt_libc_buffers.c — more libc functions that take buffers, checked. */
#include "rt_libc.h"

void rt_libc_buffers_init(void)
{
}
