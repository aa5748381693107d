/* lg_suppress.h — suppressions: findings the user asked not to see.
 *
 * One rule a line, "KIND:PATTERN" ("leak:PyObject_Malloc",
 * "*:libfoo.so"), the style of LeakSanitizer's and Valgrind's files.  A
 * finding is suppressed when a frame of its key stack has a function name
 * or a module path matching PATTERN ('*' matches any run of characters;
 * a pattern with no '*' must match the function name whole or be a
 * substring of the module path).  A finding with no stack (stacks=0) has
 * one module only, the program: its rules' module patterns are matched
 * against the program's path (lg_suppress_set_program). */
#ifndef LG_SUPPRESS_H
#define LG_SUPPRESS_H

#include "lg_core.h"

/* The largest suppressions file the runtime reads (its buffer is static);
 * a larger one is refused, not cut. */
#define LG_SUPPRESS_MAX_BYTES (64u << 10)

/* Adds the rules of a suppressions file's text.  On a bad line returns
 * false with a one-line reason naming the line in err. */
bool lg_suppress_parse(const char *text, size_t len, char *err, size_t err_len);
bool lg_suppress_add(const char *kind, const char *pattern);
bool lg_suppressed(lg_kind kind, lg_stack_id key);
/* The running program's path, for findings without a stack; NULL or "":
 * none (a kernel). */
void lg_suppress_set_program(const char *path);
uint32_t lg_suppress_count(void);
/* How many findings each rule has hidden, for the summary. */
uint64_t lg_suppress_hits(uint32_t rule, const char **kind, const char **pattern);

#endif
