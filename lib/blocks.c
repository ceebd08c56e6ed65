/*
 * blocks.c - 5-hour billing blocks (cu-blocks.h): where a block is chosen
 * (identify()), what a block adds up (add_up()), the active block's burn
 * rate and projection (rate()), the `max` token limit, and the reading
 * functions. JSON is in blocks-json.c.
 *
 * Entries come from the context already deduplicated and sorted by time;
 * <synthetic> messages (Claude Code's own, such as API errors) place, time
 * and count as entries of blocks like any other (as in ccusage) but add no
 * tokens, cost or model.
 */
#include "blocks-private.h"
#include "context-private.h"

#include <claudeusage/cu-status.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS INT64_C(3600000)
#define MINUTE_MS 60000.0
#define RECENT_MS (3 * 24 * HOUR_MS)
#define MAX_BLOCK_MS (366 * 24 * HOUR_MS)
/* Burn levels, in input + output tokens per minute. */
#define MODERATE_TPM 2000.0
#define HIGH_TPM 5000.0
/* More than this share of a limit is a warning. */
#define WARNING_SHARE 0.8

/* A block as identify() finds it: the entries idx[first..last), or a gap. */
typedef struct span {
	int64_t start_ms, end_ms;
	size_t first, last;
	int gap;
} span;

typedef struct spans {
	span *v;
	size_t n, cap;
} spans;

static int push(spans *s, int64_t start, int64_t end, size_t first, size_t last, int gap)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		span *v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (span){ start, end, first, last, gap };
	return 0;
}

static int64_t floor_hour(int64_t ms)
{
	return cu__floor_div(ms, HOUR_MS) * HOUR_MS;
}

/*
 * Where a block is chosen. idx[0..n) index entries in time order. The first
 * entry's time floored to the UTC hour starts a block; an entry more than
 * len after the block's start, or more than len after the entry before it,
 * starts the next block ("more than": an entry exactly len after the start
 * stays). An idle time longer than len leaves a gap block from the earlier
 * entry + len to the later entry.
 */
static int identify(cu__entry *const *entries, const uint32_t *idx, size_t n, int64_t len,
                    spans *out)
{
	int64_t start = 0;
	size_t first = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t t = entries[idx[i]]->ts_ms;
		if (i > 0) {
			int64_t prev = entries[idx[i - 1]]->ts_ms;
			if (t - start <= len && t - prev <= len)
				continue;
			if (push(out, start, start + len, first, i, 0) != 0)
				return -1;
			if (t - prev > len && push(out, prev + len, t, i, i, 1) != 0)
				return -1;
		}
		start = floor_hour(t);
		first = i;
	}
	if (n > 0 && push(out, start, start + len, first, n, 0) != 0)
		return -1;
	return 0;
}

static int is_active(const span *s, int64_t last_ms, int64_t now, int64_t len)
{
	return !s->gap && now - last_ms < len && now < s->end_ms;
}

/* Sum a span's entries into b; stamp[model] == mark means the model is listed already. */
static int add_up(cu_block *b, const span *s, cu__entry *const *entries, const uint32_t *idx,
                  uint32_t *stamp, uint32_t mark, char *const *names)
{
	b->start_ms = s->start_ms;
	b->end_ms = s->end_ms;
	b->gap = s->gap;
	if (s->gap)
		return 0;
	size_t nmodels = 0;
	b->first_ms = entries[idx[s->first]]->ts_ms;
	b->last_ms = entries[idx[s->last - 1]]->ts_ms;
	for (size_t i = s->first; i < s->last; i++) {
		const cu__entry *e = entries[idx[i]];
		int64_t reset = cu__entry_limit_reset_ms(e);
		if (reset)
			b->reset_ms = reset; /* the latest message of the block counts */
		b->entries++;
		if (e->flags & CU__E_SYNTHETIC)
			continue;
		b->input += e->input;
		b->output += e->output;
		b->cache_create += e->cache_create;
		b->cache_read += e->cache_read;
		b->cost += e->cost;
		if (stamp[e->model] != mark) {
			stamp[e->model] = mark;
			nmodels++;
		}
	}
	b->models = calloc(nmodels + 1, sizeof *b->models);
	if (!b->models)
		return -1;
	for (size_t i = s->first; i < s->last; i++) {
		const cu__entry *e = entries[idx[i]];
		if (!(e->flags & CU__E_SYNTHETIC) && stamp[e->model] == mark) {
			stamp[e->model] = mark - 1; /* listed: not again */
			b->models[b->nmodels++] = names[e->model];
		}
	}
	return 0;
}

static int64_t total_of(const cu_block *b)
{
	return b->input + b->output + b->cache_create + b->cache_read;
}

/* Burn rate from the first to the last entry, and the projection to the block's end. */
static void rate(cu_block *b, int64_t now)
{
	double minutes = (double)(b->last_ms - b->first_ms) / MINUTE_MS;
	if (!b->active || b->gap || !(minutes > 0))
		return;
	b->has_rate = 1;
	b->tokens_per_minute = (double)total_of(b) / minutes;
	b->indicator_per_minute = (double)(b->input + b->output) / minutes;
	b->cost_per_hour = b->cost / minutes * 60.0;
	b->remaining_minutes = llround((double)(b->end_ms - now) / MINUTE_MS);
	b->projected_tokens = llround((double)total_of(b) +
	                              b->tokens_per_minute * (double)b->remaining_minutes);
	b->projected_cost = b->cost + b->cost_per_hour / 60.0 * (double)b->remaining_minutes;
}

/* The `max` rule: the largest finished non-gap block over every loaded entry. */
static int max_tokens(const cu_ctx *ctx, uint32_t *idx, int64_t len, int64_t now, int64_t *out)
{
	spans sp = { 0 };
	for (size_t i = 0; i < ctx->n; i++)
		idx[i] = (uint32_t)i;
	if (identify(ctx->entries, idx, ctx->n, len, &sp) != 0) {
		free(sp.v);
		return -1;
	}
	*out = 0;
	for (size_t k = 0; k < sp.n; k++) {
		const span *s = &sp.v[k];
		if (s->gap || is_active(s, ctx->entries[idx[s->last - 1]]->ts_ms, now, len))
			continue;
		int64_t t = 0;
		for (size_t i = s->first; i < s->last; i++) {
			const cu__entry *e = ctx->entries[idx[i]];
			if (!(e->flags & CU__E_SYNTHETIC))
				t += cu__entry_tokens(e);
		}
		if (t > *out)
			*out = t;
	}
	free(sp.v);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int copy_models(cu_blocks *r, const cu_ctx *ctx)
{
	const cu__pool *models = &ctx->store.models;
	r->strings = calloc(models->count + 1, sizeof *r->strings);
	r->unpriced = calloc(models->count + 1, sizeof *r->unpriced);
	if (!r->strings || !r->unpriced)
		return -1;
	for (size_t i = 0; i < models->count; i++, r->nstrings++)
		if (!(r->strings[i] = strdup(cu__pool_str(models, (uint32_t)i))))
			return -1;
	return 0;
}

/* Keep the blocks the flags ask for; spans stay parallel to blocks. */
static void select_blocks(cu_blocks *r, span *sp, uint32_t flags)
{
	size_t k = 0;
	for (size_t i = 0; i < r->n; i++) {
		cu_block *b = &r->v[i];
		int keep = !(flags & CU_BLOCKS_ACTIVE) || b->active;
		if (flags & CU_BLOCKS_RECENT)
			keep = keep && (b->start_ms >= r->now_ms - RECENT_MS || b->active);
		if (!keep) {
			free(b->models);
			continue;
		}
		r->v[k] = *b;
		sp[k++] = sp[i];
	}
	r->n = k;
	if (flags & CU_BLOCKS_DESC) {
		for (size_t i = 0; i < k / 2; i++) {
			cu_block t = r->v[i];
			r->v[i] = r->v[k - 1 - i];
			r->v[k - 1 - i] = t;
		}
	}
}

/* The unpriced models among the entries of the blocks kept. */
static void collect_unpriced(cu_blocks *r, const cu_ctx *ctx, const span *sp, size_t nsp,
                             const uint32_t *idx, uint32_t *stamp, uint32_t mark)
{
	for (size_t k = 0; k < nsp; k++) {
		for (size_t i = sp[k].first; i < sp[k].last; i++) {
			const cu__entry *e = ctx->entries[idx[i]];
			if ((e->flags & CU__E_UNPRICED) && stamp[e->model] != mark) {
				stamp[e->model] = mark;
				r->unpriced[r->nunpriced++] = r->strings[e->model];
			}
		}
	}
	qsort(r->unpriced, r->nunpriced, sizeof *r->unpriced, cmp_name);
}

static int build(cu_blocks *r, const cu_ctx *ctx, uint32_t flags)
{
	size_t nmodels = ctx->store.models.count;
	uint32_t *idx = malloc((ctx->n + 1) * sizeof *idx);
	uint32_t *stamp = calloc(nmodels + 1, sizeof *stamp);
	spans sp = { 0 };
	int rc = -1;
	if (!idx || !stamp || copy_models(r, ctx) != 0 ||
	    max_tokens(ctx, idx, r->length_ms, r->now_ms, &r->max_tokens) != 0)
		goto out;
	size_t n = 0;
	for (size_t i = 0; i < ctx->n; i++)
		if (cu__ctx_entry_selected(ctx, ctx->entries[i]))
			idx[n++] = (uint32_t)i;
	if (identify(ctx->entries, idx, n, r->length_ms, &sp) != 0)
		goto out;
	r->v = calloc(sp.n + 1, sizeof *r->v);
	if (!r->v)
		goto out;
	/* Stamps count down from the top, two per block: model listed, model seen. */
	uint32_t mark = UINT32_MAX;
	for (size_t k = 0; k < sp.n; k++, r->n++, mark -= 2) {
		cu_block *b = &r->v[k];
		if (mark < 4) {
			memset(stamp, 0, (nmodels + 1) * sizeof *stamp);
			mark = UINT32_MAX;
		}
		if (add_up(b, &sp.v[k], ctx->entries, idx, stamp, mark, r->strings) != 0)
			goto out;
		if (b->nmodels > 1)
			qsort(b->models, b->nmodels, sizeof *b->models, cmp_name);
		b->active = !b->gap && is_active(&sp.v[k], b->last_ms, r->now_ms, r->length_ms);
		rate(b, r->now_ms);
	}
	select_blocks(r, sp.v, flags);
	memset(stamp, 0, (nmodels + 1) * sizeof *stamp);
	collect_unpriced(r, ctx, sp.v, r->n, idx, stamp, 1);
	rc = 0;
out:
	free(idx);
	free(stamp);
	free(sp.v);
	return rc;
}

int cu_blocks_new(cu_ctx *ctx, int64_t block_ms, uint32_t flags, cu_blocks **out)
{
	if (!ctx || !out)
		return ctx ? cu__ctx_error(ctx, CU_EINVALID, "out is NULL") : CU_EINVALID;
	*out = NULL;
	if (block_ms < 0 || block_ms > MAX_BLOCK_MS)
		return cu__ctx_error(ctx, CU_EINVALID, "block length must be from 1 ms to 366 days, not %lld ms",
		                     (long long)block_ms);
	if (flags & ~(uint32_t)(CU_BLOCKS_ACTIVE | CU_BLOCKS_RECENT | CU_BLOCKS_DESC))
		return cu__ctx_error(ctx, CU_EINVALID, "unknown blocks flags 0x%x", (unsigned)flags);
	if (!ctx->loaded)
		return cu__ctx_error(ctx, CU_ESTATE, "nothing loaded: call cu_ctx_load() first");
	cu_blocks *r = calloc(1, sizeof *r);
	if (!r)
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory while building blocks");
	r->length_ms = block_ms ? block_ms : CU_BLOCK_DEFAULT_MS;
	r->now_ms = cu_ctx_now(ctx);
	if (build(r, ctx, flags) != 0 || cu__ctx_diag_summary(ctx, &r->diag) != 0) {
		cu_blocks_free(r);
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory while building blocks");
	}
	ctx->err[0] = '\0';
	*out = r;
	return CU_OK;
}

void cu_blocks_free(cu_blocks *blocks)
{
	if (!blocks)
		return;
	for (size_t i = 0; i < blocks->n; i++)
		free(blocks->v[i].models);
	free(blocks->v);
	for (size_t i = 0; i < blocks->nstrings; i++)
		free(blocks->strings[i]);
	free(blocks->strings);
	free(blocks->unpriced);
	cu__diag_summary_clear(&blocks->diag);
	free(blocks);
}

size_t cu_blocks_count(const cu_blocks *blocks)
{
	return blocks ? blocks->n : 0;
}

const cu_block *cu_blocks_at(const cu_blocks *blocks, size_t i)
{
	return blocks && i < blocks->n ? &blocks->v[i] : NULL;
}

const cu_block *cu_blocks_active(const cu_blocks *blocks)
{
	const cu_block *found = NULL;
	for (size_t i = 0; blocks && i < blocks->n; i++)
		if (blocks->v[i].active && (!found || blocks->v[i].start_ms > found->start_ms))
			found = &blocks->v[i];
	return found;
}

int64_t cu_blocks_length_ms(const cu_blocks *blocks)
{
	return blocks ? blocks->length_ms : 0;
}

int64_t cu_blocks_now(const cu_blocks *blocks)
{
	return blocks ? blocks->now_ms : 0;
}

int64_t cu_blocks_max_tokens(const cu_blocks *blocks)
{
	return blocks ? blocks->max_tokens : 0;
}

size_t cu_blocks_unpriced_count(const cu_blocks *blocks)
{
	return blocks ? blocks->nunpriced : 0;
}

const char *cu_blocks_unpriced(const cu_blocks *blocks, size_t i)
{
	return blocks && i < blocks->nunpriced ? blocks->unpriced[i] : NULL;
}

int64_t cu_block_start(const cu_block *block)
{
	return block ? block->start_ms : 0;
}

int64_t cu_block_end(const cu_block *block)
{
	return block ? block->end_ms : 0;
}

int64_t cu_block_actual_end(const cu_block *block)
{
	return block && !block->gap ? block->last_ms : 0;
}

int cu_block_is_active(const cu_block *block)
{
	return block ? block->active : 0;
}

int cu_block_is_gap(const cu_block *block)
{
	return block ? block->gap : 0;
}

int64_t cu_block_entries(const cu_block *block)
{
	return block ? block->entries : 0;
}

int64_t cu_block_input_tokens(const cu_block *block)
{
	return block ? block->input : 0;
}

int64_t cu_block_output_tokens(const cu_block *block)
{
	return block ? block->output : 0;
}

int64_t cu_block_cache_creation_tokens(const cu_block *block)
{
	return block ? block->cache_create : 0;
}

int64_t cu_block_cache_read_tokens(const cu_block *block)
{
	return block ? block->cache_read : 0;
}

int64_t cu_block_total_tokens(const cu_block *block)
{
	return block ? total_of(block) : 0;
}

double cu_block_cost_usd(const cu_block *block)
{
	return block ? block->cost : 0.0;
}

size_t cu_block_model_count(const cu_block *block)
{
	return block ? block->nmodels : 0;
}

const char *cu_block_model(const cu_block *block, size_t i)
{
	return block && i < block->nmodels ? block->models[i] : NULL;
}

int cu_block_burn_rate(const cu_block *block, double *tokens_per_minute,
                       double *indicator_tokens_per_minute, double *cost_per_hour)
{
	int has = block && block->has_rate;
	if (tokens_per_minute)
		*tokens_per_minute = has ? block->tokens_per_minute : 0.0;
	if (indicator_tokens_per_minute)
		*indicator_tokens_per_minute = has ? block->indicator_per_minute : 0.0;
	if (cost_per_hour)
		*cost_per_hour = has ? block->cost_per_hour : 0.0;
	return has ? CU_OK : CU_ENOTFOUND;
}

int32_t cu_block_burn_level(const cu_block *block)
{
	if (!block || !block->has_rate)
		return CU_BURN_NONE;
	if (block->indicator_per_minute < MODERATE_TPM)
		return CU_BURN_NORMAL;
	return block->indicator_per_minute < HIGH_TPM ? CU_BURN_MODERATE : CU_BURN_HIGH;
}

int cu_block_projection(const cu_block *block, int64_t *total_tokens, double *total_cost,
                        int64_t *remaining_minutes)
{
	int has = block && block->has_rate;
	if (total_tokens)
		*total_tokens = has ? block->projected_tokens : 0;
	if (total_cost)
		*total_cost = has ? block->projected_cost : 0.0;
	if (remaining_minutes)
		*remaining_minutes = has ? block->remaining_minutes : 0;
	return has ? CU_OK : CU_ENOTFOUND;
}

int32_t cu_block_limit_status(const cu_block *block, int64_t limit, double *percent_used)
{
	if (percent_used)
		*percent_used = 0.0;
	if (!block || block->gap || limit <= 0)
		return CU_LIMIT_NONE;
	int64_t tokens = block->has_rate ? block->projected_tokens : total_of(block);
	if (percent_used)
		*percent_used = 100.0 * (double)tokens / (double)limit;
	if (tokens > limit)
		return CU_LIMIT_EXCEEDS;
	return (double)tokens > WARNING_SHARE * (double)limit ? CU_LIMIT_WARNING : CU_LIMIT_OK;
}

int64_t cu_block_usage_limit_reset(const cu_block *block)
{
	return block ? block->reset_ms : 0;
}
