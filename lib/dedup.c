/*
 * dedup.c - the dedup stage.
 *
 * Claude Code writes one line per content block while streaming, each with
 * the usage known so far, and resumed sessions and VM or backup copies
 * repeat whole files. Of the copies of a message.id:requestId key we keep
 * the most complete one (most tokens); keeping the first copy instead
 * undercounts output tokens by about a quarter.
 */
#include "dedup-private.h"
#include "hash-private.h"

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

static size_t table_size(size_t n)
{
	size_t s = 64;
	while (s < n * 2)
		s <<= 1;
	return s;
}

/* Mark the losers of each key by clearing their flags' bit 31. */
#define KEEP (1u << 31)

static int pick_best(cu__entry **e, size_t n)
{
	size_t size = table_size(n), mask = size - 1;
	uint32_t *slot = calloc(size, sizeof *slot); /* index + 1, 0 = empty */
	if (!slot)
		return -1;
	for (size_t i = 0; i < n; i++) {
		e[i]->flags |= KEEP;
		if (!(e[i]->flags & CU__E_HAS_MSG_ID))
			continue;
		size_t h = (size_t)e[i]->key[0] & mask;
		for (;;) {
			uint32_t s = slot[h];
			if (s == 0) {
				slot[h] = (uint32_t)i + 1;
				break;
			}
			cu__entry *o = e[s - 1];
			if (o->key[0] == e[i]->key[0] && o->key[1] == e[i]->key[1]) {
				if (cu__dedup_better(e[i], o)) {
					o->flags &= ~KEEP;
					slot[h] = (uint32_t)i + 1;
				} else {
					e[i]->flags &= ~KEEP;
				}
				break;
			}
			h = (h + 1) & mask;
		}
	}
	free(slot);
	return 0;
}

/* A nonzero hash of (session, message.id). */
static uint64_t replay_key(const cu__entry *e, const cu__file *files)
{
	return (e->msg_hash ^ ((uint64_t)files[e->file].session * UINT64_C(0x9e3779b97f4a7c15))) | 1;
}

/* The slot holding k, or the empty slot where it would go. */
static size_t probe(const uint64_t *set, size_t mask, uint64_t k)
{
	size_t h = (size_t)(k >> 7) & mask;
	while (set[h] && set[h] != k)
		h = (h + 1) & mask;
	return h;
}

/* Drop sidechain replays of a kept main-chain message of the same session. */
static int drop_replays(cu__entry **e, size_t n, const cu__file *files)
{
	const uint32_t side = KEEP | CU__E_HAS_MSG_ID | CU__E_SIDECHAIN;
	size_t size = table_size(n), mask = size - 1;
	uint64_t *set = calloc(size, sizeof *set); /* 0 = empty */
	if (!set)
		return -1;
	int any_side = 0;
	for (size_t i = 0; i < n; i++) {
		if ((e[i]->flags & side) == side)
			any_side = 1;
		else if ((e[i]->flags & side) == (KEEP | CU__E_HAS_MSG_ID)) {
			uint64_t k = replay_key(e[i], files);
			set[probe(set, mask, k)] = k;
		}
	}
	for (size_t i = 0; any_side && i < n; i++) {
		if ((e[i]->flags & side) != side)
			continue;
		uint64_t k = replay_key(e[i], files);
		if (set[probe(set, mask, k)] == k)
			e[i]->flags &= ~KEEP;
	}
	free(set);
	return 0;
}

static int before_in_file(const cu__entry *x, const cu__entry *y)
{
	return x->file != y->file ? x->file < y->file : x->line < y->line;
}

static int cmp_place(const void *a, const void *b)
{
	const cu__entry *x = *(cu__entry *const *)a, *y = *(cu__entry *const *)b;
	return before_in_file(x, y) ? -1 : before_in_file(y, x);
}

/*
 * Sort by (time, file, line): into (file, line) order first (the store
 * gives nearly that already), then a stable radix sort on the time, 11 bits
 * a pass over the span of times present.
 */
static int sort_by_time(cu__entry **e, size_t n)
{
	int sorted = 1;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = e[i - 1]->file <= e[i]->file;
	if (!sorted) {
		qsort(e, n, sizeof *e, cmp_place);
	} else {
		/* Files in order: only runs of one file may be out of line order. */
		for (size_t a = 0, b; a < n; a = b) {
			int in_order = 1;
			for (b = a + 1; b < n && e[b]->file == e[a]->file; b++)
				in_order &= e[b - 1]->line < e[b]->line;
			if (!in_order)
				qsort(e + a, b - a, sizeof *e, cmp_place);
		}
	}
	uint64_t *key = malloc(2 * n * sizeof *key);
	cu__entry **tmp = malloc(n * sizeof *tmp);
	if (!key || !tmp) {
		free(key);
		free(tmp);
		return -1;
	}
	int64_t lo = e[0]->ts_ms, hi = lo;
	for (size_t i = 1; i < n; i++) {
		lo = e[i]->ts_ms < lo ? e[i]->ts_ms : lo;
		hi = e[i]->ts_ms > hi ? e[i]->ts_ms : hi;
	}
	for (size_t i = 0; i < n; i++)
		key[i] = (uint64_t)e[i]->ts_ms - (uint64_t)lo;
	uint64_t span = (uint64_t)hi - (uint64_t)lo;
	uint64_t *ktmp = key + n;
	enum { BITS = 11, BUCKETS = 1 << BITS };
	size_t count[BUCKETS];
	for (unsigned shift = 0; shift < 64 && (span >> shift) != 0; shift += BITS) {
		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[(key[i] >> shift) & (BUCKETS - 1)]++;
		size_t at = 0;
		for (size_t b = 0; b < BUCKETS; b++) {
			size_t c = count[b];
			count[b] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++) {
			size_t to = count[(key[i] >> shift) & (BUCKETS - 1)]++;
			tmp[to] = e[i];
			ktmp[to] = key[i];
		}
		memcpy(e, tmp, n * sizeof *e);
		memcpy(key, ktmp, n * sizeof *key);
	}
	free(key);
	free(tmp);
	return 0;
}

size_t cu__dedup(cu__entry **e, size_t n, const cu__file *files)
{
	int rc = pick_best(e, n) != 0 || drop_replays(e, n, files) != 0 ? -1 : 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t keep = e[i]->flags & KEEP;
		e[i]->flags &= ~KEEP;
		if (keep && rc == 0)
			e[k++] = e[i];
	}
	if (rc != 0)
		return (size_t)-1;
	if (k > 1 && sort_by_time(e, k) != 0)
		return (size_t)-1;
	return k;
}
