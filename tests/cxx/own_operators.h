/* own_operators.h — a module's own operator new[] and delete over malloc
 * and free, bound inside it, as a module that links its C++ runtime in has
 * them (libLLVM.so: rustc's linker deleted what its new had allocated).  In
 * C, static functions named as the operators (local symbols, found by
 * name, never exported); the process's operators — lifeguard's — through
 * dlsym. */
#ifndef CXX_OWN_OPERATORS_H
#define CXX_OWN_OPERATORS_H

#include <dlfcn.h>
#include <stdlib.h>

__attribute__((noinline, used)) static void *own_new_array(size_t n) __asm__("_Znam");
__attribute__((noinline, used)) static void own_delete(void *p) __asm__("_ZdlPv");

static void *own_new_array(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) abort();
    return p;
}

static void own_delete(void *p)
{
    free(p); /* a tail call at -O2, as libstdc++'s */
}

static void *process_operator(const char *name)
{
    void *f = dlsym(RTLD_DEFAULT, name);
    if (!f) abort();
    return f;
}

static void *volatile sink;

#endif
