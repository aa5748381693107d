/* seeds.h — what the five seed-bug models share: narration, the --bug
 * switch, and the birth helper that gives an object's first reference to
 * the holder that really keeps it. */
#ifndef SEEDS_H
#define SEEDS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lifeguard.h"

/* Functions a report must name stay out of line, so stacks show them. */
#define NOINLINE __attribute__((noinline))

/* One line of narrative on stdout.  Flushed, so it interleaves in order
 * with lifeguard's findings on stderr. */
static inline __attribute__((format(printf, 1, 2))) void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* True if argv holds exactly `flag`. */
static inline bool seed_flag(int argc, char **argv, const char *flag)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], flag) == 0) return true;
    return false;
}

/* Rejects anything not in the model's list of flags (NULL-terminated);
 * prefixes ending in '=' accept a value. */
static inline bool seed_args_ok(int argc, char **argv, const char *const *known)
{
    for (int i = 1; i < argc; i++) {
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++) {
            size_t n = strlen(*k);
            ok = (*k)[n - 1] == '=' ? strncmp(argv[i], *k, n) == 0 : strcmp(argv[i], *k) == 0;
        }
        if (!ok) {
            fprintf(stderr, "%s: unknown argument '%s'\n", argv[0], argv[i]);
            return false;
        }
    }
    return true;
}

/* An object is born holding one anonymous reference, its creator's; hand
 * it to the named holder that keeps it, so reports say who holds what. */
static inline void seed_object_new(const void *obj, const char *type, const void *holder)
{
    lg_object_new(obj, type);
    if (holder) {
        lg_ref_get(obj, holder);
        lg_ref_put(obj, NULL);
    }
}

#endif
