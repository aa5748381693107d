#define _GNU_SOURCE
/* TEMPORARY until lg_unwind.c lands: libgcc's unwinder. */
#include <stdint.h>
#include <unwind.h>
#include <ucontext.h>
struct ctx { uintptr_t *pcs; uint32_t n, max; };
static _Unwind_Reason_Code step(struct _Unwind_Context *c, void *arg)
{
    struct ctx *x = arg;
    if (x->n >= x->max) return _URC_END_OF_STACK;
    uintptr_t ip = _Unwind_GetIP(c);
    if (!ip) return _URC_END_OF_STACK;
    x->pcs[x->n++] = ip;
    return _URC_NO_REASON;
}
void lg_unwind_init(void) {}
uint32_t lg_unwind_fast(uintptr_t *pcs, uint32_t max)
{
    struct ctx x = {pcs, 0, max};
    _Unwind_Backtrace(step, &x);
    return x.n;
}
uint32_t lg_unwind_from_context(const void *uc, uintptr_t *pcs, uint32_t max)
{
    const ucontext_t *u = uc;
    if (!max) return 0;
    pcs[0] = (uintptr_t)u->uc_mcontext.gregs[REG_RIP];
    return 1 + lg_unwind_fast(pcs + 1, max - 1) ;
}
