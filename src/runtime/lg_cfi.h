/* lg_cfi.h — DWARF call-frame information on x86-64, the unwinder's slow half.
 *
 *   lg_cfi.c       finds the FDE for a pc through the loaded modules'
 *                  .eh_frame_hdr tables and runs its CIE and FDE programs up
 *                  to the row for that pc
 *   lg_cfi_walk.c  applies rows to a register set (DWARF expressions, reads
 *                  checked against the stack's bounds): the uncached walk
 *
 * Internal to the runtime; lg_unwind.c is the only user. */
#ifndef LG_CFI_H
#define LG_CFI_H

#include <stdbool.h>
#include <stdint.h>

/* DWARF register numbers of the x86-64 psABI, up to the return address. */
enum {
    LG_X_RAX, LG_X_RDX, LG_X_RCX, LG_X_RBX, LG_X_RSI, LG_X_RDI, LG_X_RBP, LG_X_RSP,
    LG_X_R8, LG_X_R9, LG_X_R10, LG_X_R11, LG_X_R12, LG_X_R13, LG_X_R14, LG_X_R15,
    LG_X_RIP,
    LG_CFI_NREGS
};

/* Where a register of the caller is, given the CFA (DWARF 6.4.1). */
enum {
    LG_LOC_UNSPEC, /* no rule: the value is unchanged (rsp: the CFA) */
    LG_LOC_UNDEF,
    LG_LOC_SAME,
    LG_LOC_AT,      /* saved at CFA + off */
    LG_LOC_IS,      /* is CFA + off */
    LG_LOC_REG,     /* is in register reg */
    LG_LOC_AT_EXPR, /* saved at the address the expression computes */
    LG_LOC_IS_EXPR, /* is the value the expression computes */
    /* for the CFA only: */
    LG_LOC_CFA_REG,  /* reg + off */
    LG_LOC_CFA_EXPR, /* the expression's value */
};

typedef struct lg_cfi_loc {
    const uint8_t *expr; /* expressions: the DWARF expression bytes */
    int32_t off;         /* or, for expressions, their length */
    uint8_t how, reg;
} lg_cfi_loc;

typedef struct lg_cfi_row {
    lg_cfi_loc cfa;
    lg_cfi_loc reg[LG_CFI_NREGS];
} lg_cfi_row;

/* What the tables say about one pc. */
typedef struct lg_cfi_frame {
    lg_cfi_row row;
    uint8_t ra_reg;    /* the CIE's return-address column, normally LG_X_RIP */
    bool signal_frame; /* 'S' augmentation: the caller's pc is not a return address */
} lg_cfi_frame;

enum {
    LG_CFI_OK,
    LG_CFI_NO_MODULE, /* no loaded module maps pc */
    LG_CFI_NO_FDE,    /* a module does, but has no unwind entry for it */
    LG_CFI_BAD,       /* malformed or unsupported call-frame information */
};

/* The loader's counters of objects added and removed, as dl_iterate_phdr
 * reported them during the last lookup (valid = false if it did not). */
typedef struct lg_cfi_modcount {
    uint64_t adds, subs;
    bool valid;
} lg_cfi_modcount;

/* The row of the frame executing at pc.  For a return address, pass the
 * address minus one (inside the call).  Calls dl_iterate_phdr, but in a
 * signal handler marked by lg_modules_signal_enter; no malloc. */
int lg_cfi_lookup(uintptr_t pc, lg_cfi_frame *out, lg_cfi_modcount *count);

/* Whether expr is exactly "DW_OP_breg<reg> off", optionally then DW_OP_deref. */
bool lg_cfi_expr_is_breg(const uint8_t *expr, int64_t len, uint8_t *reg, int64_t *off, bool *deref);

/* ---- lg_cfi_walk.c ------------------------------------------------------ */

/* Memory the walk may read: up to two stack ranges [lo, hi) (the thread's
 * stack and, when it runs on one, a signal or coroutine stack). */
typedef struct lg_stack_mem {
    uintptr_t lo[2], hi[2];
} lg_stack_mem;

/* A LEB128 number at *p, signed or not; running past end sets *bad and
 * yields 0.  Shared by the table reader and the expression evaluator. */
static inline uint64_t lg_leb128(const uint8_t **p, const uint8_t *end, bool is_signed, bool *bad)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        if (*p >= end) {
            *bad = true;
            return 0;
        }
        b = *(*p)++;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (is_signed && shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
    return v;
}

/* A register set; bit i of known says whether r[i] holds a value. */
typedef struct lg_cfi_regs {
    uintptr_t r[LG_CFI_NREGS];
    uint32_t known;
} lg_cfi_regs;

/* Walks from the frame at regs->r[LG_X_RIP], storing up to max pcs after
 * dropping the first skip frames.  exact: the first pc is an interrupted pc
 * (not a return address); when such a pc has no unwind information, the
 * walk assumes a call to a wild address, the return address at rsp.
 * *slow_frames counts the frames looked up. */
uint32_t lg_cfi_walk(lg_cfi_regs *regs, bool exact, uint32_t skip,
                     const lg_stack_mem *mem, uintptr_t *pcs, uint32_t max, uint64_t *slow_frames);

#endif
