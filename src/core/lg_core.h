/* lg_core.h — the tracking core's internal interface.
 *
 * The core knows blocks, stacks, quarantine, references and findings.  It
 * calls nothing outside itself but lg_platform.h, so it can live in a kernel.
 * Modules:
 *   lg_config.h     sizes and address-space layout (compile-time)
 *   lg_core_init.c  one call that sets an embedder's core up
 *   lg_format.c     text buffers and number formatting
 *   lg_options.c    the option table and LIFEGUARD_OPTIONS parser
 *   lg_depot.c      stack depot: deduplicated stacks behind 32-bit ids
 *   lg_heap.c       the checked allocator: size-class regions, slot metadata
 *   lg_heap_cache.c per-thread caches of reusable slots (no lock on the hot path)
 *   lg_heap_guard.c guarded blocks: against a guard page, inaccessible when freed
 *   lg_fault.c      a memory fault explained: which block, which finding
 *   lg_poison.c     freed-memory poison that names the freed block
 *   lg_quarantine.c freed blocks wait here, bounded in bytes, before reuse
 *   lg_report.c     one finding rendered as sanitizer-style text and JSON
 *   lg_sort.c       an in-place sort that allocates nothing
 *   lg_refs.c       the reference tracker */
#ifndef LG_CORE_H
#define LG_CORE_H

#include "../platform/lg_platform.h"
#include "lg_config.h"

#define LG_VERSION "0.1.0"

#define LG_LIKELY(x) __builtin_expect(!!(x), 1)
#define LG_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A 64-bit value changed with atomics: 8-byte aligned even where the ABI
 * aligns uint64_t to 4 (i386), so the atomic is one cmpxchg8b, not a lock. */
typedef uint64_t lg_atomic_u64 __attribute__((aligned(8)));

/* Trailing and leading zero bits of a non-zero 64-bit value.  Where the
 * CPU has no instruction for them (i386 for 64-bit values, riscv64 without
 * Zbb), __builtin_ctzll/clzll become calls to libgcc's __ctzdi2/__clzdi2;
 * the _soft versions keep the core free of compiler-runtime helpers there
 * (tests/unit/test_bits.c checks them against the builtins). */
static inline unsigned lg_ctz64_soft(uint64_t v)
{
    static const unsigned char debruijn[64] = {
        0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28, 62, 5,  39, 46, 44, 42,
        22, 9,  24, 35, 59, 56, 49, 18, 29, 11, 63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21,
        23, 58, 17, 10, 51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12};
    return debruijn[((v & -v) * 0x022fdd63cc95386dull) >> 58];
}
static inline unsigned lg_clz64_soft(uint64_t v)
{
    unsigned n = 0;
    for (unsigned step = 32; step; step /= 2)
        if (!(v >> (64 - step))) {
            n += step;
            v <<= step;
        }
    return n;
}
#if LG_CFG_64BIT && !(defined(__riscv) && !defined(__riscv_zbb))
#define lg_ctz64(v) ((unsigned)__builtin_ctzll(v))
#define lg_clz64(v) ((unsigned)__builtin_clzll(v))
#elif LG_CFG_64BIT
#define lg_ctz64(v) lg_ctz64_soft(v)
#define lg_clz64(v) lg_clz64_soft(v)
#else
static inline unsigned lg_ctz64(uint64_t v)
{
    uint32_t low = (uint32_t)v;
    return low ? (unsigned)__builtin_ctz(low) : 32u + (unsigned)__builtin_ctz((uint32_t)(v >> 32));
}
static inline unsigned lg_clz64(uint64_t v)
{
    uint32_t high = (uint32_t)(v >> 32);
    return high ? (unsigned)__builtin_clz(high) : 32u + (unsigned)__builtin_clz((uint32_t)v);
}
#endif

/* Freestanding byte helpers: the core never calls libc's. */
void lg_mem_set(void *dst, int byte, size_t len);
void lg_mem_copy(void *dst, const void *src, size_t len);
int lg_mem_cmp(const void *a, const void *b, size_t len);
size_t lg_str_len(const char *s);
int lg_str_cmp(const char *a, const char *b);
bool lg_str_eq_n(const char *a, const char *b, size_t n); /* first n bytes equal, a has n bytes */
/* The length of a function name of n bytes without the compiler's clone
 * suffixes (".constprop.0", ".isra.0", ".part.1", ".cold", several in a row). */
size_t lg_fn_base_len(const char *fn, size_t n);

/* ---- lg_sort.c ---------------------------------------------------------- */
/* Whether the element at a goes before the one at b. */
typedef bool (*lg_before_fn)(const void *a, const void *b, void *ctx);
/* Sorts n elements of size bytes at base in place, in `before` order. */
void lg_sort(void *base, size_t n, size_t size, lg_before_fn before, void *ctx);

/* ---- lg_format.c: a bounded text buffer ------------------------------- */
typedef struct lg_buf {
    char *data;
    size_t len, cap; /* len may exceed cap: the text was cut, len is what it wanted */
} lg_buf;

void lg_buf_init(lg_buf *b, char *storage, size_t cap);
void lg_buf_putc(lg_buf *b, char c);
void lg_buf_puts(lg_buf *b, const char *s);
void lg_buf_putn(lg_buf *b, const char *s, size_t n);
void lg_buf_dec(lg_buf *b, int64_t v);
void lg_buf_udec(lg_buf *b, uint64_t v);
void lg_buf_hex(lg_buf *b, uint64_t v); /* 0x-prefixed */
void lg_buf_json_str(lg_buf *b, const char *s); /* quoted and escaped */
/* printf subset: %s %d %u %zu %lld %llu %x %lx %llx %p %c %%; %s shows control
 * characters as \xNN (names from the program cannot forge report lines). */
void lg_buf_printf(lg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lg_buf_vprintf(lg_buf *b, const char *fmt, va_list ap);
const char *lg_buf_cstr(lg_buf *b); /* NUL-terminates (cutting if full) */
bool lg_parse_u64(const char *s, size_t n, uint64_t *out);

/* ---- lg_options.c ------------------------------------------------------ */
#include "lg_options.h"

/* ---- lg_depot.c ---------------------------------------------------------- */
#define LG_MAX_FRAMES 64
typedef uint32_t lg_stack_id; /* 0: no stack */
/* Stacks are arrays of return addresses, innermost first. */
lg_stack_id lg_depot_put(const uintptr_t *pcs, uint32_t depth);
/* The id of the stack made of the frame pc called from the stack caller
 * (0: from nothing), found or added; 0 when the depot is full.  A stack's
 * id is that of its innermost frame: lg_depot_put adds pcs outermost first. */
lg_stack_id lg_depot_frame(lg_stack_id caller, uintptr_t pc);
/* Copies up to max frames of a stack into pcs; returns how many. */
uint32_t lg_depot_get(lg_stack_id id, uintptr_t *pcs, uint32_t max);

/* A thread's memo in front of the depot: its last stored stack and the ids
 * of its suffixes (consecutive stores in a thread share most of their outer
 * frames, which are compared here and not looked up again), its recent
 * (callers, frame) -> id answers, and its recent stacks by a hash of their
 * frames (a stack cut at stack_depth shares no outer frames with one cut
 * elsewhere).  Owned by one thread (the runtime keeps one per thread);
 * zero-initialised. */
#define LG_DEPOT_NEAR_BITS 8
#define LG_DEPOT_RECENT_BITS 4 /* sets of LG_DEPOT_RECENT_WAYS stacks */
#define LG_DEPOT_RECENT_WAYS 4
#define LG_DEPOT_RECENT_FRAMES 32 /* deeper stacks are not kept among the recent */
typedef struct lg_depot_memo {
    uint32_t depth;
    uintptr_t outer[LG_MAX_FRAMES]; /* the last stack, outermost frame first */
    lg_stack_id ids[LG_MAX_FRAMES]; /* ids[i]: the stack of its frames outer[i..0] */
    struct {
        uintptr_t pc;
        lg_stack_id callers, id;
    } near[1u << LG_DEPOT_NEAR_BITS];
    struct {
        uint64_t cand[LG_DEPOT_RECENT_WAYS]; /* the last stacks that missed here: a second miss fills a way */
        uint32_t victim;                     /* the way filled next */
        struct {
            uint64_t hash; /* of the stack kept here (id != 0) */
            lg_stack_id id;
            uint32_t depth;
            uintptr_t pcs[LG_DEPOT_RECENT_FRAMES];
        } way[LG_DEPOT_RECENT_WAYS];
    } recent[1u << LG_DEPOT_RECENT_BITS];
} lg_depot_memo;
/* lg_depot_put through the memo m (which it updates); depth <= LG_MAX_FRAMES. */
lg_stack_id lg_depot_store(lg_depot_memo *m, const uintptr_t *pcs, uint32_t depth);
/* The same, with a hash that equal stacks share (the unwinder's, of the
 * walk these pcs come from): a stack among the thread's recent ones is
 * found by one compare of the hash and one of its frames. */
lg_stack_id lg_depot_store_hashed(lg_depot_memo *m, const uintptr_t *pcs, uint32_t depth, uint64_t hash);
size_t lg_depot_memory(void);
void lg_depot_lock_all(void); /* the insert locks, taken around fork */
void lg_depot_unlock_all(void);

/* Stack capture is the runtime's: the core asks for it through this hook,
 * set at start-up.  skip drops the innermost frames of the caller. */
typedef lg_stack_id (*lg_capture_fn)(void);
extern lg_capture_fn lg_capture_stack;

/* ---- lg_core_init.c: for an embedder (a kernel, a test host) ------------- */
typedef struct lg_core_platform {
    lg_capture_fn capture_stack; /* the stack of the code calling into the core; NULL: none */
    int report_channel;          /* the lg_pal_write channel text reports go to */
} lg_core_platform;
/* Sets every option to its default, applies options ("key=value:...",
 * NULL: none), installs the platform's hooks and reserves the heap.  On a
 * bad option or no memory returns false with a one-line reason in err. */
bool lg_core_init(const char *options, const lg_core_platform *platform, char *err, size_t err_len);

/* ---- births: one clock for heap blocks and tracked objects (checkpoints) -- */
uint64_t lg_birth_next(void); /* takes a tick */
/* For a checkpoint: every birth before this call is below the tick it
 * returns, every birth after it is at or above. */
uint64_t lg_birth_now(void);

/* ---- lg_report.c --------------------------------------------------------- */
#include "lg_report.h"

#endif
