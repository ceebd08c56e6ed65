/*
 * blocks-json.c - billing blocks as JSON, in ccusage's field names and
 * shape ({"blocks": [...]}) so that jq scripts written for it keep working.
 */
#include "blocks-private.h"
#include "json-private.h"
#include "time-private.h"

#include <claudeusage/cu-report.h>
#include <claudeusage/cu-status.h>

#include <jansson.h>
#include <math.h>
#include <string.h>

static json_t *time_value(int64_t ms)
{
	char buf[25];
	cu__format_timestamp(ms, buf);
	return json_string(buf);
}

static json_t *id_value(const cu_block *b)
{
	char buf[32];
	cu__format_timestamp(b->start_ms, b->gap ? buf + 4 : buf);
	if (b->gap)
		memcpy(buf, "gap-", 4);
	return json_string(buf);
}

static json_t *token_counts(const cu_block *b)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "inputTokens", (json_int_t)b->input,
	                 "outputTokens", (json_int_t)b->output, "cacheCreationInputTokens",
	                 (json_int_t)b->cache_create, "cacheReadInputTokens",
	                 (json_int_t)b->cache_read);
}

static json_t *models_value(const cu_block *b)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < b->nmodels; i++) {
		if (json_array_append_new(a, json_string(b->models[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* ccusage's tokenLimitStatus: the projection against the limit. */
static json_t *limit_value(const cu_block *b, int64_t limit)
{
	double percent;
	int32_t st = cu_block_limit_status(b, limit, &percent);
	const char *name = st == CU_LIMIT_EXCEEDS ? "exceeds" : st == CU_LIMIT_WARNING ? "warning" : "ok";
	return json_pack("{s:I, s:I, s:f, s:s}", "limit", (json_int_t)limit, "projectedUsage",
	                 (json_int_t)b->projected_tokens, "percentUsed", percent, "status", name);
}

static json_t *block_json(const cu_block *b, int64_t limit)
{
	json_t *o = json_object();
	int rc = o ? 0 : -1;
	rc |= cu__json_put(o, "id", id_value(b));
	rc |= cu__json_put(o, "startTime", time_value(b->start_ms));
	rc |= cu__json_put(o, "endTime", time_value(b->end_ms));
	rc |= cu__json_put(o, "actualEndTime", b->gap ? json_null() : time_value(b->last_ms));
	rc |= cu__json_put(o, "isActive", json_boolean(b->active));
	rc |= cu__json_put(o, "isGap", json_boolean(b->gap));
	rc |= cu__json_put(o, "entries", json_integer(b->entries));
	rc |= cu__json_put(o, "tokenCounts", token_counts(b));
	rc |= cu__json_put(o, "totalTokens", json_integer(b->input + b->output + b->cache_create + b->cache_read));
	rc |= cu__json_put(o, "costUSD", json_real(b->cost));
	rc |= cu__json_put(o, "models", models_value(b));
	if (b->has_rate) {
		rc |= cu__json_put(o, "burnRate",
		          json_pack("{s:f, s:f, s:f}", "tokensPerMinute", b->tokens_per_minute,
		                    "tokensPerMinuteForIndicator", b->indicator_per_minute,
		                    "costPerHour", b->cost_per_hour));
		/* Cents, as ccusage rounds it. */
		rc |= cu__json_put(o, "projection",
		          json_pack("{s:I, s:f, s:I}", "totalTokens", (json_int_t)b->projected_tokens,
		                    "totalCost", round(b->projected_cost * 100.0) / 100.0,
		                    "remainingMinutes", (json_int_t)b->remaining_minutes));
		if (limit > 0)
			rc |= cu__json_put(o, "tokenLimitStatus", limit_value(b, limit));
	} else {
		rc |= cu__json_put(o, "burnRate", json_null());
		rc |= cu__json_put(o, "projection", json_null());
	}
	if (b->reset_ms)
		rc |= cu__json_put(o, "usageLimitResetTime", time_value(b->reset_ms));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *blocks_json(const cu_blocks *r, int64_t limit)
{
	json_t *root = json_object(), *list = json_array();
	json_t *unpriced = cu__json_strings(r->unpriced, r->nunpriced);
	int rc = root && list && unpriced ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < r->n; i++)
		rc |= json_array_append_new(list, block_json(&r->v[i], limit));
	if (rc == 0) {
		rc |= cu__json_put(root, "blocks", list);
		list = NULL;
		rc |= cu__json_put(root, "unpricedModels", unpriced);
		unpriced = NULL;
		rc |= cu__json_put(root, "diagnostics", cu__diag_summary_json(&r->diag));
	}
	json_decref(list);
	json_decref(unpriced);
	if (rc != 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int cu_blocks_to_json(const cu_blocks *blocks, uint32_t flags, int64_t token_limit, char **out)
{
	if (!out)
		return CU_EINVALID;
	*out = NULL;
	if (!blocks || token_limit < CU_TOKEN_LIMIT_MAX)
		return CU_EINVALID;
	int64_t limit = token_limit == CU_TOKEN_LIMIT_MAX ? blocks->max_tokens : token_limit;
	json_t *root = blocks_json(blocks, limit);
	return cu__json_text(root, flags, out);
}
