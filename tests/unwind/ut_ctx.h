/* ut_ctx.h — what the test's call chains carry from the top to the leaf. */
#ifndef UT_CTX_H
#define UT_CTX_H

typedef struct ut_ctx ut_ctx;
typedef void (*ut_dispatch_fn)(int depth, ut_ctx *c);

struct ut_ctx {
    void (*leaf)(ut_ctx *c); /* called at depth 0 */
    ut_dispatch_fn exe, lib; /* each module's entry, for crossing over (may be NULL) */
    int salt;                /* shifts which frame kind comes at which depth */
    void *arg;
};

#endif
