/* ut_chain.h — a call chain of deliberately awkward frames, included by the
 * test executable and by each test library with UT_PREFIX set, so every
 * module has its own copy of the code.
 *
 * Frame kinds, chosen by depth: plain; many callee-saved registers live
 * across the call; a 64 KiB frame; alloca; forced stack realignment with an
 * over-aligned local, without and with alloca (gcc's DRAP form).  Every call is followed by work, so none becomes a
 * tail call, and every function is noinline. */
#if !defined(UT_PREFIX) || !defined(UT_OTHER)
#error "define UT_PREFIX (a name prefix) and UT_OTHER (exe or lib: the ut_ctx field to cross to)"
#endif

#include <alloca.h>
#include <stdint.h>
#include <string.h>

#include "ut_ctx.h"

#define UT_CAT2(a, b) a##b
#define UT_CAT(a, b) UT_CAT2(a, b)
#define UT_FN(name) UT_CAT(UT_PREFIX, name)
#define UT_NOINLINE __attribute__((noinline, noclone))

#if defined(__clang__)
#undef UT_NOINLINE
#define UT_NOINLINE __attribute__((noinline))
#endif

static volatile int UT_FN(sink);

void UT_FN(dispatch)(int depth, ut_ctx *c);

static UT_NOINLINE void UT_FN(next)(int depth, ut_ctx *c)
{
    if (depth <= 0) {
        c->leaf(c);
    } else if (c->UT_OTHER && depth % 3 == 0) {
        c->UT_OTHER(depth - 1, c);
    } else {
        UT_FN(dispatch)(depth - 1, c);
    }
    UT_FN(sink)++;
}

static UT_NOINLINE void UT_FN(plain)(int depth, ut_ctx *c)
{
#ifdef UT_PAD /* two sizes below 128 give the same code, other rules */
    volatile char pad[UT_PAD];
    pad[0] = (char)depth;
    UT_FN(next)(depth, c);
    UT_FN(sink) += depth + pad[0];
#else
    UT_FN(next)(depth, c);
    UT_FN(sink) += depth;
#endif
}

static UT_NOINLINE void UT_FN(regs)(int depth, ut_ctx *c)
{
    /* Values live across the call keep rbx, r12-r15 (and rbp) busy. */
    int a = UT_FN(sink) + 1, b = a * 3, d = b ^ 7, e = d + a, f = e * 5, g = f - b, h = g ^ a;
    UT_FN(next)(depth, c);
    UT_FN(sink) += a + b + d + e + f + g + h;
}

#ifndef UT_BIG
#define UT_BIG (64 * 1024)
#endif

static UT_NOINLINE void UT_FN(big)(int depth, ut_ctx *c)
{
    volatile char buf[UT_BIG];
    buf[0] = (char)depth;
    buf[sizeof buf - 1] = (char)depth;
    UT_FN(next)(depth, c);
    UT_FN(sink) += buf[0] + buf[sizeof buf - 1];
}

static UT_NOINLINE void UT_FN(dyn)(int depth, ut_ctx *c)
{
    char *p = alloca((size_t)(depth * 40 + 8));
    memset(p, depth, (size_t)(depth * 40 + 8));
    UT_FN(next)(depth, c);
    UT_FN(sink) += p[depth];
}

static UT_NOINLINE __attribute__((force_align_arg_pointer)) void UT_FN(realign)(int depth, ut_ctx *c)
{
    char buf[128] __attribute__((aligned(64)));
    memset(buf, depth, sizeof buf);
    __asm__ volatile("" : : "r"(buf) : "memory");
    UT_FN(next)(depth, c);
    UT_FN(sink) += buf[5];
}

/* With alloca too, gcc realigns through a DRAP register: the CFA becomes
 * the expression [rbp-8] and rbp is "saved at rbp+0". */
static UT_NOINLINE __attribute__((force_align_arg_pointer)) void UT_FN(drap)(int depth, ut_ctx *c, int a, int b,
                                                                             int d, int e, int f, int g)
{
    char *p = alloca((size_t)(depth * 8 + g + 8));
    char buf[64] __attribute__((aligned(64)));
    memset(buf, a + b + d + e + f, sizeof buf);
    memset(p, depth, (size_t)(depth * 8 + g + 8));
    __asm__ volatile("" : : "r"(buf), "r"(p) : "memory");
    UT_FN(next)(depth, c);
    UT_FN(sink) += buf[5] + p[depth];
}

void UT_FN(dispatch)(int depth, ut_ctx *c)
{
    switch ((depth + c->salt) % 6) {
    case 0: UT_FN(plain)(depth, c); break;
    case 1: UT_FN(regs)(depth, c); break;
    case 2: UT_FN(big)(depth, c); break;
    case 3: UT_FN(dyn)(depth, c); break;
    case 4: UT_FN(drap)(depth, c, 1, 2, 3, 4, 5, depth & 7); break;
    default: UT_FN(realign)(depth, c); break;
    }
    UT_FN(sink)++;
}
