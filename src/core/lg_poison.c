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

#define STALE_WINDOW_BITS 16
#define STALE_WINDOW_MIDDLE 0x7ff0u
#define STALE_RANGE_BYTES (1ull << (LG_QTAG_BITS + STALE_WINDOW_BITS))

static uintptr_t stale_base;

bool lg_poison_init(void)
{
    if (stale_base) return true;
    void *range = lg_pal_reserve(STALE_RANGE_BYTES);
    if (!range) return false;
    stale_base = (uintptr_t)range;
    return true;
}

uint64_t lg_poison_word(uint32_t qtag)
{
    uint64_t tag = qtag & ((1u << LG_QTAG_BITS) - 1);
    return stale_base + (tag << STALE_WINDOW_BITS) + STALE_WINDOW_MIDDLE;
}

bool lg_poison_decode(uintptr_t addr, uint32_t *qtag)
{
    if (!stale_base || addr < stale_base || addr - stale_base >= STALE_RANGE_BYTES) return false;
    *qtag = (uint32_t)((addr - stale_base) >> STALE_WINDOW_BITS);
    return true;
}

/* Blocks start 16-byte aligned, so the pattern is laid word by word from
 * the start; a tail shorter than a word gets the word's first bytes. */
void lg_poison_fill(uintptr_t start, size_t len, uint64_t word)
{
    uint64_t *w = (uint64_t *)start;
    size_t words = len / 8;
    for (size_t i = 0; i < words; i++) w[i] = word;
    unsigned char *tail = (unsigned char *)(w + words);
    for (size_t i = 0; i < len % 8; i++) tail[i] = (unsigned char)(word >> (8 * i));
}

size_t lg_poison_find_change(uintptr_t start, size_t len, uint64_t word)
{
    const uint64_t *w = (const uint64_t *)start;
    size_t words = len / 8;
    for (size_t i = 0; i < words; i++) {
        if (LG_LIKELY(w[i] == word)) continue;
        uint64_t diff = w[i] ^ word;
        return i * 8 + (size_t)(__builtin_ctzll(diff) / 8);
    }
    const unsigned char *tail = (const unsigned char *)(w + words);
    for (size_t i = 0; i < len % 8; i++)
        if (tail[i] != (unsigned char)(word >> (8 * i))) return words * 8 + i;
    return SIZE_MAX;
}

void lg_redzone_fill(uintptr_t start, size_t len)
{
    unsigned char *p = (unsigned char *)start;
    for (size_t i = 0; i < len; i++) p[i] = LG_REDZONE_BYTE;
}

size_t lg_redzone_find_change(uintptr_t start, size_t len)
{
    const unsigned char *p = (const unsigned char *)start;
    for (size_t i = 0; i < len; i++)
        if (p[i] != LG_REDZONE_BYTE) return i;
    return SIZE_MAX;
}
