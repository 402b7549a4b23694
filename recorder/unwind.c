/*
 * unwind.c - the recorder's own stack walkers.
 *
 * HEAPTRAIL_UNWIND (`heaptrail record --unwind`) picks how a stack is
 * walked:
 *
 *   dwarf (default)  with the call frame information of each object
 *                    (.eh_frame, found through its .eh_frame_hdr index),
 *                    keeping per thread the rule of every code address
 *                    met, so that a walk is a few loads per frame.  Only
 *                    the rules compilers emit for ordinary code are
 *                    handled: the frame's CFA is the stack pointer or the
 *                    frame pointer plus a constant, the return address
 *                    sits just below the CFA, and the frame pointer is
 *                    either untouched or saved at a constant offset from
 *                    the CFA.  A stack with any other frame (signal
 *                    trampolines, DWARF expressions, realigned stacks,
 *                    code without CFI), or a thread running on a stack it
 *                    was not given (sigaltstack, coroutines), is walked
 *                    by libunwind instead, so the result never differs
 *                    from libunwind's (HEAPTRAIL_UNWIND_CHECK compares).
 *   fp               follows the frame-pointer chain, for programs built
 *                    with -fno-omit-frame-pointer; our own frames (the
 *                    hook) are stepped with their CFI first.  Where the
 *                    program has no frame pointers the stack is cut short
 *                    or wrong, as with `perf record --call-graph fp`.
 *   libunwind        unw_backtrace for every stack, as heaptrack does.
 *
 * Safety: both walkers read only between the stack pointer of the hook
 * and the top of the thread's stack, and each frame must lie above the
 * one before, so a bad frame pointer or a wrong rule ends the walk (fp)
 * or hands it to libunwind (dwarf): it cannot fault or loop.
 */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>

#include "recorder.h"

/*
 * A rule, packed in 64 bits:
 *   bits 0-1   RULE_SP: CFA = SP + cfa_off;  RULE_BP: CFA = BP + cfa_off;
 *              RULE_LAST: the outermost frame (return address undefined);
 *              RULE_OTHER: anything else (libunwind walks the stack)
 *   bit 2      the caller's BP is saved at CFA + bp_off
 *   bits 16-31 bp_off (signed)
 *   bits 32-63 cfa_off (signed)
 * The return address is always at CFA - 8.
 */
enum { RULE_OTHER, RULE_SP, RULE_BP, RULE_LAST };
#define RULE_BP_SAVED 4u

static uint64_t
rule_make(int kind, int32_t cfa_off, int bp_saved, int16_t bp_off)
{
	return (uint64_t)kind | (bp_saved ? RULE_BP_SAVED : 0) |
	    (uint64_t)(uint16_t)bp_off << 16 | (uint64_t)(uint32_t)cfa_off << 32;
}

static inline int32_t
rule_cfa_off(uint64_t rule)
{
	return (int32_t)(uint32_t)(rule >> 32);
}

static inline int16_t
rule_bp_off(uint64_t rule)
{
	return (int16_t)(uint16_t)(rule >> 16);
}

/* Bumped when code is unloaded (or stack ids start over): each thread
   then empties its rule cache, and its remembered walks are void. */
static _Atomic uint32_t unwind_gen;

/* HEAPTRAIL_UNWIND_CHECK counts. */
static _Atomic uint64_t check_walks, check_differ, check_fallbacks,
    check_memo_hits, check_memo_differ;

void
unwind_forget(void)
{
	atomic_fetch_add(&unwind_gen, 1);
}

/*
 * The main thread's stack: below __libc_stack_end (the stack pointer the
 * program started with), by at most its size limit.  Not from
 * pthread_getattr_np(): for the main thread it reads /proc/self/maps,
 * allocating while it holds the thread's lock, and a program calling it
 * (Rust's runtime does, at start) would then register its thread here and
 * wait for that lock forever.
 */
extern void *__libc_stack_end;

static void
main_stack(uintptr_t *lo, uintptr_t *hi)
{
	struct rlimit rl;
	uintptr_t size = 1ul << 30;	/* if unlimited */

	*hi = (uintptr_t)__libc_stack_end;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < size)
		size = (uintptr_t)rl.rlim_cur;
	*lo = *hi > size ? *hi - size : 0;
}

void
unwind_thread_init(struct unwind_state *u, int is_main, int few)
{
	uint8_t slot_bits = few ? UNWIND_FEW_SLOT_BITS : UNWIND_SLOT_BITS;
	pthread_attr_t attr;
	void *addr;
	size_t size;

	/* A recycled struct's slots past its old size may hold rules of an
	   older unwind_gen: start clean (its memos check their gen). */
	if (u->slot_bits != 0 && u->slot_bits != slot_bits)
		memset(u->slot, 0, sizeof u->slot);
	u->slot_bits = slot_bits;
	u->memo_bits = few ? MEMO_FEW_SLOT_BITS : MEMO_SLOT_BITS;
	u->stack_lo = u->stack_hi = 0;
	if (is_main) {
		main_stack(&u->stack_lo, &u->stack_hi);
		return;
	}
	/* Other threads: their attributes, read without allocating. */
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
		u->stack_lo = (uintptr_t)addr;
		u->stack_hi = (uintptr_t)addr + size;
	}
	pthread_attr_destroy(&attr);
}

/* --- reading .eh_frame ---------------------------------------------------- */

/* A bounded reader; any read past END sets BAD and yields zeros. */
struct reader {
	const uint8_t *p, *end;
	int bad;
};

static uint64_t
read_fixed(struct reader *r, size_t size)
{
	uint64_t v = 0;

	if (r->bad || (size_t)(r->end - r->p) < size) {
		r->bad = 1;
		return 0;
	}
	switch (size) {
	case 1: v = *r->p; break;
	case 2: { uint16_t x; memcpy(&x, r->p, 2); v = x; break; }
	case 4: { uint32_t x; memcpy(&x, r->p, 4); v = x; break; }
	default: memcpy(&v, r->p, 8); break;
	}
	r->p += size;
	return v;
}

/* A LEB128 number's bits; *SHIFT: how many, *LAST: its last byte. */
static uint64_t
read_leb(struct reader *r, unsigned *shift, uint8_t *last)
{
	uint64_t v = 0;
	uint8_t b;

	*shift = 0;
	do {
		b = (uint8_t)read_fixed(r, 1);
		if (*shift < 64)
			v |= (uint64_t)(b & 0x7f) << *shift;
		*shift += 7;
	} while ((b & 0x80) && !r->bad);
	*last = b;
	return v;
}

static uint64_t
read_uleb(struct reader *r)
{
	unsigned shift;
	uint8_t last;

	return read_leb(r, &shift, &last);
}

static int64_t
read_sleb(struct reader *r)
{
	unsigned shift;
	uint8_t last;
	uint64_t v = read_leb(r, &shift, &last);

	if (shift < 64 && (last & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

/* Skips a block: its length (a ULEB128), then that many bytes. */
static void
skip_block(struct reader *r)
{
	uint64_t len = read_uleb(r);

	if (len > (uint64_t)(r->end - r->p))
		r->bad = 1;
	else
		r->p += len;
}

/* DWARF pointer encodings (DW_EH_PE_*). */
#define PE_OMIT 0xff
#define PE_FORMAT 0x0f
#define PE_APPLY 0x70
#define PE_INDIRECT 0x80
#define PE_PCREL 0x10
#define PE_DATAREL 0x30

/* An encoded pointer; DATA_BASE for datarel.  Unknown forms set BAD. */
static uintptr_t
read_pointer(struct reader *r, uint8_t enc, uintptr_t data_base)
{
	uintptr_t at = (uintptr_t)r->p, v;

	switch (enc & PE_FORMAT) {
	case 0x00: v = (uintptr_t)read_fixed(r, 8); break;
	case 0x01: v = (uintptr_t)read_uleb(r); break;
	case 0x02: v = (uintptr_t)read_fixed(r, 2); break;
	case 0x03: v = (uintptr_t)read_fixed(r, 4); break;
	case 0x04: v = (uintptr_t)read_fixed(r, 8); break;
	case 0x09: v = (uintptr_t)read_sleb(r); break;
	case 0x0a: v = (uintptr_t)(int16_t)read_fixed(r, 2); break;
	case 0x0b: v = (uintptr_t)(int32_t)read_fixed(r, 4); break;
	case 0x0c: v = (uintptr_t)read_fixed(r, 8); break;
	default: r->bad = 1; return 0;
	}
	switch (enc & PE_APPLY) {
	case 0: break;
	case PE_PCREL: v += at; break;
	case PE_DATAREL: v += data_base; break;
	default: r->bad = 1; return 0;
	}
	if ((enc & PE_INDIRECT) && !r->bad)
		memcpy(&v, (const void *)v, sizeof v);
	return v;
}

/* An .eh_frame entry (CIE or FDE): its body, after the length. */
static int
entry_open(const uint8_t *at, struct reader *r)
{
	uint32_t len32;
	uint64_t len;

	memcpy(&len32, at, 4);
	at += 4;
	len = len32;
	if (len32 == 0xffffffffu) {
		memcpy(&len, at, 8);
		at += 8;
	}
	if (len == 0 || len > (64u << 20))
		return -1;
	r->p = at;
	r->end = at + len;
	r->bad = 0;
	return len32 == 0xffffffffu ? 8 : 4;	/* size of the id field */
}

/* --- running the CFA program ----------------------------------------------- */

#define REG_BP 6
#define REG_SP 7
#define REG_RA 16

enum { HOW_SAME, HOW_OFFSET, HOW_UNDEFINED, HOW_OTHER };

struct cfa_row {
	int cfa_reg;		/* REG_SP, REG_BP, or -1 (anything else) */
	int64_t cfa_off;
	int bp_how, ra_how;
	int64_t bp_off, ra_off;
};

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint8_t fde_enc;
	int signal_frame;
	int has_aug_data;	/* 'z': FDEs carry augmentation data */
	uint64_t ra_reg;
	const uint8_t *insns, *insns_end;
};

static int
cie_parse(const uint8_t *at, struct cie *c)
{
	struct reader r;
	const char *aug;
	uint8_t version;
	int id_size = entry_open(at, &r);

	if (id_size < 0 || read_fixed(&r, (size_t)id_size) != 0)
		return -1;
	version = (uint8_t)read_fixed(&r, 1);
	if (version != 1 && version != 3 && version != 4)
		return -1;
	aug = (const char *)r.p;
	while (read_fixed(&r, 1) != 0 && !r.bad)
		;
	if (version == 4 && (read_fixed(&r, 1) != 8 || read_fixed(&r, 1) != 0))
		return -1;
	c->code_align = read_uleb(&r);
	c->data_align = read_sleb(&r);
	c->ra_reg = version == 1 ? read_fixed(&r, 1) : read_uleb(&r);
	c->fde_enc = 0;
	c->signal_frame = 0;
	c->has_aug_data = aug[0] == 'z';
	if (aug[0] == 'z') {
		uint64_t aug_len = read_uleb(&r);
		const uint8_t *aug_end = r.p + aug_len;

		for (aug++; *aug != '\0' && !r.bad; aug++) {
			if (*aug == 'R') {
				c->fde_enc = (uint8_t)read_fixed(&r, 1);
			} else if (*aug == 'P') {
				uint8_t enc = (uint8_t)read_fixed(&r, 1);

				/* Skipped, not dereferenced. */
				read_pointer(&r, enc & (uint8_t)~PE_INDIRECT,
				    0);
			} else if (*aug == 'L') {
				read_fixed(&r, 1);
			} else if (*aug == 'S') {
				c->signal_frame = 1;
			} else {
				break;		/* unknown: its data is skipped */
			}
		}
		if (aug_end > r.end)
			return -1;
		r.p = aug_end;
	} else if (aug[0] != '\0') {
		return -1;
	}
	if (r.bad)
		return -1;
	c->insns = r.p;
	c->insns_end = r.end;
	return 0;
}

static void
row_set(struct cfa_row *row, uint64_t reg, int how, int64_t off)
{
	if (reg == REG_BP) {
		row->bp_how = how;
		row->bp_off = off;
	} else if (reg == REG_RA) {
		row->ra_how = how;
		row->ra_off = off;
	}
}

/* DW_CFA_restore: REG's rule as the CIE left it. */
static void
row_restore(struct cfa_row *row, const struct cfa_row *init, uint64_t reg)
{
	if (reg == REG_BP)
		row_set(row, reg, init->bp_how, init->bp_off);
	else if (reg == REG_RA)
		row_set(row, reg, init->ra_how, init->ra_off);
}

#define STATE_STACK 8

/*
 * Runs instructions [P, END) while the location stays at or below PC.
 * Returns 1 when PC's row is complete (the location passed PC), 0 at the
 * end of the instructions, -1 on anything not understood.
 */
static int
cfa_run(const uint8_t *p, const uint8_t *end, const struct cie *c,
    uintptr_t *loc, uintptr_t pc, struct cfa_row *row,
    const struct cfa_row *init)
{
	struct cfa_row saved[STATE_STACK];
	int depth = 0;
	struct reader r = { p, end, 0 };

	while (r.p < r.end && !r.bad) {
		uint8_t op = (uint8_t)read_fixed(&r, 1);
		uint64_t reg, delta = 0;

		switch (op >> 6) {
		case 1:				/* advance_loc */
			delta = (op & 0x3f) * c->code_align;
			break;
		case 2:				/* offset */
			reg = op & 0x3f;
			row_set(row, reg, HOW_OFFSET,
			    (int64_t)read_uleb(&r) * c->data_align);
			continue;
		case 3:				/* restore */
			row_restore(row, init, op & 0x3f);
			continue;
		default:
			break;
		}
		if (op >> 6 == 0) {
			switch (op) {
			case 0x00:		/* nop */
				continue;
			case 0x01:		/* set_loc */
				*loc = read_pointer(&r, c->fde_enc, 0);
				if (*loc > pc)
					return 1;
				continue;
			case 0x02: delta = read_fixed(&r, 1) * c->code_align;
				break;
			case 0x03: delta = read_fixed(&r, 2) * c->code_align;
				break;
			case 0x04: delta = read_fixed(&r, 4) * c->code_align;
				break;
			case 0x05:		/* offset_extended */
				reg = read_uleb(&r);
				row_set(row, reg, HOW_OFFSET,
				    (int64_t)read_uleb(&r) * c->data_align);
				continue;
			case 0x06:		/* restore_extended */
				row_restore(row, init, read_uleb(&r));
				continue;
			case 0x07:		/* undefined */
				row_set(row, read_uleb(&r), HOW_UNDEFINED, 0);
				continue;
			case 0x08:		/* same_value */
				row_set(row, read_uleb(&r), HOW_SAME, 0);
				continue;
			case 0x09:		/* register */
				reg = read_uleb(&r);
				read_uleb(&r);
				row_set(row, reg, HOW_OTHER, 0);
				continue;
			case 0x0a:		/* remember_state */
				if (depth == STATE_STACK)
					return -1;
				saved[depth++] = *row;
				continue;
			case 0x0b:		/* restore_state */
				if (depth == 0)
					return -1;
				*row = saved[--depth];
				continue;
			case 0x0c:		/* def_cfa */
				reg = read_uleb(&r);
				row->cfa_reg = reg == REG_SP || reg == REG_BP ?
				    (int)reg : -1;
				row->cfa_off = (int64_t)read_uleb(&r);
				continue;
			case 0x0d:		/* def_cfa_register */
				reg = read_uleb(&r);
				row->cfa_reg = reg == REG_SP || reg == REG_BP ?
				    (int)reg : -1;
				continue;
			case 0x0e:		/* def_cfa_offset */
				row->cfa_off = (int64_t)read_uleb(&r);
				continue;
			case 0x0f:		/* def_cfa_expression */
				row->cfa_reg = -1;
				skip_block(&r);
				continue;
			case 0x10:		/* expression */
			case 0x16:		/* val_expression */
				reg = read_uleb(&r);
				row_set(row, reg, HOW_OTHER, 0);
				skip_block(&r);
				continue;
			case 0x11:		/* offset_extended_sf */
				reg = read_uleb(&r);
				row_set(row, reg, HOW_OFFSET,
				    read_sleb(&r) * c->data_align);
				continue;
			case 0x12:		/* def_cfa_sf */
				reg = read_uleb(&r);
				row->cfa_reg = reg == REG_SP || reg == REG_BP ?
				    (int)reg : -1;
				row->cfa_off = read_sleb(&r) * c->data_align;
				continue;
			case 0x13:		/* def_cfa_offset_sf */
				row->cfa_off = read_sleb(&r) * c->data_align;
				continue;
			case 0x14:		/* val_offset */
			case 0x15:		/* val_offset_sf */
				reg = read_uleb(&r);
				row_set(row, reg, HOW_OTHER, 0);
				if (op == 0x14)
					read_uleb(&r);
				else
					read_sleb(&r);
				continue;
			case 0x2e:		/* GNU_args_size */
				read_uleb(&r);
				continue;
			case 0x2f:		/* GNU_negative_offset_extended */
				reg = read_uleb(&r);
				row_set(row, reg, HOW_OFFSET,
				    -(int64_t)read_uleb(&r) * c->data_align);
				continue;
			default:
				return -1;
			}
		}
		if (*loc + delta > pc)
			return 1;
		*loc += delta;
	}
	return r.bad ? -1 : 0;
}

/* The FDE covering PC through the object's .eh_frame_hdr, or NULL. */
static const uint8_t *
fde_find(uintptr_t pc)
{
	struct dl_find_object obj;
	const uint8_t *hdr;
	struct reader r;
	uint64_t count, lo, hi;
	const int32_t *table;

	if (_dl_find_object((void *)pc, &obj) != 0 || obj.dlfo_eh_frame == NULL)
		return NULL;
	hdr = obj.dlfo_eh_frame;
	/* Only the binary-search table every linker writes is used. */
	if (hdr[0] != 1 || hdr[2] == PE_OMIT || hdr[3] != (PE_DATAREL | 0x0b))
		return NULL;
	r.p = hdr + 4;
	r.end = hdr + 4 + 16;
	r.bad = 0;
	read_pointer(&r, hdr[1], (uintptr_t)hdr);
	count = read_pointer(&r, hdr[2], (uintptr_t)hdr);
	if (r.bad || count == 0)
		return NULL;
	table = (const int32_t *)(const void *)r.p;
	/* The last entry whose start is at or below PC. */
	lo = 0;
	hi = count;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)hdr + (intptr_t)table[2 * mid] <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if ((uintptr_t)hdr + (intptr_t)table[2 * lo] > pc)
		return NULL;
	return hdr + table[2 * lo + 1];
}

/* The rule at code address PC, from its FDE. */
static uint64_t
rule_parse(uintptr_t pc)
{
	const uint8_t *fde = fde_find(pc), *cie_at;
	struct cfa_row row, init;
	struct reader r;
	struct cie c;
	uintptr_t start, range, loc;
	uint64_t cie_off;
	int id_size, done;

	if (fde == NULL || (id_size = entry_open(fde, &r)) < 0)
		return RULE_OTHER;
	cie_at = r.p;
	cie_off = read_fixed(&r, (size_t)id_size);
	if (cie_off == 0 || r.bad)
		return RULE_OTHER;
	cie_at -= cie_off;
	if (cie_parse(cie_at, &c) != 0 || c.signal_frame || c.ra_reg != REG_RA)
		return RULE_OTHER;
	start = read_pointer(&r, c.fde_enc, 0);
	range = read_pointer(&r, c.fde_enc & PE_FORMAT, 0);
	if (r.bad || pc < start || pc - start >= range)
		return RULE_OTHER;
	if (c.has_aug_data)
		skip_block(&r);		/* FDE augmentation data */
	if (r.bad)
		return RULE_OTHER;

	memset(&row, 0, sizeof row);
	row.cfa_reg = -1;
	row.bp_how = HOW_SAME;
	row.ra_how = HOW_SAME;
	loc = start;
	/* The CIE's instructions cannot advance: PC's row starts from them. */
	if (cfa_run(c.insns, c.insns_end, &c, &loc, UINTPTR_MAX, &row,
	    &row) != 0)
		return RULE_OTHER;
	init = row;
	loc = start;
	done = cfa_run(r.p, r.end, &c, &loc, pc, &row, &init);
	if (done < 0)
		return RULE_OTHER;

	if (row.ra_how == HOW_UNDEFINED)
		return rule_make(RULE_LAST, 0, 0, 0);
	if (row.ra_how != HOW_OFFSET || row.ra_off != -8 || row.cfa_reg < 0 ||
	    row.cfa_off < 8 || row.cfa_off > INT32_MAX)
		return RULE_OTHER;
	if (row.bp_how != HOW_SAME && (row.bp_how != HOW_OFFSET ||
	    row.bp_off < INT16_MIN || row.bp_off > INT16_MAX))
		return RULE_OTHER;
	return rule_make(row.cfa_reg == REG_SP ? RULE_SP : RULE_BP,
	    (int32_t)row.cfa_off, row.bp_how == HOW_OFFSET,
	    (int16_t)row.bp_off);
}

/* --- the walks ----------------------------------------------------------------- */

static uint64_t __attribute__((noinline))
rule_miss(struct unwind_slot *slot, uintptr_t key)
{
	slot->rule = rule_parse(key);
	slot->pc = key;
	return slot->rule;
}

/*
 * The rule at KEY (a return address minus 1, or the hook's own PC).  The
 * cache is of the current unwind_gen (unwind_stack_id sees to it).
 */
static inline uint64_t
rule_at(struct unwind_state *u, uintptr_t key)
{
	struct unwind_slot *slot = &u->slot[(key * 0x9e3779b97f4a7c15ull) >>
	    (64 - u->slot_bits)];

	if (__builtin_expect(slot->pc == key, 1))
		return slot->rule;
	return rule_miss(slot, key);
}

/*
 * A walk in progress.  Every stack word it reads is logged (offset from
 * the first SP, value): a walk is a function of its starting registers,
 * of those words and of the rules, so a later walk from the same
 * registers that finds the same words would find the same stack.
 */
struct walk {
	struct unwind_state *u;
	uintptr_t sp0;
	uint32_t words;		/* read so far (logged: up to MEMO_WORDS) */
	int bp_word;		/* the word BP was last read from, or -1 */
	uint32_t off[MEMO_WORDS];
	uintptr_t val[MEMO_WORDS];
	/*
	 * A saved BP that no later frame's CFA is computed from (because
	 * the code kept other data in that register) does not change the
	 * walk, and would only make the memo miss: such words are left out
	 * of the memo.
	 */
	uint8_t unused_bp[MEMO_WORDS];
};

static inline uintptr_t
walk_read(struct walk *w, uintptr_t addr, int is_bp)
{
	uintptr_t v = *(const uintptr_t *)addr;

	if (w->words < MEMO_WORDS) {
		w->off[w->words] = (uint32_t)(addr - w->sp0);
		w->val[w->words] = v;
		w->unused_bp[w->words] = (uint8_t)is_bp;
		if (is_bp)
			w->bp_word = (int)w->words;
	}
	w->words++;
	return v;
}

/* The current BP is used: the word it came from matters. */
static inline void
walk_use_bp(struct walk *w)
{
	if (w->bp_word >= 0)
		w->unused_bp[w->bp_word] = 0;
}

/*
 * One step with the frame's rule: from the frame of *PC (its SP, BP) to
 * its caller's.  Returns 1 on a step, 0 at the outermost frame, -1 when
 * the rule is not ours to follow or the frame is out of bounds.
 */
static int
step_cfi(struct walk *w, uintptr_t key, uintptr_t *pc, uintptr_t *sp,
    uintptr_t *bp)
{
	uint64_t rule = rule_at(w->u, key);
	uintptr_t cfa, hi = w->u->stack_hi;

	switch (rule & 3) {
	case RULE_SP:
		cfa = *sp + (uintptr_t)(intptr_t)rule_cfa_off(rule);
		break;
	case RULE_BP:
		cfa = *bp + (uintptr_t)(intptr_t)rule_cfa_off(rule);
		walk_use_bp(w);
		break;
	case RULE_LAST:
		return 0;
	default:
		return -1;
	}
	/* The frame [SP, CFA) lies above the last, below the top. */
	if (cfa < *sp + 8 || cfa > hi)
		return -1;
	if (rule & RULE_BP_SAVED) {
		uintptr_t at = cfa + (uintptr_t)(intptr_t)rule_bp_off(rule);

		if (at < *sp || at > hi - 8)
			return -1;
		*bp = walk_read(w, at, 1);
	}
	*pc = walk_read(w, cfa - 8, 0);
	*sp = cfa;
	return 1;
}

/* Follows saved frame pointers from the frame of PC (its SP, BP). */
static int
walk_fp(struct walk *w, uintptr_t pc, uintptr_t sp, uintptr_t bp,
    void **out, int n, int max)
{
	uintptr_t top = w->u->stack_hi - 16;

	walk_use_bp(w);		/* the chain starts from it */
	while (n < max) {
		out[n++] = (void *)pc;
		if (bp < sp || bp > top)
			break;
		pc = walk_read(w, bp + 8, 0);
		sp = bp + 16;
		bp = walk_read(w, bp, 0);
		if (pc == 0)
			break;
	}
	return n;
}

/*
 * The frames from registers PC, SP, BP into OUT; -1: not ours to walk.
 * With --unwind fp, CFI steps only our own frames (which may have no
 * frame pointer), and the frame-pointer chain takes over from there.
 */
static int
walk(struct walk *w, uintptr_t pc, uintptr_t sp, uintptr_t bp, void **out,
    int max)
{
	int fp = rec_config.unwind == UNWIND_FP, n = 0, step;
	uintptr_t key = pc;

	if (sp < w->u->stack_lo || sp >= w->u->stack_hi)
		return -1;	/* not on its own stack (or none known) */
	while (n < max) {
		if (fp && !rec_is_own(pc))
			return walk_fp(w, pc, sp, bp, out, n, max);
		out[n++] = (void *)pc;
		step = step_cfi(w, key, &pc, &sp, &bp);
		if (step <= 0)
			return step < 0 ? -1 : n;
		if (pc == 0)
			break;
		key = pc - 1;
	}
	return n;
}

/* --- the memo ------------------------------------------------------------------ */

static inline struct unwind_memo *
memo_slot(struct unwind_state *u, uintptr_t pc, uintptr_t sp, uintptr_t bp,
    uintptr_t ra)
{
	uint64_t h = (pc ^ (sp << 3) ^ (bp << 17) ^ (ra << 29)) *
	    0x9e3779b97f4a7c15ull;

	return &u->memo[h >> (64 - u->memo_bits)];
}

/* Do the words M's walk read still hold what they held? */
static inline int
memo_holds(const struct unwind_memo *m, uintptr_t sp)
{
	uintptr_t diff = 0;
	uint32_t i;

	for (i = 0; i < m->words; i++)
		diff |= *(const uintptr_t *)(sp + m->off[i]) ^ m->val[i];
	return diff == 0;
}

static void check_memo(uint64_t memo_id, uint64_t id);

int
unwind_stack_id(struct unwind_state *u, uintptr_t pc, uintptr_t sp,
    uintptr_t bp, uintptr_t ra, void **raw, int max, uint64_t *id)
{
	struct unwind_memo *m = memo_slot(u, pc, sp, bp, ra);
	uint32_t gen = atomic_load_explicit(&unwind_gen, memory_order_relaxed);
	struct walk w;
	int n, hit;

	hit = m->pc == pc && m->sp == sp && m->bp == bp && m->ra == ra &&
	    m->gen == gen && memo_holds(m, sp);
	if (__builtin_expect(hit && !rec_config.unwind_check, 1)) {
		*id = m->id;
		return 0;
	}
	if (u->gen != gen) {		/* code was unloaded since */
		memset(u->slot, 0, sizeof u->slot[0] << u->slot_bits);
		u->gen = gen;
	}
	w.u = u;
	w.sp0 = sp;
	w.words = 0;
	w.bp_word = -1;
	n = walk(&w, pc, sp, bp, raw, max);
	if (__builtin_expect(rec_config.unwind_check, 0))
		unwind_check(raw, n, max);
	if (n < 0)
		return -1;
	*id = stack_intern(raw, n);
	if (__builtin_expect(hit, 0))
		check_memo(m->id, *id);
	if (*id != 0 && w.words <= MEMO_WORDS) {
		uint32_t i, k = 0;

		m->pc = pc;
		m->sp = sp;
		m->bp = bp;
		m->ra = ra;
		m->gen = gen;
		m->id = *id;
		for (i = 0; i < w.words; i++) {
			if (w.unused_bp[i])
				continue;
			m->off[k] = w.off[i];
			m->val[k++] = w.val[i];
		}
		m->words = k;
	}
	return 0;
}

/* --- HEAPTRAIL_UNWIND_CHECK ------------------------------------------------- */

static char *
put_hex(char *p, uintptr_t v)
{
	int shift;

	*p++ = '0';
	*p++ = 'x';
	for (shift = 60; shift > 0 && (v >> shift) == 0; shift -= 4)
		;
	for (; shift >= 0; shift -= 4)
		*p++ = "0123456789abcdef"[(v >> shift) & 15];
	return p;
}

static char *
put_text(char *p, const char *text)
{
	size_t len = strlen(text);

	memcpy(p, text, len);
	return p + len;
}

void
unwind_check(void **out, int n, int max)
{
	void *theirs[HT_DEPTH_MAX + STACK_SKIP_MAX];
	void **a, **b;
	int na, nb, i;

	if (n < 0) {
		atomic_fetch_add(&check_fallbacks, 1);
		return;
	}
	na = stack_program_frames(out, n, &a);
	nb = stack_program_frames(theirs, unw_backtrace(theirs, max), &b);
	atomic_fetch_add(&check_walks, 1);
	for (i = 0; i < na && i < nb && a[i] == b[i]; i++)
		;
	if (i == na && i == nb)
		return;
	if (atomic_fetch_add(&check_differ, 1) < 3) {
		char line[256], *p = line, *end = line + sizeof line;

		p = rec_put_decimal(p, end, (unsigned long)i);
		p = put_text(p, ": ");
		p = i < na ? put_hex(p, (uintptr_t)a[i]) : put_text(p, "end");
		p = put_text(p, " (of ");
		p = rec_put_decimal(p, end, (unsigned long)na);
		p = put_text(p, "), libunwind has ");
		p = i < nb ? put_hex(p, (uintptr_t)b[i]) : put_text(p, "end");
		p = put_text(p, " (of ");
		p = rec_put_decimal(p, end, (unsigned long)nb);
		p = put_text(p, ")");
		*p = '\0';
		rec_warn("unwind check: stacks differ at frame ", line);
	}
}

/* A memo hit, checked against the walk it saved. */
static void
check_memo(uint64_t memo_id, uint64_t id)
{
	atomic_fetch_add(&check_memo_hits, 1);
	if (memo_id != id && atomic_fetch_add(&check_memo_differ, 1) < 3)
		rec_warn("unwind check: a remembered stack differs from its "
		    "walk", "");
}

void
unwind_report(void)
{
	char line[256], *p = line, *end = line + sizeof line;

	if (!rec_config.unwind_check)
		return;
	p = rec_put_decimal(p, end, check_walks);
	p = put_text(p, " stacks compared, ");
	p = rec_put_decimal(p, end, check_differ);
	p = put_text(p, " differ, ");
	p = rec_put_decimal(p, end, check_fallbacks);
	p = put_text(p, " walked by libunwind, ");
	p = rec_put_decimal(p, end, check_memo_hits);
	p = put_text(p, " remembered (");
	p = rec_put_decimal(p, end, check_memo_differ);
	p = put_text(p, " wrongly)");
	*p = '\0';
	rec_warn("unwind check: ", line);
}
