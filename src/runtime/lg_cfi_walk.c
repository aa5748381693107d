/* lg_cfi_walk.c — the uncached unwinder: applies each frame's CFI row to the
 * full register set, evaluating DWARF expressions (signal trampolines, PLT
 * stubs, stack realignment), and steps until the outermost frame.
 *
 * Every read of the program's memory goes through mem_read, which refuses
 * addresses outside the stack ranges it was given: a corrupt frame ends the
 * walk instead of faulting. */
#include "lg_cfi.h"

#include <stddef.h>

typedef uintptr_t __attribute__((may_alias)) lg_word;

static int seg_of(const lg_stack_mem *m, uintptr_t a)
{
    for (int k = 0; k < 2; k++)
        if (a - m->lo[k] < m->hi[k] - m->lo[k]) return k;
    return -1;
}

static bool mem_read(const lg_stack_mem *m, uintptr_t a, unsigned size, uintptr_t *out)
{
    for (int k = 0; k < 2; k++) {
        if (m->hi[k] - m->lo[k] < size || a - m->lo[k] > m->hi[k] - m->lo[k] - size) continue;
        const uint8_t *p = (const uint8_t *)a;
        switch (size) {
        case 1: *out = p[0]; break;
        case 2: *out = *(const uint16_t *)p; break;
        case 4: *out = *(const uint32_t *)p; break;
        default: *out = *(const lg_word *)p; break;
        }
        return true;
    }
    return false;
}

/* ---- DWARF expressions (DWARF 2.5), the subset that CFI can use ----------- */

#define EXPR_STACK 16
#define EXPR_STEPS 256

static uint64_t uleb(const uint8_t **p, const uint8_t *end, bool *bad)
{
    return lg_leb128(p, end, false, bad);
}

static int64_t sleb(const uint8_t **p, const uint8_t *end, bool *bad)
{
    return (int64_t)lg_leb128(p, end, true, bad);
}

static uint64_t fixed(const uint8_t **p, const uint8_t *end, unsigned size, bool *bad)
{
    if ((size_t)(end - *p) < size) {
        *bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= (uint64_t)(*p)[i] << (8 * i);
    *p += size;
    return v;
}

/* Evaluates expr; push_cfa starts the stack with the CFA (register rules). */
static bool eval(const lg_cfi_loc *loc, const lg_cfi_regs *r, const lg_stack_mem *m, bool push_cfa,
                 uintptr_t cfa, uintptr_t *out)
{
    uint64_t st[EXPR_STACK];
    int n = 0;
    if (push_cfa) st[n++] = cfa;
    const uint8_t *p = loc->expr, *end = loc->expr + loc->off;
    bool bad = false;
    for (int steps = 0; p < end; steps++) {
        if (steps == EXPR_STEPS || n >= EXPR_STACK) return false;
        uint8_t op = *p++;
        uint64_t a, b;
        if (op >= 0x30 && op <= 0x4f) { /* DW_OP_lit0..31 */
            st[n++] = op - 0x30;
            continue;
        }
        if ((op >= 0x70 && op <= 0x8f) || op == 0x92) { /* DW_OP_breg0..31, DW_OP_bregx */
            uint64_t reg = op == 0x92 ? uleb(&p, end, &bad) : (uint64_t)(op - 0x70);
            int64_t off = sleb(&p, end, &bad);
            if (bad || reg >= LG_CFI_NREGS || !(r->known & (1u << reg))) return false;
            st[n++] = r->r[reg] + (uint64_t)off;
            continue;
        }
        /* The operators below pop: check there is something to pop. */
        int need = 0;
        switch (op) {
        case 0x06: case 0x12: case 0x13: case 0x19: case 0x1f: case 0x20: case 0x23: case 0x28:
        case 0x94: need = 1; break;
        case 0x14: case 0x16: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x21:
        case 0x22: case 0x24: case 0x25: case 0x26: case 0x27: case 0x29: case 0x2a: case 0x2b:
        case 0x2c: case 0x2d: case 0x2e: need = 2; break;
        case 0x17: need = 3; break;
        }
        if (n < need) return false;
        switch (op) {
        case 0x03: st[n++] = fixed(&p, end, 8, &bad); break; /* DW_OP_addr */
        case 0x06: /* DW_OP_deref */
            if (!mem_read(m, st[n - 1], 8, &st[n - 1])) return false;
            break;
        case 0x94: { /* DW_OP_deref_size */
            unsigned size = (unsigned)fixed(&p, end, 1, &bad);
            if (size != 1 && size != 2 && size != 4 && size != 8) return false;
            if (!mem_read(m, st[n - 1], size, &st[n - 1])) return false;
            break;
        }
        case 0x08: st[n++] = fixed(&p, end, 1, &bad); break;
        case 0x09: st[n++] = (uint64_t)(int8_t)fixed(&p, end, 1, &bad); break;
        case 0x0a: st[n++] = fixed(&p, end, 2, &bad); break;
        case 0x0b: st[n++] = (uint64_t)(int16_t)fixed(&p, end, 2, &bad); break;
        case 0x0c: st[n++] = fixed(&p, end, 4, &bad); break;
        case 0x0d: st[n++] = (uint64_t)(int32_t)fixed(&p, end, 4, &bad); break;
        case 0x0e: case 0x0f: st[n++] = fixed(&p, end, 8, &bad); break;
        case 0x10: st[n++] = uleb(&p, end, &bad); break;
        case 0x11: st[n++] = (uint64_t)sleb(&p, end, &bad); break;
        case 0x12: st[n] = st[n - 1]; n++; break;   /* DW_OP_dup */
        case 0x13: n--; break;                      /* DW_OP_drop */
        case 0x14: st[n] = st[n - 2]; n++; break;   /* DW_OP_over */
        case 0x15: {                                /* DW_OP_pick */
            unsigned i = (unsigned)fixed(&p, end, 1, &bad);
            if ((int)i >= n) return false;
            st[n] = st[n - 1 - i];
            n++;
            break;
        }
        case 0x16: a = st[n - 1]; st[n - 1] = st[n - 2]; st[n - 2] = a; break; /* DW_OP_swap */
        case 0x17: /* DW_OP_rot */
            a = st[n - 1];
            st[n - 1] = st[n - 2];
            st[n - 2] = st[n - 3];
            st[n - 3] = a;
            break;
        case 0x19: if ((int64_t)st[n - 1] < 0) st[n - 1] = -st[n - 1]; break;
        case 0x1f: st[n - 1] = -st[n - 1]; break;
        case 0x20: st[n - 1] = ~st[n - 1]; break;
        case 0x23: st[n - 1] += uleb(&p, end, &bad); break; /* DW_OP_plus_uconst */
        case 0x28: { /* DW_OP_bra */
            int16_t to = (int16_t)fixed(&p, end, 2, &bad);
            if (st[--n] != 0) {
                if (to < loc->expr - p || to > end - p) return false;
                p += to;
            }
            break;
        }
        case 0x2f: { /* DW_OP_skip */
            int16_t to = (int16_t)fixed(&p, end, 2, &bad);
            if (to < loc->expr - p || to > end - p) return false;
            p += to;
            break;
        }
        case 0x96: break; /* DW_OP_nop */
        default:
            if (need != 2) return false;
            b = st[--n];
            a = st[n - 1];
            switch (op) {
            case 0x1a: a &= b; break;
            case 0x1b:
                if (b == 0) return false;
                a = (uint64_t)((int64_t)a / (int64_t)b);
                break;
            case 0x1c: a -= b; break;
            case 0x1d:
                if (b == 0) return false;
                a %= b;
                break;
            case 0x1e: a *= b; break;
            case 0x21: a |= b; break;
            case 0x22: a += b; break;
            case 0x24: a = b < 64 ? a << b : 0; break;
            case 0x25: a = b < 64 ? a >> b : 0; break;
            case 0x26: a = (uint64_t)((int64_t)a >> (b < 63 ? b : 63)); break;
            case 0x27: a ^= b; break;
            case 0x29: a = a == b; break;
            case 0x2a: a = (int64_t)a >= (int64_t)b; break;
            case 0x2b: a = (int64_t)a > (int64_t)b; break;
            case 0x2c: a = (int64_t)a <= (int64_t)b; break;
            case 0x2d: a = (int64_t)a < (int64_t)b; break;
            case 0x2e: a = a != b; break;
            }
            st[n - 1] = a;
        }
        if (bad) return false;
    }
    if (bad || n < 1) return false;
    *out = (uintptr_t)st[n - 1];
    return true;
}

/* ---- one step --------------------------------------------------------------- */

enum { STEP_OK, STEP_END, STEP_FAIL };

static int step(lg_cfi_regs *r, const lg_cfi_frame *f, const lg_stack_mem *m)
{
    const lg_cfi_row *row = &f->row;
    uintptr_t cfa;
    if (row->cfa.how == LG_LOC_CFA_REG) {
        if (!(r->known & (1u << row->cfa.reg))) return STEP_FAIL;
        cfa = r->r[row->cfa.reg] + (intptr_t)row->cfa.off;
    } else if (row->cfa.how == LG_LOC_CFA_EXPR) {
        if (!eval(&row->cfa, r, m, false, 0, &cfa)) return STEP_FAIL;
    } else {
        return STEP_FAIL;
    }
    if (row->reg[f->ra_reg].how == LG_LOC_UNDEF) return STEP_END;

    /* A register whose save slot cannot be read becomes unknown: epilogues
     * keep stale rules (gcc's DRAP code still says "rbp at [rbp]" after
     * popping it), and only the return address must be found. */
    lg_cfi_regs next = *r;
    for (int i = 0; i < LG_CFI_NREGS; i++) {
        const lg_cfi_loc *loc = &row->reg[i];
        uintptr_t v = 0, addr;
        bool ok;
        switch (loc->how) {
        case LG_LOC_UNSPEC:
        case LG_LOC_SAME:
            continue;
        case LG_LOC_UNDEF:
            ok = false;
            break;
        case LG_LOC_AT:
            ok = mem_read(m, cfa + (intptr_t)loc->off, 8, &v);
            break;
        case LG_LOC_IS:
            v = cfa + (intptr_t)loc->off;
            ok = true;
            break;
        case LG_LOC_REG:
            ok = r->known & (1u << loc->reg);
            v = r->r[loc->reg];
            break;
        case LG_LOC_AT_EXPR:
            ok = eval(loc, r, m, true, cfa, &addr) && mem_read(m, addr, 8, &v);
            break;
        case LG_LOC_IS_EXPR:
            ok = eval(loc, r, m, true, cfa, &v);
            break;
        default:
            return STEP_FAIL;
        }
        if (ok) {
            next.r[i] = v;
            next.known |= 1u << i;
        } else {
            next.known &= ~(1u << i);
        }
    }
    if (row->reg[LG_X_RSP].how == LG_LOC_UNSPEC) {
        next.r[LG_X_RSP] = cfa;
        next.known |= 1u << LG_X_RSP;
    }
    if (!(next.known & (1u << f->ra_reg))) return STEP_FAIL;
    next.r[LG_X_RIP] = next.r[f->ra_reg];
    next.known |= 1u << LG_X_RIP;
    *r = next;
    return STEP_OK;
}

uint32_t lg_cfi_walk(lg_cfi_regs *regs, bool exact, uint32_t skip,
                     const lg_stack_mem *mem, uintptr_t *pcs, uint32_t max, uint64_t *slow_frames)
{
    uint32_t n = 0, signals = 0;
    while (n < max) {
        uintptr_t pc = regs->r[LG_X_RIP];
        if (skip) {
            skip--;
        } else {
            pcs[n++] = pc;
            if (n == max) break;
        }

        lg_cfi_frame f;
        int rc = lg_cfi_lookup(exact ? pc : pc - 1, &f, 0);
        (*slow_frames)++;
        uintptr_t sp = regs->r[LG_X_RSP];
        if (rc != LG_CFI_OK) {
            /* An interrupted pc without unwind information is most likely
             * a call to a wild address: the return address is on top. */
            uintptr_t ra;
            if (!exact || rc == LG_CFI_BAD || !mem_read(mem, sp, 8, &ra) || !ra) break;
            regs->r[LG_X_RIP] = ra;
            regs->r[LG_X_RSP] = sp + 8;
            exact = false;
            continue;
        }
        /* pc 0 ends the stack, unless it is where a signal struck. */
        if (step(regs, &f, mem) != STEP_OK || (!regs->r[LG_X_RIP] && !f.signal_frame)) break;

        /* Each frame lies above its callee on the same stack, except that a
         * signal frame may come back from a signal stack. */
        uintptr_t nsp = regs->r[LG_X_RSP];
        int was = seg_of(mem, sp), now = seg_of(mem, nsp);
        if (now < 0) break;
        if (f.signal_frame) {
            if (++signals > 8) break;
        } else if (nsp <= sp || (was >= 0 && was != now)) {
            break;
        }
        exact = f.signal_frame;
    }
    return n;
}
