/* lg_poison.c — what freed memory is filled with, and what it tells us.
 *
 * Every word of a freed block holds the same value: an address inside a
 * range the runtime reserved and never maps (the "stale range").  A pointer
 * read out of freed memory therefore faults when dereferenced and is
 * recognised when freed, and the address itself encodes the block's
 * quarantine tag, so either event names the freed block, its allocation and
 * its free.  Each tag owns a 64 KiB window of the range, and the value sits
 * in the middle of it, so stale->field and container_of() arithmetic stay
 * inside the window. */
#include "lg_heap.h"

#define STALE_WINDOW_BITS LG_CFG_STALE_WINDOW_BITS
#define STALE_WINDOW_MIDDLE ((1u << (STALE_WINDOW_BITS - 1)) - 16u) /* 0x7ff0 for 64 KiB windows */
#define STALE_RANGE_BYTES ((uintptr_t)1 << (LG_QTAG_BITS + STALE_WINDOW_BITS))

static uintptr_t stale_base;

bool lg_poison_init(void)
{
    if (stale_base) return true;
    void *range = lg_pal_reserve_stale(STALE_RANGE_BYTES);
    if (!range) return false;
    stale_base = (uintptr_t)range;
    return true;
}

/* The fill loops lay 64-bit words: on a 32-bit target the pointer is
 * repeated in both halves, so every pointer-sized field of a freed struct
 * holds it (not every other one NULL). */
uint64_t lg_poison_word(uint32_t qtag)
{
    uintptr_t tag = qtag & ((1u << LG_QTAG_BITS) - 1);
    uintptr_t value = stale_base + (tag << STALE_WINDOW_BITS) + STALE_WINDOW_MIDDLE;
    return LG_CFG_64BIT ? (uint64_t)value : (uint64_t)value * 0x100000001ull;
}

bool lg_poison_decode(uintptr_t addr, uint32_t *qtag)
{
    if (!stale_base || addr < stale_base || addr - stale_base >= STALE_RANGE_BYTES) return false;
    *qtag = (uint32_t)((addr - stale_base) >> STALE_WINDOW_BITS);
    return true;
}

/* The fill and verify loops run on every free and every eviction: they
 * work a word (or two) at a time, written so the compiler can vectorise
 * them (the core is built without builtins, so no memset to fall back on). */
typedef uint64_t lg_v2 __attribute__((vector_size(16), aligned(8), may_alias));
typedef uint64_t lg_w64 __attribute__((may_alias));

/* Blocks start 16-byte aligned, so the pattern is laid word by word from
 * the start; a tail shorter than a word gets the word's first bytes. */
void lg_poison_fill(uintptr_t start, size_t len, uint64_t word)
{
    uint64_t *w = (uint64_t *)start;
    size_t words = len / 8, i = 0;
    lg_v2 v = {word, word};
    for (; i + 4 <= words; i += 4) {
        *(lg_v2 *)(w + i) = v;
        *(lg_v2 *)(w + i + 2) = v;
    }
    for (; i < words; i++) w[i] = word;
    unsigned char *tail = (unsigned char *)(w + words);
    for (size_t k = 0; k < len % 8; k++) tail[k] = (unsigned char)(word >> (8 * k));
}

size_t lg_poison_find_change(uintptr_t start, size_t len, uint64_t word)
{
    const uint64_t *w = (const uint64_t *)start;
    size_t words = len / 8, i = 0;
    /* Fast pass: 64 bytes per step, one test; the exact place is found below. */
    for (; i + 8 <= words; i += 8) {
        uint64_t d = (w[i] ^ word) | (w[i + 1] ^ word) | (w[i + 2] ^ word) | (w[i + 3] ^ word) |
                     (w[i + 4] ^ word) | (w[i + 5] ^ word) | (w[i + 6] ^ word) | (w[i + 7] ^ word);
        if (LG_UNLIKELY(d)) break;
    }
    for (; i < words; i++) {
        if (LG_LIKELY(w[i] == word)) continue;
        uint64_t diff = w[i] ^ word;
        return i * 8 + (size_t)(lg_ctz64(diff) / 8);
    }
    const unsigned char *tail = (const unsigned char *)(w + words);
    for (size_t k = 0; k < len % 8; k++)
        if (tail[k] != (unsigned char)(word >> (8 * k))) return words * 8 + k;
    return SIZE_MAX;
}

#define REDZONE_WORD (0x0101010101010101ull * LG_REDZONE_BYTE)

/* Redzones start anywhere (the right one right after the user's last
 * byte): bytes up to a word boundary, then words, then bytes. */
void lg_redzone_fill(uintptr_t start, size_t len)
{
    unsigned char *p = (unsigned char *)start, *end = p + len;
    while (p < end && ((uintptr_t)p & 7)) *p++ = LG_REDZONE_BYTE;
    for (; end - p >= 8; p += 8) *(lg_w64 *)p = REDZONE_WORD;
    while (p < end) *p++ = LG_REDZONE_BYTE;
}

size_t lg_redzone_find_change(uintptr_t start, size_t len)
{
    const unsigned char *p = (const unsigned char *)start, *end = p + len;
    while (p < end && ((uintptr_t)p & 7)) {
        if (*p != LG_REDZONE_BYTE) return (size_t)(p - (const unsigned char *)start);
        p++;
    }
    for (; end - p >= 8; p += 8) {
        uint64_t diff = *(const lg_w64 *)p ^ REDZONE_WORD;
        if (LG_UNLIKELY(diff)) return (size_t)(p - (const unsigned char *)start) + (size_t)(lg_ctz64(diff) / 8);
    }
    for (; p < end; p++)
        if (*p != LG_REDZONE_BYTE) return (size_t)(p - (const unsigned char *)start);
    return SIZE_MAX;
}
