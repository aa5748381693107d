/* lg_refs.h — the reference tracker: objects, their counts, who holds them.
 *
 * The runtime calls these with the caller's stack already captured (0 when
 * stacks are off).  Every call is thread-safe; objects are kept in a sharded
 * table with one lock per shard, so calls on different objects rarely meet.
 * docs/REFS.md describes the semantics and every finding. */
#ifndef LG_REFS_H
#define LG_REFS_H

#include "lg_core.h"

/* The annotation API (include/lifeguard.h), one call each. */
void lg_refs_new(uintptr_t obj, const char *type, lg_stack_id stack);
void lg_refs_get(uintptr_t obj, uintptr_t holder, lg_stack_id stack);
void lg_refs_put(uintptr_t obj, uintptr_t holder, lg_stack_id stack);
/* A get or put done at once when the object's own lock serves it, with no
 * lock of the shard's; otherwise handed to `otherwise` (the runtime's call
 * of lg_refs_get or lg_refs_put), with the same arguments.  Safe before
 * anything is initialised. */
typedef void (*lg_refs_op)(uintptr_t obj, uintptr_t holder, lg_stack_id stack);
void lg_refs_get_or(uintptr_t obj, uintptr_t holder, lg_stack_id stack, lg_refs_op otherwise);
void lg_refs_put_or(uintptr_t obj, uintptr_t holder, lg_stack_id stack, lg_refs_op otherwise);
void lg_refs_free(uintptr_t obj, lg_stack_id stack);
void lg_refs_name(uintptr_t obj, const char *text);
void lg_refs_move(uintptr_t obj, uintptr_t from, uintptr_t to, lg_stack_id stack);
uint64_t lg_refs_get_token(uintptr_t obj, uintptr_t holder, lg_stack_id stack);
void lg_refs_put_token(uintptr_t obj, uintptr_t holder, uint64_t token, lg_stack_id stack);
/* The token twins of lg_refs_get_or and lg_refs_put_or. */
typedef uint64_t (*lg_refs_get_token_op)(uintptr_t obj, uintptr_t holder, lg_stack_id stack);
typedef void (*lg_refs_put_token_op)(uintptr_t obj, uintptr_t holder, uint64_t token, lg_stack_id stack);
uint64_t lg_refs_get_token_or(uintptr_t obj, uintptr_t holder, lg_stack_id stack, lg_refs_get_token_op otherwise);
void lg_refs_put_token_or(uintptr_t obj, uintptr_t holder, uint64_t token, lg_stack_id stack,
                          lg_refs_put_token_op otherwise);
/* A get the program's own count proved live (lg_refcount_get_unless_zero):
 * an object the tracker saw reach zero comes back without a report. */
void lg_refs_get_unless_zero(uintptr_t obj, uintptr_t holder, lg_stack_id stack);
/* Why an lg_refcount_t saturated: lifeguard.h's enum lg_saturation. */
enum lg_refs_saturation { LG_REFS_SAT_FROM_ZERO = 1, LG_REFS_SAT_OVERFLOW = 2, LG_REFS_SAT_BELOW_ZERO = 3 };
void lg_refs_saturated(uintptr_t obj, int why, lg_stack_id stack);
void lg_refs_weak_set(uintptr_t slot, uintptr_t obj, lg_stack_id stack); /* obj 0: cleared */
void lg_refs_weak_use(uintptr_t slot, uintptr_t obj, lg_stack_id stack);
void lg_refs_helper(const char *function);
void lg_refs_expect_freed(uintptr_t obj, const char *why, lg_stack_id stack);
uint64_t lg_refs_checkpoint(void);
size_t lg_refs_check_since(uint64_t since, const char *what, lg_stack_id stack);

/* The heap's lg_on_block_freed hook: objects living in [user, user+size)
 * are destroyed with the block.  Installed by the first object's birth. */
void lg_refs_block_freed(uintptr_t user, size_t size);

/* At exit: reports objects still counted (ref-leak) and the cycles that
 * keep objects alive (ref-cycle).  Returns how many objects were leaked. */
size_t lg_refs_exit_report(void);

/* fork(): hold every lock of the tracker across it.  In the child,
 * lg_refs_after_fork_child releases them instead, and the child's exit
 * report leaves out the objects born before the fork: the parent's. */
void lg_refs_lock_all(void);
void lg_refs_unlock_all(void);
void lg_refs_after_fork_child(void);

/* ---- introspection, for tests and the summary ------------------------------ */
enum lg_refs_state {
    LG_REFS_UNKNOWN = 0, /* never tracked, or forgotten by the graveyard */
    LG_REFS_ALIVE = 1,
    LG_REFS_ZERO = 2,    /* its count reached zero; not destroyed */
    LG_REFS_DEAD = 3,    /* destroyed: lg_object_free or its heap block freed */
};

typedef struct lg_refs_info {
    enum lg_refs_state state;
    int64_t count;
    uint64_t id;
    char type[48];
    int64_t holder_count; /* of the holder asked about */
    uint64_t holder_gets, holder_puts;
    uint32_t holders;     /* holder records with a count above zero */
} lg_refs_info;

bool lg_refs_query(uintptr_t obj, uintptr_t holder, lg_refs_info *out);

typedef struct lg_refs_stats {
    uint64_t objects_born, objects_alive, objects_remembered;
    uint64_t gets, puts, unknown_puts;
    uint64_t bytes_mapped;
} lg_refs_stats;

void lg_refs_get_stats(lg_refs_stats *out);

/* Forget everything (unit tests). */
void lg_refs_reset(void);

#endif
