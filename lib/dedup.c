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

/* The total order that picks the copy to keep: is a better than b? */
static int better(const cu__entry *a, const cu__entry *b)
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

static int pick_best(cu__entry *e, size_t n)
{
	size_t size = table_size(n), mask = size - 1;
	uint32_t *slot = calloc(size, sizeof *slot); /* index + 1, 0 = empty */
	if (!slot)
		return -1;
	for (size_t i = 0; i < n; i++) {
		e[i].flags |= KEEP;
		if (!(e[i].flags & CU__E_HAS_MSG_ID))
			continue;
		size_t h = (size_t)e[i].key[0] & mask;
		for (;;) {
			uint32_t s = slot[h];
			if (s == 0) {
				slot[h] = (uint32_t)i + 1;
				break;
			}
			cu__entry *o = &e[s - 1];
			if (o->key[0] == e[i].key[0] && o->key[1] == e[i].key[1]) {
				if (better(&e[i], o)) {
					o->flags &= ~KEEP;
					slot[h] = (uint32_t)i + 1;
				} else {
					e[i].flags &= ~KEEP;
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
static int drop_replays(cu__entry *e, size_t n, const cu__file *files)
{
	const uint32_t side = KEEP | CU__E_HAS_MSG_ID | CU__E_SIDECHAIN;
	size_t size = table_size(n), mask = size - 1;
	uint64_t *set = calloc(size, sizeof *set); /* 0 = empty */
	if (!set)
		return -1;
	int any_side = 0;
	for (size_t i = 0; i < n; i++) {
		if ((e[i].flags & side) == side)
			any_side = 1;
		else if ((e[i].flags & side) == (KEEP | CU__E_HAS_MSG_ID)) {
			uint64_t k = replay_key(&e[i], files);
			set[probe(set, mask, k)] = k;
		}
	}
	for (size_t i = 0; any_side && i < n; i++) {
		if ((e[i].flags & side) != side)
			continue;
		uint64_t k = replay_key(&e[i], files);
		if (set[probe(set, mask, k)] == k)
			e[i].flags &= ~KEEP;
	}
	free(set);
	return 0;
}

static int cmp_time(const void *a, const void *b)
{
	const cu__entry *x = a, *y = b;
	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return 0;
}

size_t cu__dedup(cu__entry *e, size_t n, const cu__file *files)
{
	if (pick_best(e, n) != 0 || drop_replays(e, n, files) != 0)
		return (size_t)-1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i].flags & KEEP) {
			e[k] = e[i];
			e[k++].flags &= ~KEEP;
		}
	}
	if (k > 1)
		qsort(e, k, sizeof *e, cmp_time);
	return k;
}
