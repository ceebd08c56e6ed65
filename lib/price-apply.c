/*
 * price-apply.c - the price stage: each model is resolved against the price
 * table once, then every entry gets its cost according to the cost mode.
 * Also the public price look-ups of cu-pricing.h.
 */
#include "context-private.h"
#include "hash-private.h"
#include "par-private.h"

#include <claudeusage/cu-pricing.h>
#include <claudeusage/cu-status.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYNTHETIC "<synthetic>"

static int32_t resolve(const cu__pricetab *tab, const char *model)
{
	if (strcmp(model, SYNTHETIC) == 0)
		return -2;
	long i = cu__pricetab_find(tab, model, strlen(model));
	return i < 0 ? -1 : (int32_t)i;
}

static cu__usage usage_of(const cu__entry *e, int32_t rule)
{
	cu__usage u = { e->input, e->output, e->cache_create, e->cache_1h, e->cache_read,
		        (e->flags & CU__E_FAST) != 0, rule };
	return u;
}

/* Set e's cost per the cost mode, with p its model's price index (or -1, -2). */
static void price_one(const cu_ctx *ctx, cu__entry *e, int32_t p)
{
	int has_line = (e->flags & CU__E_HAS_COST) != 0;
	e->flags &= ~(uint32_t)(CU__E_UNPRICED | CU__E_SYNTHETIC);
	e->flags |= CU__E_PRICED;
	e->cost = 0;
	if (p == -2) {
		e->flags |= CU__E_SYNTHETIC;
	} else if (ctx->cost_mode == CU_COST_DISPLAY || (ctx->cost_mode == CU_COST_AUTO && has_line)) {
		e->cost = has_line ? e->line_cost : 0;
	} else if (p < 0) {
		e->flags |= CU__E_UNPRICED;
	} else {
		cu__usage u = usage_of(e, ctx->long_context);
		e->cost = cu__price_cost(cu__pricetab_price(ctx->prices, (size_t)p), &u);
	}
}

uint64_t cu__price_fingerprint(const cu_ctx *ctx)
{
	const cu__pool *models = &ctx->store.models;
	int32_t rule[2] = { ctx->cost_mode, ctx->long_context };
	uint64_t h = cu__hash64(rule, sizeof rule, models->count);
	for (size_t m = 0; m < models->count; m++) {
		const char *name = cu__pool_str(models, (uint32_t)m);
		int32_t p = resolve(ctx->prices, name);
		double v[12] = { 0 };
		if (p >= 0) {
			const cu__price *c = cu__pricetab_price(ctx->prices, (size_t)p);
			double w[12] = { c->input, c->output, c->cache_write, c->cache_write_1h,
				         c->cache_read, c->has_tier, c->input_above, c->output_above,
				         c->cache_write_above, c->cache_read_above,
				         c->cache_write_1h_above, c->fast_factor };
			memcpy(v, w, sizeof v);
		}
		h = cu__hash64(name, strlen(name), h ^ (uint64_t)(int64_t)p);
		h = cu__hash64(v, sizeof v, h);
	}
	return h | 1;
}

/* Costs are about to follow other settings: none of the stored ones holds. */
static void unprice_store(cu__store *st)
{
	for (size_t i = 0; i < st->n; i++) {
		cu__fstate *f = &st->v[i];
		for (size_t k = 0; k < f->n; k++)
			if (f->e[k].flags & CU__E_PRICED)
				f->e[k].flags &= ~(uint32_t)CU__E_PRICED;
		f->tail.flags &= ~(uint32_t)CU__E_PRICED;
	}
}

/* The entries a piece of the price stage prices, and the unpriced models it met. */
typedef struct price_piece {
	const cu_ctx *ctx;
	size_t lo, hi;        /* ctx->entries[lo..hi) */
	int all;
	char *seen;           /* per model: met here unpriced */
	uint32_t *unpriced;   /* those models, in the order first met */
	size_t nunpriced;
} price_piece;

static void price_range(void *arg, uint32_t i)
{
	price_piece *pc = &((price_piece *)arg)[i];
	const cu_ctx *ctx = pc->ctx;
	for (size_t k = pc->lo; k < pc->hi; k++) {
		cu__entry *e = ctx->entries[k];
		if (pc->all || !(e->flags & CU__E_PRICED))
			price_one(ctx, e, ctx->model_price[e->model]);
		if ((e->flags & CU__E_UNPRICED) && !pc->seen[e->model]) {
			pc->seen[e->model] = 1;
			pc->unpriced[pc->nunpriced++] = e->model;
		}
	}
}

/* Entries a piece must have to be worth a thread of its own. */
#define PRICE_PIECE_MIN 16384

/* The files of the store a piece prices every entry of: [f0, f1). */
typedef struct store_piece {
	const cu_ctx *ctx;
	size_t f0, f1;
} store_piece;

static void price_files(void *arg, uint32_t i)
{
	const store_piece *pc = &((const store_piece *)arg)[i];
	const cu_ctx *ctx = pc->ctx;
	for (size_t k = pc->f0; k < pc->f1; k++) {
		cu__fstate *f = &ctx->store.v[k];
		for (size_t j = 0; j < f->n; j++)
			price_one(ctx, &f->e[j], ctx->model_price[f->e[j].model]);
		if (f->tail_state == CU__TAIL_ENTRY)
			price_one(ctx, &f->tail, ctx->model_price[f->tail.model]);
	}
}

/*
 * Can no entry come out unpriced? Then there is nothing to report, and
 * every stored entry can be priced in the order it is stored (one stream
 * through memory, not a jump per entry in time order); the copies not kept
 * are priced too, which does no harm.
 */
static int none_unpriced(const cu_ctx *ctx, size_t nmodels)
{
	if (ctx->cost_mode == CU_COST_DISPLAY)
		return 1;
	for (size_t m = 0; m < nmodels; m++)
		if (ctx->model_price[m] == -1)
			return 0;
	return 1;
}

static void price_store(cu_ctx *ctx)
{
	size_t total = cu__store_entry_count(&ctx->store), bound[CU__PAR_MAX + 1];
	uint32_t np = cu__par_pieces(ctx->threads, total, PRICE_PIECE_MIN);
	store_piece pcs[CU__PAR_MAX];
	cu__store_split(&ctx->store, total, np, bound, NULL);
	for (uint32_t i = 0; i < np; i++)
		pcs[i] = (store_piece){ ctx, bound[i], bound[i + 1] };
	cu__par_run(np, price_files, pcs);
}

int cu__price_entries(cu_ctx *ctx, int all)
{
	const cu__pool *models = &ctx->store.models;
	int32_t *map = realloc(ctx->model_price, (models->count + 1) * sizeof *map);
	if (!map)
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory");
	ctx->model_price = map;
	for (size_t m = 0; m < models->count; m++)
		map[m] = resolve(ctx->prices, cu__pool_str(models, (uint32_t)m));
	/* An unpriced model is reported once per context and prices, not priced silently at $0. */
	char *reported = realloc(ctx->price_reported, models->count + 1);
	if (reported)
		ctx->price_reported = reported;
	if (!reported)
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory");
	if (all && none_unpriced(ctx, models->count)) {
		memset(reported, 0, models->count + 1);
		ctx->price_nreported = models->count;
		price_store(ctx);
		ctx->unpriced = 0;
		ctx->store.priced = 1;
		return CU_OK;
	}
	uint32_t np = cu__par_pieces(ctx->threads, ctx->n, PRICE_PIECE_MIN);
	price_piece pcs[CU__PAR_MAX];
	int oom = 0;
	for (uint32_t i = 0; i < np; i++) {
		pcs[i] = (price_piece){ ctx, 0, 0, all, calloc(models->count + 1, 1),
			                malloc((models->count + 1) * sizeof(uint32_t)), 0 };
		cu__par_range(ctx->n, np, i, &pcs[i].lo, &pcs[i].hi);
		oom |= !pcs[i].seen || !pcs[i].unpriced;
	}
	if (oom) {
		for (uint32_t i = 0; i < np; i++) {
			free(pcs[i].seen);
			free(pcs[i].unpriced);
		}
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory");
	}
	if (all) {
		memset(reported, 0, models->count + 1);
		if (ctx->store.priced) /* not after a first scan: a pass over every entry */
			unprice_store(&ctx->store);
	}
	else if (models->count > ctx->price_nreported)
		memset(reported + ctx->price_nreported, 0, models->count - ctx->price_nreported);
	ctx->price_nreported = models->count;
	cu__par_run(np, price_range, pcs);

	/* The unpriced models in the order the entries name them first, as one piece meets them. */
	ctx->unpriced = 0;
	char *seen = pcs[0].seen;
	for (uint32_t i = 0; i < np; i++) {
		for (size_t k = 0; k < pcs[i].nunpriced; k++) {
			uint32_t m = pcs[i].unpriced[k];
			if (i > 0 && seen[m])
				continue;
			seen[m] = 1;
			ctx->unpriced++;
			if (!reported[m] && ctx->diag_fn) {
				const char *name = cu__pool_str(models, m);
				char msg[300];
				snprintf(msg, sizeof msg,
				         "no price for model '%s': its tokens are counted, its cost is not",
				         *name ? name : "(none)");
				ctx->diag_fn(CU_DIAG_UNPRICED_MODEL, NULL, 0, msg, ctx->diag_ud);
			}
			reported[m] = 1;
		}
	}
	for (uint32_t i = 0; i < np; i++) {
		free(pcs[i].seen);
		free(pcs[i].unpriced);
	}
	ctx->store.priced = 1;
	return CU_OK;
}

const char *cu_ctx_pricing_source(const cu_ctx *ctx)
{
	return ctx ? ctx->pinfo.source : NULL;
}

const char *cu_ctx_pricing_location(const cu_ctx *ctx)
{
	return ctx && ctx->pinfo.location[0] ? ctx->pinfo.location : NULL;
}

int64_t cu_ctx_pricing_fetched(const cu_ctx *ctx)
{
	return ctx ? ctx->pinfo.fetched_s : 0;
}

int32_t cu_ctx_long_context(const cu_ctx *ctx)
{
	return ctx && ctx->long_context == CU__TIER_ANTHROPIC ? CU_LONG_CONTEXT_ANTHROPIC
	                                                      : CU_LONG_CONTEXT_CCUSAGE;
}

size_t cu_ctx_price_count(const cu_ctx *ctx)
{
	return ctx ? cu__pricetab_count(ctx->prices) : 0;
}

const char *cu_ctx_price_key(const cu_ctx *ctx, size_t i)
{
	return ctx && i < cu__pricetab_count(ctx->prices) ? cu__pricetab_key(ctx->prices, i) : NULL;
}

static int find(cu_ctx *ctx, const char *model, size_t *index)
{
	if (!ctx || !model)
		return ctx ? cu__ctx_error(ctx, CU_EINVALID, "model is NULL") : CU_EINVALID;
	int32_t i = resolve(ctx->prices, model);
	if (i < 0)
		return cu__ctx_error(ctx, CU_ENOTFOUND, "no price for model '%s'", model);
	*index = (size_t)i;
	ctx->err[0] = '\0';
	return CU_OK;
}

int cu_ctx_model_key(cu_ctx *ctx, const char *model, const char **key)
{
	size_t i = 0;
	int rc = find(ctx, model, &i);
	if (rc == CU_OK && key)
		*key = cu__pricetab_key(ctx->prices, i);
	return rc;
}

int cu_ctx_model_price(cu_ctx *ctx, const char *model, int32_t kind, double *usd_per_token)
{
	size_t i = 0;
	int rc = find(ctx, model, &i);
	if (rc != CU_OK)
		return rc;
	const cu__price *p = cu__pricetab_price(ctx->prices, i);
	double v;
	switch (kind) {
	case CU_PRICE_INPUT: v = p->input; break;
	case CU_PRICE_OUTPUT: v = p->output; break;
	case CU_PRICE_CACHE_WRITE: v = p->cache_write; break;
	case CU_PRICE_CACHE_WRITE_1H: v = p->cache_write_1h; break;
	case CU_PRICE_CACHE_READ: v = p->cache_read; break;
	case CU_PRICE_INPUT_ABOVE_200K: v = p->has_tier ? p->input_above : 0; break;
	case CU_PRICE_OUTPUT_ABOVE_200K: v = p->has_tier ? p->output_above : 0; break;
	case CU_PRICE_CACHE_WRITE_ABOVE_200K: v = p->has_tier ? p->cache_write_above : 0; break;
	case CU_PRICE_CACHE_READ_ABOVE_200K: v = p->has_tier ? p->cache_read_above : 0; break;
	default: return cu__ctx_error(ctx, CU_EINVALID, "unknown price kind %d", (int)kind);
	}
	if (usd_per_token)
		*usd_per_token = v;
	return CU_OK;
}

int cu_ctx_compute_cost(cu_ctx *ctx, const char *model, int64_t input, int64_t output,
                        int64_t cache_creation, int64_t cache_creation_1h, int64_t cache_read,
                        double *usd)
{
	size_t i = 0;
	if (ctx && (input < 0 || output < 0 || cache_creation < 0 || cache_creation_1h < 0 ||
	            cache_read < 0 || cache_creation_1h > cache_creation))
		return cu__ctx_error(ctx, CU_EINVALID, "token counts must be >= 0, 1-hour part <= total");
	int rc = find(ctx, model, &i);
	if (rc != CU_OK)
		return rc;
	cu__usage u = { input, output, cache_creation, cache_creation_1h, cache_read, 0,
		        ctx->long_context };
	if (usd)
		*usd = cu__price_cost(cu__pricetab_price(ctx->prices, i), &u);
	return CU_OK;
}
