/*
 * store.c - the per-file memory of a context: matching a new discovery
 * against what earlier loads read, and deciding what to read again.
 */
#include "store-private.h"
#include "fileio-private.h"

#include <stdlib.h>
#include <string.h>

void cu__fstate_reset(cu__fstate *f)
{
	if (f->cap)
		free(f->e);
	free(f->cwd);
	cu__diags_clear(&f->diags);
	f->e = NULL;
	f->cwd = NULL;
	f->n = f->cap = 0;
	f->offset = 0;
	f->edge = 0;
	f->lines = f->malformed = f->usage_lines = 0;
	f->tail_state = CU__TAIL_NONE;
	f->emitted = 0;
	f->read = 0;
}

int cu__fstate_grow(cu__fstate *f)
{
	if (f->n < f->cap)
		return 0;
	size_t cap = f->n > 32 ? f->n * 2 : 64;
	cu__entry *v;
	if (f->cap) {
		v = realloc(f->e, cap * sizeof *v);
	} else if ((v = malloc(cap * sizeof *v)) != NULL && f->n) {
		memcpy(v, f->e, f->n * sizeof *v); /* borrowed: copied out */
	}
	if (!v)
		return -1;
	f->e = v;
	f->cap = cap;
	return 0;
}

static void fstate_free(cu__fstate *f)
{
	cu__fstate_reset(f);
	free(f->path);
	free(f->error);
	f->path = NULL;
	f->error = NULL;
}

void cu__store_clear(cu__store *st)
{
	for (size_t i = 0; i < st->n; i++)
		fstate_free(&st->v[i]);
	free(st->v);
	cu__unmap(st->arena, st->arena_len);
	cu__pool_clear(&st->models);
	memset(st, 0, sizeof *st);
}

size_t cu__store_entry_count(const cu__store *st)
{
	size_t n = 0;
	for (size_t i = 0; i < st->n; i++)
		n += cu__fstate_entries(&st->v[i]);
	return n;
}

void cu__store_split(const cu__store *st, size_t total, uint32_t np, size_t *bound,
                     size_t *first)
{
	size_t f = 0, before = 0;
	for (uint32_t i = 0; i < np; i++) {
		bound[i] = f;
		if (first)
			first[i] = before;
		for (; f < st->n && (i + 1 == np || before < total / np * (i + 1)); f++)
			before += cu__fstate_entries(&st->v[f]);
	}
	bound[np] = st->n;
}

/* What a load must do with a file, given what the store knows of it. */
static int32_t plan_file(const cu__fstate *f, const cu__file *d, int64_t min_mtime_ms)
{
	if (!f->read)
		return d->mtime_ms < min_mtime_ms ? CU__READ_NONE : CU__READ_FULL;
	if (f->dev != d->dev || f->ino != d->ino || d->size < f->offset)
		return CU__READ_FULL;
	if (d->size == f->size)
		return d->mtime_ns == f->mtime_ns ? CU__READ_NONE : CU__READ_FULL; /* rewritten */
	/* Grown: the scan checks the bytes before the offset. */
	return CU__READ_APPEND;
}

int cu__store_plan(cu__store *st, const cu__files *files, int64_t min_mtime_ms, cu__job **jobs,
                   size_t *njobs, size_t *dropped)
{
	cu__fstate *v = calloc(files->n + 1, sizeof *v);
	cu__job *j = calloc(files->n + 1, sizeof *j);
	*jobs = NULL;
	*njobs = 0;
	*dropped = 0;
	if (!v || !j) {
		free(v);
		free(j);
		cu__store_clear(st);
		return -1;
	}
	/* Both lists are sorted by path: walk them side by side. */
	size_t a = 0, nj = 0;
	int oom = 0;
	for (size_t i = 0; i < files->n; i++) {
		const cu__file *d = &files->v[i];
		int c = 1;
		while (a < st->n && (c = strcmp(st->v[a].path, d->path)) < 0) {
			fstate_free(&st->v[a++]);
			(*dropped)++;
		}
		if (c == 0) {
			v[i] = st->v[a++];
		} else if (!(v[i].path = strdup(d->path))) {
			oom = 1;
		} else {
			v[i].dev = d->dev;
			v[i].ino = d->ino;
			v[i].uid = st->next_uid++;
		}
		int32_t how = plan_file(&v[i], d, min_mtime_ms);
		if (how != CU__READ_NONE)
			j[nj++] = (cu__job){ (uint32_t)i, how };
	}
	for (; a < st->n; a++) {
		fstate_free(&st->v[a]);
		(*dropped)++;
	}
	free(st->v);
	st->v = v;
	st->n = files->n;
	if (oom) {
		free(j);
		cu__store_clear(st);
		return -1;
	}
	*jobs = j;
	*njobs = nj;
	return 0;
}
