/*
 * blocks.c - the blocks command: 5-hour billing blocks as a table (in the
 * layout of the reference tool), as the detail of the active block
 * (--active), or as JSON.
 */
#include "blocks.h"
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE_MS INT64_C(60000)
#define HOUR_MS INT64_C(3600000)

/* Local "YYYY-MM-DD HH:MM" in the context's timezone. */
static void local_time(const cu_ctx *ctx, int64_t ms, char *buf, size_t size)
{
	char t[24];
	if (cu_ctx_format_time(ctx, ms, t, sizeof t) != CU_OK)
		t[0] = '\0';
	snprintf(buf, size, "%.16s", t);
}

/* "2h 5m" or "5m"; truncating, as the reference tool does. */
static void duration(int64_t ms, int always_hours, char *buf, size_t size)
{
	int64_t m = ms / MINUTE_MS;
	if (m < 0)
		m = 0;
	if (m >= 60 || always_hours)
		snprintf(buf, size, "%lldh %lldm", (long long)(m / 60), (long long)(m % 60));
	else
		snprintf(buf, size, "%lldm", (long long)m);
}

static const char *level_name(int32_t level)
{
	switch (level) {
	case CU_BURN_NORMAL: return "Normal";
	case CU_BURN_MODERATE: return "Moderate";
	case CU_BURN_HIGH: return "High";
	default: return "-";
	}
}

static const char *block_model(const void *b, size_t i)
{
	return cu_block_model(b, i);
}

/* "- sonnet-4\n- opus-4-1", or "-" */
static char *models_cell(const cu_block *b)
{
	return fmt_model_list(b, cu_block_model_count(b), block_model, "-");
}

typedef struct view {
	const cu_ctx *ctx;
	const cu_blocks *blocks;
	int64_t limit;   /* resolved: tokens, 0 for none */
	int compact;     /* without the models column, labels on two lines */
} view;

static int add(table *t, const view *v, const char *label, const char *status, const char *models,
               const char *tokens, const char *pct, const char *cost, int style)
{
	const char *cells[6];
	size_t k = 0;
	cells[k++] = label;
	cells[k++] = status;
	if (!v->compact)
		cells[k++] = models;
	cells[k++] = tokens;
	if (v->limit > 0)
		cells[k++] = pct;
	cells[k++] = cost;
	if (table_add(t, cells) != 0)
		return -1;
	if (style)
		table_style_last(t, style);
	return 0;
}

static void percent(int64_t tokens, int64_t limit, char *buf, size_t size)
{
	snprintf(buf, size, "%.1f%%", limit > 0 ? 100.0 * (double)tokens / (double)limit : 0.0);
}

static int add_gap(table *t, const view *v, const cu_block *b)
{
	char from[24], to[24], label[96];
	local_time(v->ctx, cu_block_start(b), from, sizeof from);
	local_time(v->ctx, cu_block_end(b), to, sizeof to);
	snprintf(label, sizeof label, "%s -%s%s (%lldh gap)", from, v->compact ? "\n" : " ", to,
	         (long long)((cu_block_end(b) - cu_block_start(b)) / HOUR_MS));
	return add(t, v, label, "(inactive)", "-", "-", "-", "-", 1);
}

/* The active block's extra rows: what is left of the limit, the burn rate, the projection. */
static int add_active_rows(table *t, const view *v, const cu_block *b)
{
	char a[64], c[64], d[64], label[96];
	int64_t total = cu_block_total_tokens(b);
	if (v->limit > 0) {
		int64_t left = v->limit > total ? v->limit - total : 0;
		fmt_int(v->limit, a, sizeof a);
		snprintf(label, sizeof label, "(assuming %s token limit)", a);
		fmt_int(left, c, sizeof c);
		percent(left, v->limit, d, sizeof d);
		table_separate(t);
		if (add(t, v, label, "REMAINING", "", c, d, "", 1) != 0)
			return -1;
	}
	double tpm, ind, cph;
	if (cu_block_burn_rate(b, &tpm, &ind, &cph) != CU_OK)
		return 0;
	fmt_int(llround(ind), a, sizeof a);
	snprintf(label, sizeof label, "(input + output %s/min: %s)", a,
	         level_name(cu_block_burn_level(b)));
	fmt_int(llround(tpm), a, sizeof a);
	strcat(a, "/min");
	fmt_cost(cph, c, sizeof c);
	strcat(c, "/h");
	table_separate(t);
	if (add(t, v, label, "BURN RATE", "", a, "", c, 1) != 0)
		return -1;
	int64_t ptok, mins;
	double pcost;
	cu_block_projection(b, &ptok, &pcost, &mins);
	fmt_int(ptok, a, sizeof a);
	percent(ptok, v->limit, d, sizeof d);
	fmt_cost(pcost, c, sizeof c);
	table_separate(t);
	return add(t, v, "(assuming current burn rate)", "PROJECTED", "", a, d, c, 1);
}

static int add_block(table *t, const view *v, const cu_block *b)
{
	char start[24], span[48], label[128], status[64] = "", tokens[32], pct[32], cost[32];
	int64_t now = cu_blocks_now(v->blocks);
	local_time(v->ctx, cu_block_start(b), start, sizeof start);
	if (cu_block_is_active(b)) {
		char el[24], rem[24];
		duration(now - cu_block_start(b), 1, el, sizeof el);
		duration(cu_block_end(b) - now, 1, rem, sizeof rem);
		snprintf(label, sizeof label, "%s%s(%s elapsed, %s remaining)", start,
		         v->compact ? "\n" : " ", el, rem);
		strcpy(status, "ACTIVE");
	} else {
		duration(cu_block_actual_end(b) - cu_block_start(b), 0, span, sizeof span);
		snprintf(label, sizeof label, "%s (%s)", start, span);
	}
	if (cu_block_usage_limit_reset(b)) {
		char reset[24];
		local_time(v->ctx, cu_block_usage_limit_reset(b), reset, sizeof reset);
		snprintf(status + strlen(status), sizeof status - strlen(status),
		         "%sLIMIT HIT\nresets %s", status[0] ? "\n" : "", reset);
	}
	fmt_int(cu_block_total_tokens(b), tokens, sizeof tokens);
	percent(cu_block_total_tokens(b), v->limit, pct, sizeof pct);
	fmt_cost(cu_block_cost_usd(b), cost, sizeof cost);
	char *models = models_cell(b);
	int rc = models ? add(t, v, label, status, models, tokens, pct, cost,
	                      cu_block_is_active(b) ? 2 : 0) : -1;
	free(models);
	if (rc == 0 && cu_block_is_active(b))
		rc = add_active_rows(t, v, b);
	return rc;
}

static table *make_table(const view *v)
{
	const char *h[6];
	char align[7];
	size_t k = 0;
	h[k] = "Block Start";
	align[k++] = 'l';
	h[k] = "Duration/Status";
	align[k++] = 'l';
	if (!v->compact) {
		h[k] = "Models";
		align[k++] = 'l';
	}
	h[k] = "Tokens";
	align[k++] = 'r';
	if (v->limit > 0) {
		h[k] = "%";
		align[k++] = 'r';
	}
	h[k] = "Cost";
	align[k++] = 'r';
	align[k] = '\0';
	table *t = table_new(k, h, align);
	for (size_t i = 0; t && i < cu_blocks_count(v->blocks); i++) {
		const cu_block *b = cu_blocks_at(v->blocks, i);
		if (i > 0)
			table_separate(t);
		if ((cu_block_is_gap(b) ? add_gap(t, v, b) : add_block(t, v, b)) != 0) {
			table_free(t);
			return NULL;
		}
	}
	return t;
}

static size_t terminal_columns(void)
{
	const char *c = getenv("COLUMNS");
	long v = c ? strtol(c, NULL, 10) : 0;
	return v > 0 ? (size_t)v : 120;
}

static int print_table(const cu_ctx *ctx, const cu_blocks *blocks, const options *o, int color)
{
	/* Without --token-limit the table compares with the largest finished block, as ccusage's. */
	int64_t limit = o->token_limit ? o->token_limit : -1;
	view v = { ctx, blocks, limit < 0 ? cu_blocks_max_tokens(blocks) : limit, 0 };
	table *t = make_table(&v);
	if (t && table_width(t) > terminal_columns()) {
		table_free(t);
		v.compact = 1;
		t = make_table(&v);
	}
	if (!t) {
		fprintf(stderr, "claude-usage: out of memory\n");
		return 1;
	}
	print_banner("📊 Claude Code Token Usage Report - Session Blocks", color);
	table_print(t, color);
	table_free(t);
	if (v.compact)
		printf("\n(compact view: widen the terminal to see the models)\n");
	if (v.limit > 0 && o->token_limit <= 0) {
		char n[32];
		fmt_int(v.limit, n, sizeof n);
		printf("\n%% of the largest finished block (%s tokens); --token-limit N sets another limit.\n", n);
	}
	return 0;
}

static void limit_lines(const cu_block *b, int64_t limit, int is_max)
{
	char a[32], c[32];
	double pct;
	int64_t total = cu_block_total_tokens(b);
	int32_t st = cu_block_limit_status(b, limit, &pct);
	printf("\nToken Limit Status:\n");
	fmt_int(limit, a, sizeof a);
	printf("  Limit:            %s tokens%s\n", a, is_max ? " (the largest finished block)" : "");
	fmt_int(total, a, sizeof a);
	printf("  Current Usage:    %s (%.1f%%)\n", a, 100.0 * (double)total / (double)limit);
	fmt_int(limit > total ? limit - total : 0, c, sizeof c);
	printf("  Remaining:        %s tokens\n", c);
	printf("  %s %.1f%% %s\n", cu_block_projection(b, NULL, NULL, NULL) == CU_OK ?
	       "Projected Usage: " : "Usage:           ", pct,
	       st == CU_LIMIT_EXCEEDS ? "EXCEEDS LIMIT" : st == CU_LIMIT_WARNING ? "WARNING" : "OK");
}

/* --active without --json: the one active block in detail. */
static void print_active(const cu_ctx *ctx, const cu_blocks *blocks, const options *o, int color)
{
	const cu_block *b = cu_blocks_active(blocks);
	if (!b) {
		printf("No active session block found.\n");
		return;
	}
	char a[32], c[32];
	int64_t now = cu_blocks_now(blocks);
	print_banner("Current Session Block Status", color);
	local_time(ctx, cu_block_start(b), a, sizeof a);
	printf("Block Started:   %s (%s)\n", a, cu_ctx_timezone(ctx));
	local_time(ctx, cu_block_end(b), a, sizeof a);
	printf("Block Ends:      %s\n", a);
	duration(now - cu_block_start(b), 1, a, sizeof a);
	printf("Time Elapsed:    %s\n", a);
	duration(cu_block_end(b) - now, 1, a, sizeof a);
	printf("Time Remaining:  %s\n", a);
	if (cu_block_usage_limit_reset(b)) {
		local_time(ctx, cu_block_usage_limit_reset(b), a, sizeof a);
		printf("Usage Limit:     reached; resets %s\n", a);
	}
	printf("\nCurrent Usage:\n");
	const struct { const char *name; int64_t v; } rows[] = {
		{ "Input Tokens:    ", cu_block_input_tokens(b) },
		{ "Output Tokens:   ", cu_block_output_tokens(b) },
		{ "Cache Create:    ", cu_block_cache_creation_tokens(b) },
		{ "Cache Read:      ", cu_block_cache_read_tokens(b) },
		{ "Total Tokens:    ", cu_block_total_tokens(b) },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		fmt_int(rows[i].v, a, sizeof a);
		printf("  %s %s\n", rows[i].name, a);
	}
	fmt_cost(cu_block_cost_usd(b), a, sizeof a);
	printf("  Total Cost:       %s\n", a);
	double tpm, ind, cph;
	if (cu_block_burn_rate(b, &tpm, &ind, &cph) == CU_OK) {
		int64_t ptok, mins;
		double pcost;
		fmt_int(llround(tpm), a, sizeof a);
		fmt_int(llround(ind), c, sizeof c);
		printf("\nBurn Rate:\n  Tokens/minute:    %s (input + output %s: %s)\n", a, c,
		       level_name(cu_block_burn_level(b)));
		fmt_cost(cph, a, sizeof a);
		printf("  Cost/hour:        %s\n", a);
		cu_block_projection(b, &ptok, &pcost, &mins);
		fmt_int(ptok, a, sizeof a);
		fmt_cost(pcost, c, sizeof c);
		printf("\nProjected Usage (if current rate continues for %lld min):\n", (long long)mins);
		printf("  Total Tokens:     %s\n  Total Cost:       %s\n", a, c);
	}
	/* As in the table: without --token-limit, the largest finished block. */
	int64_t limit = o->token_limit > 0 ? o->token_limit : cu_blocks_max_tokens(blocks);
	if (limit > 0)
		limit_lines(b, limit, o->token_limit <= 0);
}

int blocks_command(cu_ctx *ctx, const options *o, int color)
{
	uint32_t flags = (o->active ? CU_BLOCKS_ACTIVE : 0u) | (o->recent ? CU_BLOCKS_RECENT : 0u) |
	                 (o->desc ? CU_BLOCKS_DESC : 0u);
	cu_blocks *blocks = NULL;
	if (cu_blocks_new(ctx, o->block_ms, flags, &blocks) != CU_OK) {
		fprintf(stderr, "claude-usage: %s\n", cu_ctx_last_error(ctx));
		return 1;
	}
	int rc = 0;
	if (o->json) {
		char *text = NULL;
		if (cu_blocks_to_json(blocks, 0, o->token_limit, &text) != CU_OK) {
			fprintf(stderr, "claude-usage: cannot produce JSON: out of memory\n");
			rc = 1;
		} else {
			puts(text);
		}
		cu_free(text);
	} else if (o->active) {
		print_active(ctx, blocks, o, color);
	} else if (cu_blocks_count(blocks) == 0) {
		printf("No Claude Code usage data found for the selected period.\n");
	} else {
		rc = print_table(ctx, blocks, o, color);
	}
	for (size_t i = 0; rc == 0 && !o->json && i < cu_blocks_unpriced_count(blocks); i++)
		printf("%sNote: no price for model %s; its cost is not included.\n", i ? "" : "\n",
		       cu_blocks_unpriced(blocks, i));
	cu_blocks_free(blocks);
	return rc;
}
