/*
 * aggregate.c - the aggregate stage: deduplicated, priced entries -> report
 * rows by day, week, month, session, project or source (and optionally project x
 * period), each with a per-model breakdown.
 *
 * Where a day bucket is chosen: bucket_of(). Days are local days of the
 * context's timezone, computed from the zone's rules without touching TZ.
 */
#include "context-private.h"
#include "report-private.h"
#include "par-private.h"

#include <claudeusage/cu-pricing.h>
#include <claudeusage/cu-status.h>

#include <stdlib.h>
#include <string.h>

/* Entries in time order jump between files: ask for one this far ahead. */
#define PREFETCH_AHEAD 16

typedef struct item {
	int64_t k2;     /* period (day, week start day, month index), or session id */
	uint32_t k1;    /* project id, or 0 */
	uint32_t idx;   /* entry index: entries are in time order */
} item;

/* A row under construction, with what sorting and limiting need. */
typedef struct slot {
	cu_row row;
	int64_t period; /* the period, or the last activity for sessions and projects */
	const char *project_name;
} slot;

static int64_t bucket_of(const cu_ctx *ctx, int32_t group, const cu__entry *e)
{
	const cu__file *f = &ctx->disc.files.v[e->file];
	int64_t day;
	switch (group) {
	case CU_GROUP_SESSION:
		return f->session;
	case CU_GROUP_PROJECT:
		return 0;
	case CU_GROUP_SOURCE:
		return f->source;
	default:
		break;
	}
	day = cu__tz_local_day(ctx->tz, e->ts_ms);
	if (group == CU_GROUP_WEEKLY)
		return day - (cu__weekday_from_days(day) - ctx->week_start + 7) % 7;
	if (group == CU_GROUP_MONTHLY) {
		int64_t y;
		int m, d;
		cu__civil_from_days(day, &y, &m, &d);
		return y * 12 + (m - 1);
	}
	return day;
}

static int cmp_item(const void *a, const void *b)
{
	const item *x = a, *y = b;
	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static char *period_key(int32_t group, int64_t k)
{
	char buf[32];
	if (group == CU_GROUP_MONTHLY) {
		int64_t y = k / 12, m = k % 12;
		if (m < 0) {
			m += 12;
			y--;
		}
		char d[11];
		cu__format_date(cu__days_from_civil(y, (int)m + 1, 1), d);
		memcpy(buf, d, 7);
		buf[7] = '\0';
	} else {
		cu__format_date(k, buf);
	}
	return strdup(buf);
}

/* Accumulators of one model within the row being built. */
typedef struct acc {
	int64_t input, output, cache_create, cache_read, entries;
	double cost;
	int used;
} acc;

static void add_entry(cu_row *r, acc *a, const cu__entry *e, int *timed)
{
	/* Claude Code's own <synthetic> messages mark activity but cost nothing (as in ccusage). */
	if (!*timed || e->ts_ms < r->first_ms)
		r->first_ms = e->ts_ms;
	if (!*timed || e->ts_ms > r->last_ms)
		r->last_ms = e->ts_ms;
	*timed = 1;
	if (e->flags & CU__E_SYNTHETIC)
		return;
	r->input += e->input;
	r->output += e->output;
	r->cache_create += e->cache_create;
	r->cache_read += e->cache_read;
	r->cost += e->cost;
	r->entries++;
	a->input += e->input;
	a->output += e->output;
	a->cache_create += e->cache_create;
	a->cache_read += e->cache_read;
	a->cost += e->cost;
	a->entries++;
	a->used = 1;
}

static int cmp_breakdown(const void *a, const void *b)
{
	const cu_row *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Turn the per-model accumulators into the row's model list and breakdown. */
static int finish_row(cu_row *r, acc *accs, size_t nmodels, char *const *names)
{
	size_t used = 0;
	for (size_t m = 0; m < nmodels; m++)
		used += accs[m].used != 0;
	r->models = calloc(used + 1, sizeof *r->models);
	r->breakdown = calloc(used + 1, sizeof *r->breakdown);
	if (!r->models || !r->breakdown)
		return -1;
	for (size_t m = 0; m < nmodels; m++) {
		acc *a = &accs[m];
		if (!a->used)
			continue;
		cu_row *b = &r->breakdown[r->nbreakdown++];
		b->key = strdup(names[m]);
		if (!b->key)
			return -1;
		b->input = a->input;
		b->output = a->output;
		b->cache_create = a->cache_create;
		b->cache_read = a->cache_read;
		b->cost = a->cost;
		b->entries = a->entries;
		r->models[r->nmodels++] = names[m];
		memset(a, 0, sizeof *a);
	}
	qsort(r->models, r->nmodels, sizeof *r->models, cmp_name);
	qsort(r->breakdown, r->nbreakdown, sizeof *r->breakdown, cmp_breakdown);
	return 0;
}

typedef struct sortctx {
	int by_project, desc;
} sortctx;

static int cmp_slot(const void *a, const void *b, void *arg)
{
	const slot *x = a, *y = b;
	const sortctx *s = arg;
	if (s->by_project) {
		int c = strcmp(x->project_name, y->project_name);
		if (c)
			return c;
	}
	if (x->period != y->period)
		return (x->period < y->period) != s->desc ? -1 : 1;
	return strcmp(x->row.key, y->row.key);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Keep the rows of the most recent `limit` periods (or sessions, projects). */
static size_t apply_limit(slot *s, size_t n, uint32_t limit)
{
	if (limit == 0 || n == 0)
		return n;
	int64_t *p = malloc(n * sizeof *p);
	if (!p)
		return n;
	for (size_t i = 0; i < n; i++)
		p[i] = s[i].period;
	qsort(p, n, sizeof *p, cmp_i64);
	size_t distinct = 0;
	int64_t threshold = p[n - 1];
	for (size_t i = n; i-- > 0;) {
		if (i == n - 1 || p[i] != p[i + 1])
			distinct++;
		if (distinct > limit)
			break;
		threshold = p[i];
	}
	free(p);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].period >= threshold)
			s[k++] = s[i];
		else
			cu__row_clear(&s[i].row);
	}
	return k;
}

/* Copy the names a report shows, so that it outlives the context. */
static int copy_strings(cu_report *r, const cu_ctx *ctx, const char ***project_path)
{
	const cu__pool *models = &ctx->store.models, *projects = &ctx->disc.projects;
	size_t n = models->count + 2 * projects->count;
	r->strings = calloc(n + 1, sizeof *r->strings);
	*project_path = calloc(projects->count + 1, sizeof **project_path);
	if (!r->strings || !*project_path)
		return -1;
	for (size_t i = 0; i < models->count; i++)
		if (!(r->strings[r->nstrings++] = strdup(cu__pool_str(models, (uint32_t)i))))
			return -1;
	for (size_t i = 0; i < projects->count; i++)
		if (!(r->strings[r->nstrings++] = strdup(cu__pool_str(projects, (uint32_t)i))))
			return -1;
	/* The working directory of a project: the first one its files give. */
	for (size_t i = 0; i < ctx->disc.files.n; i++) {
		const cu__file *f = &ctx->disc.files.v[i];
		const char *cwd = ctx->store.v[i].cwd;
		if (cwd && !(*project_path)[f->project]) {
			char *s = strdup(cwd);
			if (!s)
				return -1;
			r->strings[r->nstrings++] = s;
			(*project_path)[f->project] = s;
		}
	}
	return 0;
}

/* The names of the models marked in unpriced[] (by id), sorted. */
static int list_unpriced(cu_report *r, const cu_ctx *ctx, const char *unpriced)
{
	size_t nm = ctx->store.models.count;
	r->unpriced = calloc(nm + 1, sizeof *r->unpriced);
	if (!r->unpriced)
		return -1;
	for (size_t m = 0; m < nm; m++)
		if (unpriced[m])
			r->unpriced[r->nunpriced++] = r->strings[m];
	qsort(r->unpriced, r->nunpriced, sizeof *r->unpriced, cmp_name);
	return 0;
}

static void add_row(cu_row *t, const cu_row *r)
{
	t->input += r->input;
	t->output += r->output;
	t->cache_create += r->cache_create;
	t->cache_read += r->cache_read;
	t->cost += r->cost;
	if (r->entries && (t->entries == 0 || r->first_ms < t->first_ms))
		t->first_ms = r->first_ms;
	if (r->entries && (t->entries == 0 || r->last_ms > t->last_ms))
		t->last_ms = r->last_ms;
	t->entries += r->entries;
}

/* Build the rows; on success s/ns hold them. */
static int build(const cu_ctx *ctx, cu_report *r, const item *items, size_t n,
                 const char **project_path, slot **out, size_t *nout)
{
	size_t nmodels = ctx->store.models.count;
	size_t groups = 0;
	for (size_t i = 0; i < n; i++)
		groups += i == 0 || items[i].k1 != items[i - 1].k1 || items[i].k2 != items[i - 1].k2;
	acc *accs = calloc(nmodels + 1, sizeof *accs);
	slot *s = calloc(groups + 1, sizeof *s);
	size_t ns = 0;
	int rc = 0;
	if (!accs || !s) {
		free(accs);
		free(s);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0;) {
		size_t j = i;
		int timed = 0;
		slot *sl = &s[ns++];
		const cu__file *f = &ctx->disc.files.v[ctx->entries[items[i].idx]->file];
		while (j < n && items[j].k1 == items[i].k1 && items[j].k2 == items[i].k2) {
			const cu__entry *e = ctx->entries[items[j].idx];
			if (j + PREFETCH_AHEAD < n)
				__builtin_prefetch(ctx->entries[items[j + PREFETCH_AHEAD].idx]);
			add_entry(&sl->row, &accs[e->model], e, &timed);
			j++;
		}
		if (sl->row.entries == 0) {
			/* Only synthetic messages: no row. */
			ns--;
			memset(sl, 0, sizeof *sl);
			i = j;
			continue;
		}
		if (finish_row(&sl->row, accs, nmodels, r->strings) != 0) {
			rc = -1;
			break;
		}
		const char *pname = r->strings[nmodels + f->project];
		switch (r->group) {
		case CU_GROUP_SESSION:
			sl->row.key = strdup(cu__pool_str(&ctx->disc.sessions, f->session));
			sl->period = sl->row.last_ms;
			break;
		case CU_GROUP_PROJECT:
			sl->row.key = strdup(pname);
			sl->period = sl->row.last_ms;
			break;
		case CU_GROUP_SOURCE:
			sl->row.key = strdup(cu__pool_str(&ctx->disc.sources, f->source));
			sl->period = sl->row.last_ms;
			break;
		default:
			sl->row.key = period_key(r->group, items[i].k2);
			sl->period = items[i].k2;
			break;
		}
		if (!sl->row.key)
			rc = -1;
		if (r->group == CU_GROUP_SESSION || r->group == CU_GROUP_PROJECT ||
		    (r->flags & CU_REPORT_BY_PROJECT)) {
			sl->row.project = pname;
			sl->row.project_path = project_path[f->project];
		}
		sl->project_name = pname;
		i = j;
	}
	free(accs);
	if (rc != 0) {
		for (size_t i = 0; i < ns; i++)
			cu__row_clear(&s[i].row);
		free(s);
		return -1;
	}
	*out = s;
	*nout = ns;
	return 0;
}

/*
 * The report in pieces, when there are many entries: the bucketing by
 * ranges of entries, the rows by ranges of whole groups. A row's sums run
 * over its entries in the same order whoever builds it, so the figures do
 * not depend on the number of pieces.
 */
#define REPORT_PIECE_MIN 16384

typedef struct piece {
	const cu_ctx *ctx;
	cu_report *r;
	int32_t group;
	int by_project;
	size_t lo, hi;         /* entries (bucketing) or items (rows) */
	item *items;           /* bucketing: where its items go, from lo on */
	size_t n;              /* how many it made */
	char *unpriced;        /* by model id: an unpriced entry met */
	const char **project_path;
	slot *s;               /* rows: the rows it built */
	size_t ns;
	int rc;
} piece;

static void bucket_range(void *arg, uint32_t i)
{
	piece *pc = &((piece *)arg)[i];
	const cu_ctx *ctx = pc->ctx;
	item *out = pc->items + pc->lo;
	size_t n = 0;
	for (size_t k = pc->lo; k < pc->hi; k++) {
		const cu__entry *e = ctx->entries[k];
		if (k + PREFETCH_AHEAD < pc->hi)
			__builtin_prefetch(ctx->entries[k + PREFETCH_AHEAD]);
		if (!cu__ctx_entry_selected(ctx, e))
			continue;
		out[n].k1 = pc->by_project ? ctx->disc.files.v[e->file].project : 0;
		out[n].k2 = bucket_of(ctx, pc->group, e);
		out[n].idx = (uint32_t)k;
		n++;
		pc->unpriced[e->model] |= (e->flags & CU__E_UNPRICED) != 0;
	}
	pc->n = n;
}

static void build_range(void *arg, uint32_t i)
{
	piece *pc = &((piece *)arg)[i];
	pc->rc = build(pc->ctx, pc->r, pc->items + pc->lo, pc->hi - pc->lo, pc->project_path, &pc->s,
	               &pc->ns);
}

/* items[0..n) of the entries selected, and the unpriced models among them, in np pieces. */
static int bucket_all(const cu_ctx *ctx, int32_t group, int by_project, piece *pcs, uint32_t np,
                      item *items, size_t *n, char *unpriced)
{
	size_t nm = ctx->store.models.count + 1;
	int rc = 0;
	for (uint32_t i = 0; i < np; i++) {
		pcs[i] = (piece){ .ctx = ctx, .group = group, .by_project = by_project,
			          .items = items, .unpriced = i ? calloc(nm, 1) : unpriced };
		cu__par_range(ctx->n, np, i, &pcs[i].lo, &pcs[i].hi);
		rc |= !pcs[i].unpriced;
	}
	*n = 0;
	if (rc == 0) {
		cu__par_run(np, bucket_range, pcs);
		for (uint32_t i = 0; i < np; i++) {
			memmove(items + *n, items + pcs[i].lo, pcs[i].n * sizeof *items);
			*n += pcs[i].n;
			for (size_t m = 0; i && m < nm; m++)
				unpriced[m] |= pcs[i].unpriced[m];
		}
	}
	for (uint32_t i = 1; i < np; i++)
		free(pcs[i].unpriced);
	return rc ? -1 : 0;
}

/* The rows of items[0..n) into s and ns, in np pieces that each take whole groups. */
static int build_all(const cu_ctx *ctx, cu_report *r, piece *pcs, uint32_t np, item *items,
                     size_t n, const char **project_path, slot **s, size_t *ns)
{
	size_t at = 0;
	for (uint32_t i = 0; i < np; i++) {
		size_t lo, end;
		cu__par_range(n, np, i, &lo, &end);
		if (end < at)
			end = at;
		while (end > at && end < n && items[end].k1 == items[end - 1].k1 &&
		       items[end].k2 == items[end - 1].k2)
			end++;
		pcs[i] = (piece){ .ctx = ctx, .r = r, .lo = at, .hi = end, .items = items,
			          .project_path = project_path };
		at = end;
	}
	cu__par_run(np, build_range, pcs);
	size_t total = 0;
	int rc = 0;
	for (uint32_t i = 0; i < np; i++) {
		total += pcs[i].ns;
		rc |= pcs[i].rc;
	}
	slot *all = rc == 0 ? malloc((total + 1) * sizeof *all) : NULL;
	*ns = 0;
	for (uint32_t i = 0; i < np; i++) {
		for (size_t k = 0; k < pcs[i].ns; k++) {
			if (all)
				all[(*ns)++] = pcs[i].s[k];
			else
				cu__row_clear(&pcs[i].s[k].row);
		}
		free(pcs[i].s);
	}
	*s = all;
	return all ? 0 : -1;
}

int cu_report_new(cu_ctx *ctx, int32_t group, uint32_t flags, uint32_t limit, cu_report **out)
{
	if (!ctx || !out)
		return ctx ? cu__ctx_error(ctx, CU_EINVALID, "out is NULL") : CU_EINVALID;
	*out = NULL;
	if (group < CU_GROUP_DAILY || group > CU_GROUP_SOURCE)
		return cu__ctx_error(ctx, CU_EINVALID, "unknown report grouping %d", (int)group);
	if (!ctx->loaded)
		return cu__ctx_error(ctx, CU_ESTATE, "nothing loaded: call cu_ctx_load() first");

	cu_report *r = calloc(1, sizeof *r);
	const char **project_path = NULL;
	item *items = calloc(ctx->n + 1, sizeof *items);
	char *unpriced = calloc(ctx->store.models.count + 1, 1); /* by model id */
	slot *s = NULL;
	size_t n = 0, ns = 0;
	int by_project = (flags & CU_REPORT_BY_PROJECT) || group == CU_GROUP_PROJECT;
	if (!r || !items || !unpriced)
		goto oom;
	r->group = group;
	r->flags = flags;
	r->long_context = cu_ctx_long_context(ctx);
	if (!(r->timezone = strdup(cu__tz_name(ctx->tz))) ||
	    !(r->pricing_source = strdup(cu_ctx_pricing_source(ctx))) ||
	    cu__ctx_diag_summary(ctx, &r->diag) != 0 || copy_strings(r, ctx, &project_path) != 0)
		goto oom;

	piece pcs[CU__PAR_MAX];
	uint32_t np = cu__par_pieces(ctx->threads, ctx->n, REPORT_PIECE_MIN);
	if (bucket_all(ctx, group, by_project, pcs, np, items, &n, unpriced) != 0)
		goto oom;
	/* Periods follow the time order of the entries: often sorted already. */
	size_t sorted = 1;
	while (sorted < n && cmp_item(&items[sorted - 1], &items[sorted]) < 0)
		sorted++;
	if (sorted < n)
		qsort(items, n, sizeof *items, cmp_item);
	if (list_unpriced(r, ctx, unpriced) != 0 ||
	    build_all(ctx, r, pcs, np, items, n, project_path, &s, &ns) != 0)
		goto oom;

	ns = apply_limit(s, ns, limit);
	/* Totals add up the rows in ascending order, so that --order cannot change them. */
	sortctx sc = { by_project && group != CU_GROUP_PROJECT, 0 };
	qsort_r(s, ns, sizeof *s, cmp_slot, &sc);
	for (size_t i = 0; i < ns; i++)
		add_row(&r->totals, &s[i].row);
	if (flags & CU_REPORT_DESC) {
		sc.desc = 1;
		qsort_r(s, ns, sizeof *s, cmp_slot, &sc);
	}
	r->rows = calloc(ns + 1, sizeof *r->rows);
	if (!r->rows)
		goto oom;
	for (size_t i = 0; i < ns; i++)
		r->rows[i] = s[i].row;
	r->n = ns;
	free(s);
	s = NULL;
	if (!(r->totals.key = strdup("Total")))
		goto oom;
	free(items);
	free(unpriced);
	free(project_path);
	ctx->err[0] = '\0';
	*out = r;
	return CU_OK;
oom:
	for (size_t i = 0; s && i < ns; i++)
		cu__row_clear(&s[i].row);
	free(s);
	free(items);
	free(unpriced);
	free(project_path);
	cu_report_free(r);
	return cu__ctx_error(ctx, CU_ENOMEM, "out of memory while building the report");
}
