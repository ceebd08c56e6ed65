/*
 * dedup.c - the dedup stage.
 *
 * Claude Code writes one line per content block while streaming, each with
 * the usage known so far, and resumed sessions and VM or backup copies
 * repeat whole files. Of the copies of a message.id:requestId key we keep
 * the most complete one (most tokens); keeping the first copy instead
 * undercounts output tokens by about a quarter.
 *
 * The result is kept between loads (see dedup-private.h). A full run looks
 * at every stored entry; an incremental one only at the entries of the
 * files this load read that are new or were improved in place, against
 * three tables the full run leaves behind: the copy picked per key, and the
 * replay keys (session, message.id) of the main-chain and sidechain copies
 * picked. Whatever it cannot settle locally it hands to a full run.
 */
#include "dedup-private.h"
#include "hash-private.h"
#include "par-private.h"

#include <stdlib.h>
#include <string.h>

void cu__dedup_key(const char *msg_id, size_t msg_len, const char *req_id, size_t req_len,
                   uint64_t key[2])
{
	char stack[256];
	size_t n = msg_len + 1 + req_len;
	char *buf = n <= sizeof stack ? stack : malloc(n);
	if (!buf) {
		/* Out of memory: a weaker key beats none. */
		key[0] = cu__hash64(msg_id, msg_len, 1);
		key[1] = cu__hash64(req_id, req_len, 2);
		return;
	}
	memcpy(buf, msg_id, msg_len);
	buf[msg_len] = ':';
	if (req_len)
		memcpy(buf + msg_len + 1, req_id, req_len);
	cu__hash128(buf, n, key);
	if (buf != stack)
		free(buf);
}

int cu__dedup_better(const cu__entry *a, const cu__entry *b)
{
	int64_t ta = cu__entry_tokens(a), tb = cu__entry_tokens(b);
	if (ta != tb)
		return ta > tb;
	int sa = (a->flags & CU__E_SIDECHAIN) != 0, sb = (b->flags & CU__E_SIDECHAIN) != 0;
	if (sa != sb)
		return sa < sb;
	if (a->file != b->file)
		return a->file < b->file;
	return a->line < b->line;
}

/* Marks the copies kept by a full run, in the flags' bit 31. */
#define KEEP (1u << 31)
#define SIDE_ID (CU__E_HAS_MSG_ID | CU__E_SIDECHAIN)

/* ---- the tables ---- */

struct cu__gslot {
	uint64_t k0, k1;
	uint32_t uid, idx; /* uid UINT32_MAX: empty */
};

struct cu__rslot {
	uint64_t key;      /* 0: empty */
	uint32_t count;    /* 0 with a key: was used */
};

/* A power of two that holds n keys at most 3/4 full. */
static size_t pow2_for(size_t n)
{
	size_t s = 64;
	while (s / 4 * 3 < n + n / 8)
		s <<= 1;
	return s;
}

static int full_past(size_t used, size_t cap)
{
	return used + 1 > cap / 4 * 3;
}

static unsigned part_of(const uint64_t key[2])
{
	return (unsigned)(key[0] >> 63);
}

static struct cu__gslot *gt_find(const cu__gtab *g, const uint64_t key[2])
{
	size_t mask = g->cap - 1, h = (size_t)key[0] & mask;
	struct cu__gslot *t = g->v;
	while (t[h].uid != UINT32_MAX && (t[h].k0 != key[0] || t[h].k1 != key[1]))
		h = (h + 1) & mask;
	return &t[h];
}

/* The slot of key in its part's table, or the empty slot where it goes. */
static struct cu__gslot *gt_slot(const cu__dedup_state *ds, const uint64_t key[2])
{
	return gt_find(&ds->gt[part_of(key)], key);
}

static void gtab_empty(cu__gtab *g)
{
	memset(g->v, 0xff, g->cap * sizeof *g->v);
	g->n = 0;
}

/* A table of cap slots (a power of two), empty unless `later` (then gtab_empty() must follow). */
static int gtab_init(cu__gtab *g, size_t cap, int later)
{
	struct cu__gslot *t = malloc(cap * sizeof *t);
	if (!t)
		return -1;
	free(g->v);
	g->v = t;
	g->cap = cap;
	if (!later)
		gtab_empty(g);
	return 0;
}

/*
 * Both parts, for n keys in all: together the size one table would have
 * (hashes split the keys evenly, far within the spare room; a part that
 * fills grows). Still to be emptied: the pieces of a full run do that, as
 * touching a fresh table costs about as much as filling it.
 */
static int gt_init(cu__dedup_state *ds, size_t n)
{
	size_t cap = pow2_for(n) / CU__DEDUP_PARTS;
	for (unsigned i = 0; i < CU__DEDUP_PARTS; i++)
		if (gtab_init(&ds->gt[i], cap, 1) != 0)
			return -1;
	return 0;
}

/* Room for one more key in g. */
static int gt_reserve(cu__gtab *g)
{
	if (!full_past(g->n, g->cap))
		return 0;
	cu__gtab old = *g;
	g->v = NULL;
	if (gtab_init(g, pow2_for(old.n + 1), 0) != 0) {
		*g = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].uid != UINT32_MAX) {
			uint64_t k[2] = { old.v[i].k0, old.v[i].k1 };
			*gt_find(g, k) = old.v[i];
		}
	g->n = old.n;
	free(old.v);
	return 0;
}

static struct cu__rslot *rc_find(struct cu__rslot *t, size_t cap, uint64_t key)
{
	/* Mixed: the keys are hashes, or handles with their entropy in the low bits. */
	size_t mask = cap - 1, h = (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & mask;
	while (t[h].key && t[h].key != key)
		h = (h + 1) & mask;
	return &t[h];
}

static uint32_t rc_count(const struct cu__rslot *t, size_t cap, uint64_t key)
{
	return cap ? rc_find((struct cu__rslot *)(uintptr_t)t, cap, key)->count : 0;
}

/* Add delta (+1 or -1, or a count being merged) to key's count. */
static int rc_add(struct cu__rslot **t, size_t *cap, size_t *used, uint64_t key, int64_t delta)
{
	if (full_past(*used, *cap)) {
		size_t ncap = pow2_for(*used + 1);
		struct cu__rslot *nt = calloc(ncap, sizeof *nt);
		if (!nt)
			return -1;
		for (size_t i = 0; i < *cap; i++)
			if ((*t)[i].key)
				*rc_find(nt, ncap, (*t)[i].key) = (*t)[i];
		free(*t);
		*t = nt;
		*cap = ncap;
	}
	struct cu__rslot *s = rc_find(*t, *cap, key);
	if (!s->key) {
		s->key = key;
		(*used)++;
	}
	s->count = (uint32_t)((int64_t)s->count + delta);
	return 0;
}

/* ---- entries by reference ---- */

/* A nonzero hash of (session, message.id). */
static uint64_t replay_key(const cu__entry *e, const cu__file *files)
{
	return (e->msg_hash ^ (files[e->file].session_key * UINT64_C(0x9e3779b97f4a7c15))) | 1;
}

static cu__entry *at(const cu__store *st, uint32_t file, uint32_t idx)
{
	cu__fstate *f = &st->v[file];
	return idx == CU__TAIL_IDX ? &f->tail : &f->e[idx];
}

static uint32_t idx_of(const cu__store *st, const cu__entry *e)
{
	const cu__fstate *f = &st->v[e->file];
	return e == &f->tail ? CU__TAIL_IDX : (uint32_t)(e - f->e);
}

/* (time, file, line) order. */
static int before(const cu__entry *x, const cu__entry *y)
{
	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms;
	return x->file != y->file ? x->file < y->file : x->line < y->line;
}

static int win_reserve(cu__dedup_state *ds, size_t n)
{
	if (n <= ds->cap)
		return 0;
	size_t cap = ds->cap ? ds->cap : 1024;
	while (cap < n)
		cap *= 2;
	cu__kept *w = realloc(ds->win, cap * sizeof *w);
	if (!w)
		return -1;
	ds->win = w;
	ds->cap = cap;
	return 0;
}

/* ---- the full run ---- */

/* The store's entries in (file, index) order, the tail of a file last. */
typedef struct cursor {
	const cu__store *st;
	size_t file, k;
} cursor;

static cu__entry *cursor_next(cursor *c)
{
	while (c->file < c->st->n) {
		cu__fstate *f = &c->st->v[c->file];
		size_t k = c->k++;
		if (k < f->n)
			return &f->e[k];
		if (k == f->n && f->tail_state == CU__TAIL_ENTRY)
			return &f->tail;
		c->file++;
		c->k = 0;
	}
	return NULL;
}

/*
 * A full run in pieces. The pick is cut by key part: a piece fills the
 * tables of its part and counts its sidechain copies picked in a table of
 * its own (merged after). Collecting and sorting are cut by ranges of files.
 * A piece alone does everything; pieces at once give the same result, as
 * the pick is a maximum under a total order and the ranges are put back in
 * file order.
 */
#define ALL_PARTS UINT32_MAX

typedef struct piece {
	cu__dedup_state *ds;
	cu__store *st;
	const cu__file *files;
	uint32_t part;          /* the key part it picks, or ALL_PARTS */
	struct cu__rslot *ss;   /* replay key -> its sidechain copies picked */
	size_t scap, sn;
	size_t sides;           /* how many sidechain copies it picked */
	size_t f0, f1;          /* the files it collects */
	size_t base, k;         /* where in ds->win its entries go, how many */
	cu__kept *tmp, *sorted; /* its range sorted by time (sorted: in tmp) */
	int shared;             /* other pieces mark ds->ss at the same time */
	int rc;
} piece;

static int mine(const piece *pc, const uint64_t key[2])
{
	return pc->part == ALL_PARTS || part_of(key) == pc->part;
}

/* Count a sidechain copy picked (+1) or no longer picked (-1) under its replay key. */
static int side_count(piece *pc, const cu__entry *x, int delta)
{
	if (!(x->flags & CU__E_SIDECHAIN))
		return 0;
	return rc_add(&pc->ss, &pc->scap, &pc->sn, replay_key(x, pc->files), delta);
}

/* Pick one copy per key of the piece's part (marked KEEP). */
static int pick(piece *pc)
{
	cu__dedup_state *ds = pc->ds;
	const cu__store *st = pc->st;
	size_t n = 0;
	for (uint32_t i = 0; i < CU__DEDUP_PARTS; i++)
		if (pc->part == ALL_PARTS || pc->part == i)
			gtab_empty(&ds->gt[i]);
	cursor c = { st, 0, 0 }, ahead = { st, 0, 0 };
	/* The tables are far larger than a cache: ask early for a later key's slot. */
	for (int i = 0; i < 16; i++)
		cursor_next(&ahead);
	for (cu__entry *x; (x = cursor_next(&c)) != NULL;) {
		const cu__entry *y = cursor_next(&ahead);
		if (y && mine(pc, y->key)) {
			const cu__gtab *gy = &ds->gt[part_of(y->key)];
			__builtin_prefetch(&gy->v[(size_t)y->key[0] & (gy->cap - 1)]);
		}
		/* Entries without a message.id have a zero key: part 0 keeps them. */
		if (!mine(pc, x->key))
			continue;
		x->flags |= KEEP;
		if (!(x->flags & CU__E_HAS_MSG_ID))
			continue;
		cu__gtab *g = &ds->gt[part_of(x->key)];
		if (gt_reserve(g) != 0)
			return -1;
		struct cu__gslot *s = gt_find(g, x->key);
		if (s->uid == UINT32_MAX) {
			*s = (struct cu__gslot){ x->key[0], x->key[1], x->file, idx_of(st, x) };
			g->n++;
			n += (x->flags & CU__E_SIDECHAIN) != 0;
			if (side_count(pc, x, 1) != 0)
				return -1;
			continue;
		}
		cu__entry *o = at(st, s->uid, s->idx);
		if (cu__dedup_better(x, o)) {
			o->flags &= ~KEEP;
			n += ((x->flags & CU__E_SIDECHAIN) != 0) - ((o->flags & CU__E_SIDECHAIN) != 0);
			if (side_count(pc, o, -1) != 0 || side_count(pc, x, 1) != 0)
				return -1;
			s->uid = x->file;
			s->idx = idx_of(st, x);
		} else {
			x->flags &= ~KEEP;
		}
	}
	pc->sides = n;
	return 0;
}

/* The sidechain counts of every piece, summed into ds->ss. */
static int merge_side_counts(cu__dedup_state *ds, piece *pcs, uint32_t np)
{
	int rc = 0;
	for (uint32_t i = 1; i < np; i++)
		for (size_t j = 0; j < pcs[i].scap && rc == 0; j++)
			if (pcs[i].ss[j].key && pcs[i].ss[j].count)
				rc = rc_add(&pcs[0].ss, &pcs[0].scap, &pcs[0].sn, pcs[i].ss[j].key,
				            pcs[i].ss[j].count);
	for (uint32_t i = 1; i < np; i++)
		free(pcs[i].ss);
	ds->ss = pcs[0].ss;
	ds->scap = pcs[0].scap;
	ds->sn = pcs[0].sn;
	return rc;
}

static int cmp_line(const void *a, const void *b, void *arg)
{
	const cu__kept *x = a, *y = b;
	const cu__store *st = arg;
	uint32_t lx = at(st, x->uid, x->idx)->line, ly = at(st, y->uid, y->idx)->line;
	return (lx > ly) - (lx < ly);
}

/*
 * Sort w[0..n), given in (file, line) order, by time: a stable radix sort,
 * 12 bits a pass over the span of times present (3 passes cover 2 years of
 * ms), between w and tmp (n each). Returns the one holding the result, or
 * NULL when out of memory.
 */
static cu__kept *radix_by_time(cu__kept *w, cu__kept *tmp, size_t n)
{
	enum { BITS = 12, BUCKETS = 1 << BITS };
	size_t *count = malloc(BUCKETS * sizeof *count);
	if (!count)
		return NULL;
	int64_t lo = w[0].ts, hi = lo;
	for (size_t i = 1; i < n; i++) {
		lo = w[i].ts < lo ? w[i].ts : lo;
		hi = w[i].ts > hi ? w[i].ts : hi;
	}
	uint64_t span = (uint64_t)hi - (uint64_t)lo;
	cu__kept *from = w, *to = tmp;
	for (unsigned shift = 0; shift < 64 && (span >> shift) != 0; shift += BITS) {
		memset(count, 0, BUCKETS * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(((uint64_t)from[i].ts - (uint64_t)lo) >> shift) & (BUCKETS - 1)]++;
		size_t pos = 0;
		for (size_t b = 0; b < BUCKETS; b++) {
			size_t c = count[b];
			count[b] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[(((uint64_t)from[i].ts - (uint64_t)lo) >> shift) & (BUCKETS - 1)]++] =
				from[i];
		cu__kept *t = from;
		from = to;
		to = t;
	}
	free(count);
	return from;
}

/* A sidechain copy picked, at pos in ds->win: dropped if it is a replay. */
typedef struct side_at {
	size_t pos;
	uint64_t rk;
} side_at;

typedef struct collect_lists {
	side_at *side;      /* as many as the sidechain copies picked */
	size_t nside;
	uint32_t *unsorted; /* files whose entries picked are out of line order */
	size_t nunsorted;
} collect_lists;

/* Drop the sidechain copies whose replay key a main-chain copy picked shares. */
static size_t drop_replays(cu__dedup_state *ds, const collect_lists *l, size_t n)
{
	size_t k = 0, s = 0;
	for (size_t i = 0; i < n; i++) {
		if (s < l->nside && l->side[s].pos == i &&
		    rc_find(ds->ss, ds->scap, l->side[s++].rk)->count >> 31)
			continue;
		ds->win[k++] = ds->win[i];
	}
	for (size_t i = 0; i < ds->scap; i++)
		ds->ss[i].count &= ~(1u << 31);
	return k;
}

/* The first of ds->win[0..n) from file uid on. */
static size_t first_of_file(const cu__dedup_state *ds, size_t n, size_t uid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ds->win[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Put a file's kept entries, found by its uid in ds->win[0..n), in line order. */
static void sort_lines(cu__dedup_state *ds, cu__store *st, uint32_t uid, size_t n)
{
	size_t lo = first_of_file(ds, n, uid), end = lo;
	while (end < n && ds->win[end].uid == uid)
		end++;
	qsort_r(ds->win + lo, end - lo, sizeof *ds->win, cmp_line, st);
}

/*
 * Into ds->win from pc->base, the entries of the piece's files still marked
 * KEEP, in (file, line) order; clears the marks, and the scan's too. With
 * sidechain copies picked (sides), those are listed in l->side, and a
 * replay key shared by a main-chain copy picked is marked (bit 31 of its
 * count in ds->ss) for drop_replays.
 */
static void collect(piece *pc, size_t sides, collect_lists *l)
{
	cu__dedup_state *ds = pc->ds;
	cu__kept *out = ds->win + pc->base;
	size_t k = 0;
	for (size_t i = pc->f0; i < pc->f1; i++) {
		cu__fstate *f = &pc->st->v[i];
		size_t first = k, m = cu__fstate_entries(f);
		int in_order = 1;
		uint32_t line = 0;
		for (size_t j = 0; j < m; j++) {
			cu__entry *x = j < f->n ? &f->e[j] : &f->tail;
			uint32_t keep = x->flags & KEEP;
			x->flags &= ~(KEEP | CU__E_CHANGED);
			if (!keep)
				continue;
			if (sides && (x->flags & SIDE_ID) == SIDE_ID && l->nside < sides) {
				l->side[l->nside++] = (side_at){ k, replay_key(x, pc->files) };
			} else if (sides && (x->flags & SIDE_ID) == CU__E_HAS_MSG_ID) {
				struct cu__rslot *s = rc_find(ds->ss, ds->scap, replay_key(x, pc->files));
				if (s->key && pc->shared)
					__atomic_fetch_or(&s->count, 1u << 31, __ATOMIC_RELAXED);
				else if (s->key)
					s->count |= 1u << 31;
			}
			in_order &= k == first || line < x->line;
			line = x->line;
			out[k++] = (cu__kept){ x->ts_ms, (uint32_t)i, j < f->n ? (uint32_t)j : CU__TAIL_IDX };
		}
		if (!in_order)
			l->unsorted[l->nunsorted++] = (uint32_t)i;
	}
	pc->k = k;
}

/* The pieces' jobs, for cu__par_run. */
typedef struct run {
	piece *pcs;
	collect_lists *lists;
	size_t sides;
} run;

static void pick_piece(void *arg, uint32_t i)
{
	piece *pc = &((run *)arg)->pcs[i];
	pc->rc = pick(pc);
}

static void collect_piece(void *arg, uint32_t i)
{
	run *r = arg;
	collect(&r->pcs[i], r->sides, &r->lists[i]);
}

/* Sort the piece's range by time into a buffer of its own (pc->sorted). */
static void sort_piece(void *arg, uint32_t i)
{
	piece *pc = &((run *)arg)->pcs[i];
	cu__kept *w = pc->ds->win + pc->base;
	pc->tmp = malloc((pc->k + 1) * sizeof *pc->tmp);
	pc->sorted = pc->tmp && pc->k > 1 ? radix_by_time(w, pc->tmp, pc->k) : pc->tmp;
	if (pc->sorted == w)
		pc->sorted = memcpy(pc->tmp, w, pc->k * sizeof *w);
	else if (pc->sorted && pc->k == 1)
		pc->tmp[0] = w[0];
	pc->rc = pc->sorted ? 0 : -1;
}

/*
 * Into ds->win, the entries picked, less the sidechain replays, in (file,
 * line) order. Each piece collects a range of files holding about its share
 * of the entries; the ranges are then put end to end.
 */
static int collect_all(cu__dedup_state *ds, run *r, uint32_t np, size_t total, size_t *kept)
{
	piece *pcs = r->pcs;
	cu__store *st = pcs[0].st;
	collect_lists lists[CU__DEDUP_PARTS];
	memset(lists, 0, sizeof lists);
	r->lists = lists;
	int rc = 0;
	size_t bound[CU__DEDUP_PARTS + 1], first[CU__DEDUP_PARTS];
	cu__store_split(st, total, np, bound, first);
	for (uint32_t i = 0; i < np; i++) {
		pcs[i].f0 = bound[i];
		pcs[i].f1 = bound[i + 1];
		pcs[i].base = first[i];
		pcs[i].shared = np > 1;
		lists[i].side = malloc((r->sides + 1) * sizeof *lists[i].side);
		lists[i].unsorted = malloc((st->n + 1) * sizeof *lists[i].unsorted);
		if (!lists[i].side || !lists[i].unsorted)
			rc = -1;
	}
	size_t k = 0;
	if (rc == 0) {
		cu__par_run(np, collect_piece, r);
		collect_lists *l = &lists[0];
		k = pcs[0].k;
		for (uint32_t i = 1; i < np; i++) {
			memmove(ds->win + k, ds->win + pcs[i].base, pcs[i].k * sizeof *ds->win);
			for (size_t j = 0; j < lists[i].nside; j++)
				l->side[l->nside++] = (side_at){ lists[i].side[j].pos + k, lists[i].side[j].rk };
			for (size_t j = 0; j < lists[i].nunsorted; j++)
				l->unsorted[l->nunsorted++] = lists[i].unsorted[j];
			k += pcs[i].k;
		}
		if (l->nside)
			k = drop_replays(ds, l, k);
		/* Out of line order: a copy improved in place (rare). */
		for (size_t i = 0; i < l->nunsorted; i++)
			sort_lines(ds, st, l->unsorted[i], k);
	}
	for (uint32_t i = 0; i < np; i++) {
		free(lists[i].side);
		free(lists[i].unsorted);
	}
	*kept = k;
	return rc;
}

/*
 * Sort ds->win[0..n), in (file, line) order, by time: each piece its range
 * of files, then the ranges merged back (on equal times the earlier file
 * first). One piece sorts it all.
 */
static int sort_all(cu__dedup_state *ds, run *r, uint32_t np, size_t n)
{
	piece *pcs = r->pcs;
	if (n < 2)
		return 0;
	pcs[0].base = 0;
	pcs[0].k = np > 1 ? first_of_file(ds, n, pcs[1].f0) : n;
	if (np > 1) {
		pcs[1].base = pcs[0].k;
		pcs[1].k = n - pcs[0].k;
	}
	cu__par_run(np, sort_piece, r);
	int rc = 0;
	for (uint32_t i = 0; i < np; i++)
		rc |= pcs[i].rc;
	if (rc == 0) {
		const cu__kept *a = pcs[0].sorted, *b = np > 1 ? pcs[1].sorted : NULL;
		size_t na = pcs[0].k, nb = np > 1 ? pcs[1].k : 0, i = 0, j = 0, o = 0;
		while (i < na && j < nb)
			ds->win[o++] = b[j].ts < a[i].ts ? b[j++] : a[i++];
		while (i < na)
			ds->win[o++] = a[i++];
		while (j < nb)
			ds->win[o++] = b[j++];
	}
	for (uint32_t i = 0; i < np; i++)
		free(pcs[i].tmp);
	return rc;
}

/* Entries a piece must have to be worth a thread of its own. */
#define PIECE_MIN 16384

static int full_run(cu__dedup_state *ds, cu__store *st, const cu__file *files)
{
	ds->valid = ds->tables = 0;
	free(ds->rs);
	ds->rs = NULL;
	ds->rcap = ds->rn = 0;
	free(ds->ss);
	ds->ss = NULL;
	ds->scap = ds->sn = 0;
	/* Every file's uid becomes its index: the references stay small. */
	for (size_t i = 0; i < st->n; i++)
		st->v[i].uid = (uint32_t)i;
	st->next_uid = (uint32_t)st->n;

	size_t total = cu__store_entry_count(st);
	if (gt_init(ds, total) != 0 || win_reserve(ds, total + 1) != 0)
		return -1;
	uint32_t np = cu__par_pieces(ds->threads, total, PIECE_MIN);
	if (np > CU__DEDUP_PARTS)
		np = CU__DEDUP_PARTS;
	piece pcs[CU__DEDUP_PARTS];
	memset(pcs, 0, sizeof pcs);
	for (uint32_t i = 0; i < np; i++)
		pcs[i] = (piece){ .ds = ds, .st = st, .files = files, .part = np > 1 ? i : ALL_PARTS };
	run r = { pcs, NULL, 0 };
	cu__par_run(np, pick_piece, &r);
	int rc = 0;
	for (uint32_t i = 0; i < np; i++) {
		rc |= pcs[i].rc;
		r.sides += pcs[i].sides;
	}
	if (merge_side_counts(ds, pcs, np) != 0 || rc != 0)
		return -1;
	size_t k = 0;
	if (collect_all(ds, &r, np, total, &k) != 0 || sort_all(ds, &r, np, k) != 0)
		return -1;
	ds->n = k;
	ds->valid = ds->tables = 1;
	ds->full_runs++;
	return 0;
}

/* ---- the incremental run ---- */

/* A kept entry as one nonzero 64-bit word, for the table of those to drop. */
static uint64_t handle(uint32_t uid, uint32_t idx)
{
	return ((uint64_t)uid << 32 | idx) + 1;
}

typedef struct delta {
	cu__dedup_state *ds;
	cu__store *st;
	const cu__file *files;
	const uint32_t *map;     /* uid -> index in the store */
	struct cu__rslot *gone;  /* handles of old kept entries to drop */
	size_t gcap, gn;
	cu__kept *add;           /* candidates to keep */
	size_t nadd, addcap;
	int rs_built;
} delta;

enum { DONE = 0, FULL = 1, NOMEM = -1 };

static int gone_put(delta *d, uint64_t h)
{
	return rc_add(&d->gone, &d->gcap, &d->gn, h, 1) == 0 ? DONE : NOMEM;
}

static int is_gone(const delta *d, uint64_t h)
{
	return rc_count(d->gone, d->gcap, h) != 0;
}

static int add_put(delta *d, const cu__entry *e, uint32_t uid, uint32_t idx)
{
	if (d->nadd == d->addcap) {
		size_t cap = d->addcap ? d->addcap * 2 : 256;
		cu__kept *v = realloc(d->add, cap * sizeof *v);
		if (!v)
			return NOMEM;
		d->add = v;
		d->addcap = cap;
	}
	d->add[d->nadd++] = (cu__kept){ e->ts_ms, uid, idx };
	return DONE;
}

static cu__entry *entry_of(const delta *d, cu__kept k)
{
	return at(d->st, d->map[k.uid], k.idx);
}

/* The main-chain replay keys of the kept entries, when first needed. */
static int build_rs(delta *d)
{
	cu__dedup_state *ds = d->ds;
	for (size_t i = 0; i < ds->n; i++) {
		const cu__entry *e = entry_of(d, ds->win[i]);
		if ((e->flags & SIDE_ID) == CU__E_HAS_MSG_ID &&
		    rc_add(&ds->rs, &ds->rcap, &ds->rn, replay_key(e, d->files), 1) != 0)
			return NOMEM;
	}
	d->rs_built = 1;
	return DONE;
}

/*
 * A main-chain copy picked or unpicked: its replay key's count changes. If
 * sidechain copies share the key, which of them are replays may change
 * too: that is left to a full run.
 */
static int main_count(delta *d, const cu__entry *e, int delta_)
{
	cu__dedup_state *ds = d->ds;
	uint64_t rk = replay_key(e, d->files);
	if (rc_count(ds->ss, ds->scap, rk))
		return FULL;
	if (d->rs_built && rc_add(&ds->rs, &ds->rcap, &ds->rn, rk, delta_) != 0)
		return NOMEM;
	return DONE;
}

/* One new or improved entry x, stored at (uid, idx). */
static int consider(delta *d, cu__entry *x, uint32_t uid, uint32_t idx)
{
	cu__dedup_state *ds = d->ds;
	if (!(x->flags & CU__E_HAS_MSG_ID))
		return add_put(d, x, uid, idx);
	int side = (x->flags & CU__E_SIDECHAIN) != 0;
	cu__gtab *g = &ds->gt[part_of(x->key)];
	if (gt_reserve(g) != 0)
		return NOMEM;
	struct cu__gslot *s = gt_find(g, x->key);
	if (s->uid == UINT32_MAX) {
		/* A new key. */
		*s = (struct cu__gslot){ x->key[0], x->key[1], uid, idx };
		g->n++;
		if (!side) {
			int rc = main_count(d, x, 1);
			return rc != DONE ? rc : add_put(d, x, uid, idx);
		}
		uint64_t rk = replay_key(x, d->files);
		if (rc_add(&ds->ss, &ds->scap, &ds->sn, rk, 1) != 0)
			return NOMEM;
		return rc_count(ds->rs, ds->rcap, rk) ? DONE : add_put(d, x, uid, idx);
	}
	if (s->uid == uid && s->idx == idx) {
		/* The copy kept, improved in place: it moves in time. */
		if (side && rc_count(ds->rs, ds->rcap, replay_key(x, d->files)))
			return DONE; /* a replay before and after */
		if (gone_put(d, handle(uid, idx)) != DONE)
			return NOMEM;
		return add_put(d, x, uid, idx);
	}
	cu__entry *o = at(d->st, d->map[s->uid], s->idx);
	if (!cu__dedup_better(x, o))
		return DONE;
	/* x takes the place of o. */
	if (side || (o->flags & CU__E_SIDECHAIN))
		return FULL;
	if (d->files[x->file].session_key != d->files[o->file].session_key) {
		int rc = main_count(d, o, -1);
		if (rc == DONE)
			rc = main_count(d, x, 1);
		if (rc != DONE)
			return rc;
	}
	if (gone_put(d, handle(s->uid, s->idx)) != DONE)
		return NOMEM;
	s->uid = uid;
	s->idx = idx;
	return add_put(d, x, uid, idx);
}

/* Is the candidate still the copy picked, and kept? */
static int still_kept(const delta *d, const cu__kept *k, const cu__entry *x)
{
	if (!(x->flags & CU__E_HAS_MSG_ID))
		return 1;
	const struct cu__gslot *s = gt_slot(d->ds, x->key);
	return s->uid == k->uid && s->idx == k->idx;
}

static int kept_before(const delta *d, const cu__kept *a, const cu__kept *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	return before(entry_of(d, *a), entry_of(d, *b));
}

/* A candidate with its place, for sorting. */
typedef struct placed {
	int64_t ts;
	uint32_t file, line;
	cu__kept k;
} placed;

static int cmp_placed(const void *a, const void *b)
{
	const placed *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Drop the gone, merge in the added. */
static int merge(delta *d)
{
	cu__dedup_state *ds = d->ds;
	placed *p = malloc((d->nadd + 1) * sizeof *p);
	if (!p)
		return NOMEM;
	size_t k = 0;
	for (size_t i = 0; i < d->nadd; i++) {
		const cu__entry *x = entry_of(d, d->add[i]);
		if (still_kept(d, &d->add[i], x))
			p[k++] = (placed){ x->ts_ms, x->file, x->line, d->add[i] };
	}
	qsort(p, k, sizeof *p, cmp_placed);
	for (size_t i = 0; i < k; i++)
		d->add[i] = p[i].k;
	d->nadd = k;
	free(p);
	size_t n = 0;
	for (size_t i = 0; i < ds->n; i++)
		if (!is_gone(d, handle(ds->win[i].uid, ds->win[i].idx)))
			ds->win[n++] = ds->win[i];
	if (win_reserve(ds, n + d->nadd) != 0)
		return NOMEM;
	/* Merge from the back, in place. */
	size_t i = n, j = d->nadd, out = n + d->nadd;
	while (j > 0) {
		if (i > 0 && kept_before(d, &d->add[j - 1], &ds->win[i - 1]))
			ds->win[--out] = ds->win[--i];
		else
			ds->win[--out] = d->add[--j];
	}
	ds->n = n + d->nadd;
	return DONE;
}

static int can_carry_on(const cu__dedup_state *ds, const cu__store *st)
{
	if (!ds->valid || !ds->tables)
		return 0;
	for (size_t i = 0; i < st->n; i++) {
		const cu__fstate *f = &st->v[i];
		if (f->dirty && (f->reset || f->side_flip))
			return 0;
	}
	return 1;
}

static int incremental_run(cu__dedup_state *ds, cu__store *st, const cu__file *files,
                           const uint32_t *map)
{
	delta d = { ds, st, files, map, NULL, 0, 0, NULL, 0, 0, ds->rs != NULL };
	int rc = DONE;
	/* Whether a sidechain copy is a replay needs the main chain's replay keys. */
	for (size_t i = 0; i < st->n && !d.rs_built && rc == DONE; i++) {
		const cu__fstate *f = &st->v[i];
		int side = f->dirty && f->tail_state == CU__TAIL_ENTRY &&
		           (f->tail.flags & SIDE_ID) == SIDE_ID;
		for (size_t k = f->dirty ? f->prev_n : f->n; k < f->n && !side; k++)
			side = (f->e[k].flags & SIDE_ID) == SIDE_ID;
		for (size_t k = 0; f->dirty && k < f->prev_n && !side; k++)
			side = (f->e[k].flags & (SIDE_ID | CU__E_CHANGED)) == (SIDE_ID | CU__E_CHANGED);
		if (side)
			rc = build_rs(&d);
	}
	for (size_t i = 0; i < st->n && rc == DONE; i++) {
		cu__fstate *f = &st->v[i];
		if (!f->dirty)
			continue;
		for (size_t k = 0; k < f->n && rc == DONE; k++)
			if (k >= f->prev_n || (f->e[k].flags & CU__E_CHANGED))
				rc = consider(&d, &f->e[k], f->uid, (uint32_t)k);
		if (rc == DONE && f->tail_state == CU__TAIL_ENTRY)
			rc = consider(&d, &f->tail, f->uid, CU__TAIL_IDX);
	}
	if (rc == DONE)
		rc = merge(&d);
	free(d.gone);
	free(d.add);
	if (rc == DONE)
		ds->incremental_runs++;
	else
		ds->valid = ds->tables = 0; /* the tables are half-updated */
	return rc;
}

/* ---- the stage ---- */

int cu__dedup_store(cu__dedup_state *ds, cu__store *st, const cu__file *files, int full,
                    cu__entry ***entries, size_t *n)
{
	*entries = NULL;
	*n = 0;
	/*
	 * Every entry learns its file's current index: the entries of a file
	 * not read share one, those of a file read may mix old and new.
	 */
	int any_dirty = 0, ran_full = 0;
	size_t nuid = st->next_uid > st->n ? st->next_uid : st->n; /* a full run renumbers to n */
	for (size_t i = 0; i < st->n; i++) {
		cu__fstate *f = &st->v[i];
		any_dirty |= f->dirty;
		/* This load's scan wrote the index into the entries it made. */
		size_t old = f->dirty ? (f->prev_n < f->n ? f->prev_n : f->n) : f->n;
		if (old && (f->dirty || f->e[0].file != i))
			for (size_t k = 0; k < old; k++)
				f->e[k].file = (uint32_t)i;
		f->tail.file = (uint32_t)i;
		if (f->uid >= nuid)
			nuid = (size_t)f->uid + 1;
	}
	uint32_t *map = malloc((nuid + 1) * sizeof *map);
	int rc = map ? DONE : NOMEM;
	if (rc == DONE) {
		for (size_t i = 0; i < st->n; i++)
			map[st->v[i].uid] = (uint32_t)i;
		if (!full && ds->valid && !any_dirty)
			; /* nothing changed: the last result stands */
		else if (!full && can_carry_on(ds, st) &&
		         (rc = incremental_run(ds, st, files, map)) != FULL)
			; /* done, or out of memory */
		else {
			ran_full = 1;
			rc = full_run(ds, st, files) == 0 ? DONE : NOMEM;
		}
		if (rc == DONE)
			for (size_t i = 0; i < st->n; i++)
				map[st->v[i].uid] = (uint32_t)i; /* a full run renumbers */
	}
	for (size_t i = 0; i < st->n; i++) {
		cu__fstate *f = &st->v[i];
		if (!f->dirty)
			continue;
		/* The scan's marks; a full run cleared them as it went. */
		if (!ran_full || rc != DONE)
			for (size_t k = 0; k < f->n; k++)
				f->e[k].flags &= ~(uint32_t)CU__E_CHANGED;
		f->dirty = f->reset = f->side_flip = 0;
		f->prev_n = f->n;
	}
	cu__entry **v = rc == DONE ? malloc((ds->n + 1) * sizeof *v) : NULL;
	if (!v) {
		free(map);
		cu__dedup_state_clear(ds);
		return -1;
	}
	for (size_t i = 0; i < ds->n; i++)
		v[i] = at(st, map[ds->win[i].uid], ds->win[i].idx);
	free(map);
	*entries = v;
	*n = ds->n;
	return 0;
}

int cu__dedup_adopt(cu__dedup_state *ds, const cu__store *st, cu__kept *win, size_t n)
{
	cu__dedup_state_clear(ds);
	ds->win = win;
	ds->n = ds->cap = n;
	/* Each reference in range and used once (a bit per entry), in time order. */
	size_t *base = malloc((st->n + 1) * sizeof *base);
	int ok = base != NULL;
	size_t bits = 0;
	for (size_t i = 0; ok && i < st->n; i++) {
		base[i] = bits;
		bits += st->v[i].n + 1;
	}
	uint64_t *used = ok ? calloc(bits / 64 + 1, sizeof *used) : NULL;
	ok = used != NULL;
	for (size_t i = 0; i < n && ok; i++) {
		const cu__kept *k = &win[i];
		const cu__fstate *f = k->uid < st->n ? &st->v[k->uid] : NULL;
		ok = f && (k->idx == CU__TAIL_IDX ? f->tail_state == CU__TAIL_ENTRY : k->idx < f->n) &&
		     (i == 0 || win[i - 1].ts <= k->ts);
		if (!ok)
			break;
		size_t b = base[k->uid] + (k->idx == CU__TAIL_IDX ? f->n : k->idx);
		ok = !(used[b / 64] >> (b % 64) & 1);
		used[b / 64] |= UINT64_C(1) << (b % 64);
	}
	free(base);
	free(used);
	if (!ok) {
		cu__dedup_state_clear(ds);
		return -1;
	}
	ds->valid = 1;
	return 0;
}

void cu__dedup_state_clear(cu__dedup_state *ds)
{
	free(ds->win);
	for (unsigned i = 0; i < CU__DEDUP_PARTS; i++)
		free(ds->gt[i].v);
	free(ds->rs);
	free(ds->ss);
	uint64_t f = ds->full_runs, inc = ds->incremental_runs;
	uint32_t threads = ds->threads;
	memset(ds, 0, sizeof *ds);
	ds->full_runs = f;
	ds->incremental_runs = inc;
	ds->threads = threads;
}
