/* lg_config.h — the core's sizes and address-space layout, in one place.
 *
 * Every value can be given on the compiler's command line (-DLG_CFG_...=N).
 * The defaults on a 64-bit target are the user-space runtime's: address
 * space is plentiful and the kernel commits pages on first touch, so the
 * ranges are huge and cost only what is used.  A 32-bit target gets
 * defaults that fit its address space.  A kernel picks small, fixed budgets
 * (docs/KERNEL.md lists what each setting costs; examples/kernel uses
 * them).  The _Static_asserts below keep the values consistent. */
#ifndef LG_CONFIG_H
#define LG_CONFIG_H

#include <stdint.h>

#if UINTPTR_MAX > 0xffffffffu
#define LG_CFG_64BIT 1
#else
#define LG_CFG_64BIT 0
#endif

/* Each of the 51 size classes owns 2^LG_CFG_CLASS_SPAN_BITS bytes of one
 * reserved range: an address maps to its class with a shift. */
#ifndef LG_CFG_CLASS_SPAN_BITS
#if LG_CFG_64BIT
#define LG_CFG_CLASS_SPAN_BITS 32 /* 4 GiB a class, 204 GiB reserved */
#else
#define LG_CFG_CLASS_SPAN_BITS 22 /* 4 MiB a class, 204 MiB reserved */
#endif
#endif

/* The quarantine tag: which free of which block a poison value names.
 * Freed memory is filled with a pointer into the stale range, a reserved
 * range of 2^(QTAG_BITS + STALE_WINDOW_BITS) bytes that is never mapped;
 * each tag owns a window of 2^STALE_WINDOW_BITS bytes of it. */
#ifndef LG_CFG_QTAG_BITS
#if LG_CFG_64BIT
#define LG_CFG_QTAG_BITS 24
#else
#define LG_CFG_QTAG_BITS 16
#endif
#endif
#ifndef LG_CFG_STALE_WINDOW_BITS
#if LG_CFG_64BIT
#define LG_CFG_STALE_WINDOW_BITS 16 /* 1 TiB stale range */
#else
#define LG_CFG_STALE_WINDOW_BITS 12 /* 256 MiB stale range */
#endif
#endif

/* The quarantine ring: entries (8 bytes each) of freed blocks, in free order. */
#ifndef LG_CFG_RING_BITS
#if LG_CFG_64BIT
#define LG_CFG_RING_BITS 20
#else
#define LG_CFG_RING_BITS 14
#endif
#endif

/* The stack depot: hash buckets (4 bytes each) and frame nodes (12 or 16 bytes). */
#ifndef LG_CFG_DEPOT_BUCKET_BITS
#if LG_CFG_64BIT
#define LG_CFG_DEPOT_BUCKET_BITS 20
#else
#define LG_CFG_DEPOT_BUCKET_BITS 16
#endif
#endif
#ifndef LG_CFG_DEPOT_NODE_BITS
#if LG_CFG_64BIT
#define LG_CFG_DEPOT_NODE_BITS 28
#else
#define LG_CFG_DEPOT_NODE_BITS 20
#endif
#endif

/* The JSON findings kept for the report file. */
#ifndef LG_CFG_REPORT_STORE_BYTES
#if LG_CFG_64BIT
#define LG_CFG_REPORT_STORE_BYTES (32u << 20)
#else
#define LG_CFG_REPORT_STORE_BYTES (4u << 20)
#endif
#endif

/* Records of large blocks (each its own mapping) that can exist at once:
 * their table is mapped once at this size, so a record never moves while
 * a block's metadata pointer is in use (a kernel platform that commits
 * what it maps pays for all of it: 64 bytes a record on 32-bit). */
#ifndef LG_CFG_LARGE_RECORDS_MAX
#if LG_CFG_64BIT
#define LG_CFG_LARGE_RECORDS_MAX (1u << 22)
#else
#define LG_CFG_LARGE_RECORDS_MAX (1u << 13)
#endif
#endif

/* Pages of large blocks' mappings out of the quarantine kept for reuse
 * (lg_heap_large.c), at most; the cache is also held to a quarter of
 * quarantine_mb, and a freed large block keeps its pages while quarantined
 * up to a quarter of the cache. */
#ifndef LG_CFG_LARGE_CACHE_BYTES
#if LG_CFG_64BIT
#define LG_CFG_LARGE_CACHE_BYTES (16u << 20)
#else
#define LG_CFG_LARGE_CACHE_BYTES (1u << 20)
#endif
#endif

/* The largest slot of the size classes: bigger blocks get their own pages. */
#define LG_CFG_MAX_SLOT 131072u

_Static_assert(LG_CFG_CLASS_SPAN_BITS >= 17, "a class span must hold at least one slot of the largest class");
_Static_assert(LG_CFG_CLASS_SPAN_BITS <= 32, "slot indices are 32-bit");
_Static_assert((uint64_t)1 << (LG_CFG_QTAG_BITS + LG_CFG_STALE_WINDOW_BITS) <= (uint64_t)UINTPTR_MAX / 4,
               "the stale range must fit in a quarter of the address space");
_Static_assert(LG_CFG_STALE_WINDOW_BITS >= 8, "a stale window holds stale->field offsets on both sides");
_Static_assert(LG_CFG_QTAG_BITS > LG_CFG_RING_BITS && LG_CFG_QTAG_BITS - LG_CFG_RING_BITS <= 15,
               "a ring entry keeps the tag's lap above the ring index in 15 bits");
_Static_assert(LG_CFG_QTAG_BITS <= 32, "tags are 32-bit");
_Static_assert(LG_CFG_DEPOT_NODE_BITS <= 31, "stack ids are 32-bit");

#endif
