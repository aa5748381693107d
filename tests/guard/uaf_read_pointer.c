// A pointer-sized load out of a freed struct (the Tilck pattern): with the
// block guarded it faults at the load itself.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: name_of
// EXPECT-LINE: 20
// EXPECT-JQ: .access.type == "read" and .block.size == 24
// EXPECT-NO-KIND: stale-pointer
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

struct task {
    long id;
    char *name;
    long flags;
};

__attribute__((noinline)) static char *name_of(struct task *volatile t)
{
    return t->name;
}

int main(void)
{
    struct task *t = malloc(sizeof(*t));
    t->name = malloc(8);
    free(t);
    free(name_of(t));
    return 0;
}
