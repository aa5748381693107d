/* lg_cfi.c — finding a pc's unwind row in the loaded modules' .eh_frame.
 *
 * dl_iterate_phdr names the module that maps the pc and its PT_GNU_EH_FRAME
 * segment (.eh_frame_hdr), whose sorted table leads by binary search to the
 * FDE; the CIE's initial program and then the FDE's program run up to the pc
 * to give the row of rules.  Everything lives on the caller's stack.  In a
 * signal handler (lg_modules_in_signal) the module comes from the snapshot
 * of lg_linux_modules.c instead, without the loader's lock. */
#define _GNU_SOURCE
#include "lg_cfi.h"
#include "../platform/lg_linux_modules.h"

#include <link.h>
#include <stddef.h>

/* Pointer encodings (DW_EH_PE_*) of the LSB's .eh_frame. */
#define PE_OMIT 0xff
#define PE_ABSPTR 0x00
#define PE_ULEB128 0x01
#define PE_UDATA2 0x02
#define PE_UDATA4 0x03
#define PE_UDATA8 0x04
#define PE_SLEB128 0x09
#define PE_SDATA2 0x0a
#define PE_SDATA4 0x0b
#define PE_SDATA8 0x0c
#define PE_PCREL 0x10
#define PE_DATAREL 0x30

/* A bounded reader: running past end sets bad and reads zeros. */
typedef struct cursor {
    const uint8_t *p, *end;
    bool bad;
} cursor;

static uint8_t rd_u8(cursor *c)
{
    if (c->p >= c->end) {
        c->bad = true;
        return 0;
    }
    return *c->p++;
}

static uint64_t rd_fixed(cursor *c, unsigned size)
{
    if ((size_t)(c->end - c->p) < size) {
        c->bad = true;
        c->p = c->end;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= (uint64_t)c->p[i] << (8 * i);
    c->p += size;
    return v;
}

static uint64_t rd_uleb(cursor *c)
{
    return lg_leb128(&c->p, c->end, false, &c->bad);
}

static int64_t rd_sleb(cursor *c)
{
    return (int64_t)lg_leb128(&c->p, c->end, true, &c->bad);
}

/* An encoded pointer; datarel is the base for PE_DATAREL (.eh_frame_hdr).
 * Indirect pointers are not followed: nothing here needs their targets. */
static uintptr_t rd_enc(cursor *c, uint8_t enc, uintptr_t datarel)
{
    uintptr_t field = (uintptr_t)c->p;
    uint64_t v;
    switch (enc & 0x0f) {
    case PE_ABSPTR: v = rd_fixed(c, 8); break;
    case PE_ULEB128: v = rd_uleb(c); break;
    case PE_UDATA2: v = rd_fixed(c, 2); break;
    case PE_UDATA4: v = rd_fixed(c, 4); break;
    case PE_UDATA8: v = rd_fixed(c, 8); break;
    case PE_SLEB128: v = (uint64_t)rd_sleb(c); break;
    case PE_SDATA2: v = (uint64_t)(int64_t)(int16_t)rd_fixed(c, 2); break;
    case PE_SDATA4: v = (uint64_t)(int64_t)(int32_t)rd_fixed(c, 4); break;
    case PE_SDATA8: v = rd_fixed(c, 8); break;
    default: c->bad = true; return 0;
    }
    switch (enc & 0x70) {
    case 0: break;
    case PE_PCREL: v += field; break;
    case PE_DATAREL: v += datarel; break;
    default: c->bad = true; return 0; /* textrel, funcrel, aligned: not on x86-64 */
    }
    return (uintptr_t)v;
}

/* ---- the module that maps pc ---------------------------------------------- */

typedef struct find_ctx {
    uintptr_t pc;
    const uint8_t *hdr; /* its .eh_frame_hdr, or NULL */
    bool found;
    lg_cfi_modcount count;
} find_ctx;

static int find_module(struct dl_phdr_info *info, size_t size, void *data)
{
    find_ctx *fc = data;
    if (!fc->count.valid && size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
        fc->count.adds = info->dlpi_adds;
        fc->count.subs = info->dlpi_subs;
        fc->count.valid = true;
    }
    const ElfW(Phdr) *eh = NULL;
    bool mapped = false;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            if (fc->pc - start < ph->p_memsz) mapped = true;
        } else if (ph->p_type == PT_GNU_EH_FRAME) {
            eh = ph;
        }
    }
    if (!mapped) return 0;
    fc->found = true;
    fc->hdr = eh ? (const uint8_t *)(info->dlpi_addr + eh->p_vaddr) : NULL;
    return 1;
}

/* ---- CIE and FDE ------------------------------------------------------------ */

typedef struct cie_info {
    const uint8_t *insns, *end;
    uint64_t code_align;
    int64_t data_align;
    uint8_t ra_reg, fde_enc;
    bool has_z, signal_frame;
} cie_info;

/* Reads an entry's length; returns the entry's end, or NULL. */
static const uint8_t *entry_bounds(cursor *c, bool *is64)
{
    uint64_t len = rd_fixed(c, 4);
    *is64 = false;
    if (len == 0xffffffffu) {
        len = rd_fixed(c, 8);
        *is64 = true;
    }
    if (c->bad || len == 0 || len > (1u << 30)) return NULL;
    return c->p + len;
}

static bool parse_cie(const uint8_t *at, cie_info *ci)
{
    cursor c = {at, at + 16, false};
    bool is64;
    const uint8_t *end = entry_bounds(&c, &is64);
    if (!end) return false;
    c.end = end;
    uint64_t id = rd_fixed(&c, is64 ? 8 : 4);
    uint8_t version = rd_u8(&c);
    if (c.bad || id != 0 || (version != 1 && version != 3 && version != 4)) return false;
    const uint8_t *aug = c.p;
    while (rd_u8(&c) != 0)
        if (c.bad) return false;
    if (aug[0] == 'e' && aug[1] == 'h') {
        rd_fixed(&c, 8);
        aug += 2;
    }
    if (version == 4) {
        if (rd_u8(&c) != 8) return false; /* address size */
        rd_u8(&c);                       /* segment selector size */
    }
    ci->code_align = rd_uleb(&c);
    ci->data_align = rd_sleb(&c);
    ci->ra_reg = version == 1 ? rd_u8(&c) : (uint8_t)rd_uleb(&c);
    ci->fde_enc = PE_ABSPTR;
    ci->signal_frame = false;
    ci->has_z = aug[0] == 'z';
    if (ci->has_z) {
        uint64_t aug_len = rd_uleb(&c);
        if (c.bad || aug_len > (uint64_t)(c.end - c.p)) return false;
        cursor a = {c.p, c.p + aug_len, false};
        for (const uint8_t *s = aug + 1; *s; s++) {
            if (*s == 'R') ci->fde_enc = rd_u8(&a);
            else if (*s == 'L') rd_u8(&a);
            else if (*s == 'P') rd_enc(&a, rd_u8(&a), 0);
            else if (*s == 'S') ci->signal_frame = true;
            else if (*s == 'B' || *s == 'G') continue;
            else break; /* unknown: the length lets us skip the rest */
        }
        c.p += aug_len;
    } else if (aug[0] != 0) {
        return false;
    }
    if (c.bad) return false;
    ci->insns = c.p;
    ci->end = c.end;
    return true;
}

typedef struct fde_info {
    uintptr_t pc_begin, pc_end;
    const uint8_t *insns, *end;
} fde_info;

/* The FDE at `at` with its CIE; false if it is malformed or is a CIE. */
static bool parse_fde(const uint8_t *at, fde_info *fi, cie_info *ci)
{
    cursor c = {at, at + 16, false};
    bool is64;
    const uint8_t *end = entry_bounds(&c, &is64);
    if (!end) return false;
    c.end = end;
    const uint8_t *field = c.p;
    uint64_t cie_off = rd_fixed(&c, is64 ? 8 : 4);
    if (c.bad || cie_off == 0 || cie_off > (uintptr_t)field) return false;
    if (!parse_cie(field - cie_off, ci)) return false;
    fi->pc_begin = rd_enc(&c, ci->fde_enc, 0);
    fi->pc_end = fi->pc_begin + rd_enc(&c, ci->fde_enc & 0x0f, 0);
    if (ci->has_z) {
        uint64_t aug_len = rd_uleb(&c);
        if (aug_len > (uint64_t)(c.end - c.p)) return false;
        c.p += aug_len;
    }
    if (c.bad) return false;
    fi->insns = c.p;
    fi->end = c.end;
    return true;
}

/* Binary search of .eh_frame_hdr's table, or a linear scan of .eh_frame
 * when the table is missing or in an encoding the linker never emits. */
static int find_fde(const uint8_t *hdr, uintptr_t pc, fde_info *fi, cie_info *ci)
{
    cursor c = {hdr, hdr + 4096, false};
    uint8_t version = rd_u8(&c), frame_enc = rd_u8(&c), count_enc = rd_u8(&c), table_enc = rd_u8(&c);
    if (version != 1) return LG_CFI_BAD;
    const uint8_t *eh_frame = (const uint8_t *)rd_enc(&c, frame_enc, (uintptr_t)hdr);
    if (count_enc != PE_OMIT && table_enc == (PE_DATAREL | PE_SDATA4)) {
        uint64_t count = rd_enc(&c, count_enc, (uintptr_t)hdr);
        if (c.bad) return LG_CFI_BAD;
        const int32_t *table = (const int32_t *)c.p; /* pairs: initial location, FDE */
        intptr_t rel = (intptr_t)(pc - (uintptr_t)hdr);
        uint64_t lo = 0, hi = count;
        if (count == 0 || rel < table[0]) return LG_CFI_NO_FDE;
        while (hi - lo > 1) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (table[2 * mid] <= rel) lo = mid;
            else hi = mid;
        }
        if (!parse_fde(hdr + table[2 * lo + 1], fi, ci)) return LG_CFI_BAD;
        return pc - fi->pc_begin < fi->pc_end - fi->pc_begin ? LG_CFI_OK : LG_CFI_NO_FDE;
    }
    if (c.bad || !eh_frame) return LG_CFI_BAD;
    const uint8_t *p = eh_frame;
    for (uint32_t guard = 0; guard < (1u << 22); guard++) {
        cursor e = {p, p + 16, false};
        bool is64;
        const uint8_t *end = entry_bounds(&e, &is64);
        if (!end) return LG_CFI_NO_FDE; /* the zero terminator */
        uint64_t id = rd_fixed(&e, is64 ? 8 : 4);
        if (id != 0 && parse_fde(p, fi, ci) && pc - fi->pc_begin < fi->pc_end - fi->pc_begin) return LG_CFI_OK;
        p = end;
    }
    return LG_CFI_NO_FDE;
}

/* ---- the CFA program ------------------------------------------------------ */

#define STATE_DEPTH 4

static void set_loc(lg_cfi_row *row, uint64_t reg, uint8_t how, int64_t off, const uint8_t *expr)
{
    if (reg >= LG_CFI_NREGS) return; /* vector registers: no use to us */
    row->reg[reg].how = how;
    row->reg[reg].off = (int32_t)off;
    row->reg[reg].expr = expr;
    row->reg[reg].reg = 0;
}

/* Runs insns from location loc until the row for target is complete. */
static bool run_program(const uint8_t *insns, const uint8_t *end, const cie_info *ci, uintptr_t loc,
                        uintptr_t target, lg_cfi_row *row, const lg_cfi_row *initial)
{
    lg_cfi_row saved[STATE_DEPTH];
    unsigned depth = 0;
    cursor c = {insns, end, false};
    while (c.p < c.end && !c.bad) {
        uint8_t op = rd_u8(&c);
        uint64_t reg, delta = 0;
        int64_t off;
        switch (op >> 6) {
        case 1: /* DW_CFA_advance_loc */
            delta = (uint64_t)(op & 0x3f) * ci->code_align;
            goto advance;
        case 2: /* DW_CFA_offset */
            set_loc(row, op & 0x3f, LG_LOC_AT, (int64_t)rd_uleb(&c) * ci->data_align, NULL);
            continue;
        case 3: /* DW_CFA_restore */
            reg = op & 0x3f;
            if (reg < LG_CFI_NREGS) row->reg[reg] = initial ? initial->reg[reg] : (lg_cfi_loc){0};
            continue;
        }
        switch (op) {
        case 0x00: /* DW_CFA_nop */
            break;
        case 0x01: { /* DW_CFA_set_loc */
            uintptr_t to = rd_enc(&c, ci->fde_enc, 0);
            if (to > target) return !c.bad;
            loc = to;
            break;
        }
        case 0x02: delta = rd_fixed(&c, 1) * ci->code_align; goto advance;
        case 0x03: delta = rd_fixed(&c, 2) * ci->code_align; goto advance;
        case 0x04: delta = rd_fixed(&c, 4) * ci->code_align; goto advance;
        case 0x05: /* DW_CFA_offset_extended */
            reg = rd_uleb(&c);
            set_loc(row, reg, LG_LOC_AT, (int64_t)rd_uleb(&c) * ci->data_align, NULL);
            break;
        case 0x06: /* DW_CFA_restore_extended */
            reg = rd_uleb(&c);
            if (reg < LG_CFI_NREGS) row->reg[reg] = initial ? initial->reg[reg] : (lg_cfi_loc){0};
            break;
        case 0x07: set_loc(row, rd_uleb(&c), LG_LOC_UNDEF, 0, NULL); break;
        case 0x08: set_loc(row, rd_uleb(&c), LG_LOC_SAME, 0, NULL); break;
        case 0x09: /* DW_CFA_register */
            reg = rd_uleb(&c);
            off = (int64_t)rd_uleb(&c);
            if (off >= LG_CFI_NREGS) set_loc(row, reg, LG_LOC_UNDEF, 0, NULL);
            else if (reg < LG_CFI_NREGS) {
                set_loc(row, reg, LG_LOC_REG, 0, NULL);
                row->reg[reg].reg = (uint8_t)off;
            }
            break;
        case 0x0a: /* DW_CFA_remember_state: the whole row, CFA included */
            if (depth == STATE_DEPTH) return false;
            saved[depth++] = *row;
            break;
        case 0x0b:
            if (depth == 0) return false;
            *row = saved[--depth];
            break;
        case 0x0c: /* DW_CFA_def_cfa */
            reg = rd_uleb(&c);
            off = (int64_t)rd_uleb(&c);
            goto def_cfa;
        case 0x0d: /* DW_CFA_def_cfa_register */
            if (row->cfa.how != LG_LOC_CFA_REG) row->cfa.off = 0;
            reg = rd_uleb(&c);
            off = row->cfa.off;
            goto def_cfa;
        case 0x0e: /* DW_CFA_def_cfa_offset */
            if (row->cfa.how != LG_LOC_CFA_REG) return false;
            row->cfa.off = (int32_t)rd_uleb(&c);
            break;
        case 0x0f: /* DW_CFA_def_cfa_expression */
            off = (int64_t)rd_uleb(&c);
            if (off > c.end - c.p) return false;
            row->cfa = (lg_cfi_loc){.how = LG_LOC_CFA_EXPR, .off = (int32_t)off, .expr = c.p};
            c.p += off;
            break;
        case 0x10: /* DW_CFA_expression */
        case 0x16: /* DW_CFA_val_expression */
            reg = rd_uleb(&c);
            off = (int64_t)rd_uleb(&c);
            if (off > c.end - c.p) return false;
            set_loc(row, reg, op == 0x10 ? LG_LOC_AT_EXPR : LG_LOC_IS_EXPR, off, c.p);
            c.p += off;
            break;
        case 0x11: /* DW_CFA_offset_extended_sf */
            reg = rd_uleb(&c);
            set_loc(row, reg, LG_LOC_AT, rd_sleb(&c) * ci->data_align, NULL);
            break;
        case 0x12: /* DW_CFA_def_cfa_sf */
            reg = rd_uleb(&c);
            off = rd_sleb(&c) * ci->data_align;
            goto def_cfa;
        case 0x13: /* DW_CFA_def_cfa_offset_sf */
            if (row->cfa.how != LG_LOC_CFA_REG) return false;
            row->cfa.off = (int32_t)(rd_sleb(&c) * ci->data_align);
            break;
        case 0x14: /* DW_CFA_val_offset */
            reg = rd_uleb(&c);
            set_loc(row, reg, LG_LOC_IS, (int64_t)rd_uleb(&c) * ci->data_align, NULL);
            break;
        case 0x15: /* DW_CFA_val_offset_sf */
            reg = rd_uleb(&c);
            set_loc(row, reg, LG_LOC_IS, rd_sleb(&c) * ci->data_align, NULL);
            break;
        case 0x2e: /* DW_CFA_GNU_args_size */
            rd_uleb(&c);
            break;
        case 0x2f: /* DW_CFA_GNU_negative_offset_extended */
            reg = rd_uleb(&c);
            set_loc(row, reg, LG_LOC_AT, -(int64_t)rd_uleb(&c) * ci->data_align, NULL);
            break;
        default:
            return false;
        }
        continue;
    def_cfa:
        if (reg >= LG_CFI_NREGS) return false;
        row->cfa = (lg_cfi_loc){.how = LG_LOC_CFA_REG, .reg = (uint8_t)reg, .off = (int32_t)off};
        continue;
    advance:
        if (target - loc < delta) return !c.bad; /* the next row starts past target */
        loc += delta;
    }
    return !c.bad;
}

int lg_cfi_lookup(uintptr_t pc, lg_cfi_frame *out, lg_cfi_modcount *count)
{
    find_ctx fc = {.pc = pc};
    if (lg_modules_in_signal()) {
        /* The loader's lock may be held by the code this handler interrupted. */
        lg_mod_entry e;
        if (lg_modules_find(pc, &e)) {
            fc.found = true;
            fc.hdr = e.eh_hdr;
        }
    } else {
        dl_iterate_phdr(find_module, &fc);
        if (fc.count.valid) lg_modules_note_counts(fc.count.adds, fc.count.subs);
    }
    if (count) *count = fc.count;
    if (!fc.found) return LG_CFI_NO_MODULE;
    if (!fc.hdr) return LG_CFI_NO_FDE;

    fde_info fi;
    cie_info ci;
    int rc = find_fde(fc.hdr, pc, &fi, &ci);
    if (rc != LG_CFI_OK) return rc;

    lg_cfi_row initial = {0};
    if (!run_program(ci.insns, ci.end, &ci, 0, UINTPTR_MAX, &initial, NULL)) return LG_CFI_BAD;
    out->row = initial;
    if (!run_program(fi.insns, fi.end, &ci, fi.pc_begin, pc, &out->row, &initial)) return LG_CFI_BAD;
    if (ci.ra_reg >= LG_CFI_NREGS) return LG_CFI_BAD;
    out->ra_reg = ci.ra_reg;
    out->signal_frame = ci.signal_frame;
    return LG_CFI_OK;
}

bool lg_cfi_expr_is_breg(const uint8_t *expr, int64_t len, uint8_t *reg, int64_t *off, bool *deref)
{
    if (len < 2 || expr[0] < 0x70 || expr[0] > 0x8f) return false; /* DW_OP_breg0..31 */
    cursor c = {expr + 1, expr + len, false};
    *reg = (uint8_t)(expr[0] - 0x70);
    *off = rd_sleb(&c);
    if (c.bad) return false;
    *deref = false;
    if (c.p < c.end && *c.p == 0x06) { /* DW_OP_deref */
        *deref = true;
        c.p++;
    }
    return c.p == c.end;
}
