/*
 * diag.c - the list of diagnostics of one load.
 */
#include "diag-private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cu__diags_add(cu__diags *d, int32_t kind, const char *path, uint32_t file, int64_t line,
                   const char *fmt, ...)
{
	if (d->n >= CU__DIAG_MAX) {
		d->dropped++;
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		cu__diag *v = realloc(d->v, cap * sizeof *v);
		if (!v) {
			d->dropped++;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	cu__diag *x = &d->v[d->n];
	x->kind = kind;
	x->file = file;
	x->line = line;
	x->path = path ? strdup(path) : NULL;
	x->msg = strdup(buf);
	if ((path && !x->path) || !x->msg) {
		free(x->path);
		free(x->msg);
		d->dropped++;
		return;
	}
	d->n++;
}

void cu__diags_merge(cu__diags *dst, cu__diags *src)
{
	for (size_t i = 0; i < src->n; i++) {
		cu__diag *x = &src->v[i];
		if (dst->n >= CU__DIAG_MAX) {
			dst->dropped++;
			free(x->path);
			free(x->msg);
			continue;
		}
		if (dst->n == dst->cap) {
			size_t cap = dst->cap ? dst->cap * 2 : 16;
			cu__diag *v = realloc(dst->v, cap * sizeof *v);
			if (!v) {
				dst->dropped++;
				free(x->path);
				free(x->msg);
				continue;
			}
			dst->v = v;
			dst->cap = cap;
		}
		dst->v[dst->n++] = *x;
	}
	dst->dropped += src->dropped;
	free(src->v);
	memset(src, 0, sizeof *src);
}

static int cmp_diag(const void *a, const void *b)
{
	const cu__diag *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return 0;
}

void cu__diags_sort(cu__diags *d)
{
	/* Stable enough: equal (file, line) pairs come from one worker in order. */
	if (d->n > 1)
		qsort(d->v, d->n, sizeof *d->v, cmp_diag);
}

void cu__diags_clear(cu__diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

void cu__diag_summary_add(cu__diag_summary *s, int32_t kind, const char *path, int64_t line,
                          const char *msg)
{
	size_t before = s->listed.n;
	if (before < CU__DIAG_LISTED)
		cu__diags_add(&s->listed, kind, path, UINT32_MAX, line, "%s", msg);
	if (s->listed.n == before)
		s->not_listed++;
}

void cu__diag_summary_clear(cu__diag_summary *s)
{
	cu__diags_clear(&s->listed);
	memset(s, 0, sizeof *s);
}
