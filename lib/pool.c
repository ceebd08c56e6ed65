/*
 * pool.c - string interning with an open-addressing table of ids.
 */
#include "pool-private.h"
#include "hash-private.h"

#include <stdlib.h>
#include <string.h>

void cu__pool_init(cu__pool *p)
{
	memset(p, 0, sizeof *p);
}

void cu__pool_clear(cu__pool *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->str[i]);
	free(p->str);
	free(p->slots);
	cu__pool_init(p);
}

static size_t slot_of(const cu__pool *p, const char *s, size_t n, int *found)
{
	size_t mask = p->nslots - 1;
	size_t i = (size_t)cu__hash64(s, n, 0) & mask;
	for (;;) {
		uint32_t v = p->slots[i];
		if (v == 0) {
			*found = 0;
			return i;
		}
		const char *t = p->str[v - 1];
		if (strncmp(t, s, n) == 0 && t[n] == '\0') {
			*found = 1;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static int grow(cu__pool *p)
{
	size_t n = p->nslots ? p->nslots * 2 : 64;
	uint32_t *slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	free(p->slots);
	p->slots = slots;
	p->nslots = n;
	for (size_t id = 0; id < p->count; id++) {
		int found;
		size_t i = slot_of(p, p->str[id], strlen(p->str[id]), &found);
		p->slots[i] = (uint32_t)id + 1;
	}
	return 0;
}

/* Stored strings are C strings: an embedded NUL ends the name. */
static size_t c_len(const char *s, size_t n)
{
	const char *z = memchr(s, '\0', n);
	return z ? (size_t)(z - s) : n;
}

uint32_t cu__pool_find(const cu__pool *p, const char *s, size_t n)
{
	n = c_len(s, n);
	if (!p->nslots)
		return UINT32_MAX;
	int found;
	size_t i = slot_of(p, s, n, &found);
	return found ? p->slots[i] - 1 : UINT32_MAX;
}

uint32_t cu__pool_intern(cu__pool *p, const char *s, size_t n)
{
	n = c_len(s, n);
	uint32_t id = cu__pool_find(p, s, n);
	if (id != UINT32_MAX)
		return id;
	if ((p->count + 1) * 2 > p->nslots && grow(p) != 0)
		return UINT32_MAX;
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char **str = realloc(p->str, cap * sizeof *str);
		if (!str)
			return UINT32_MAX;
		p->str = str;
		p->cap = cap;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return UINT32_MAX;
	memcpy(copy, s, n);
	copy[n] = '\0';
	int found;
	size_t i = slot_of(p, s, n, &found);
	p->str[p->count] = copy;
	p->slots[i] = (uint32_t)p->count + 1;
	return (uint32_t)p->count++;
}
