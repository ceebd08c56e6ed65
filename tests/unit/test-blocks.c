/*
 * test-blocks.c - 5-hour billing blocks through the public API only, on
 * small hand-made timelines written as JSONL into a temporary directory.
 * Every expected value is worked out by hand in the comments.
 */
#include <claudeusage/claudeusage.h>

#include "test-util.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SONNET "claude-sonnet-4-20250514"
#define OPUS "claude-opus-4-1-20250805"
#define MIN_MS INT64_C(60000)
#define HOUR_MS INT64_C(3600000)

/* Unix ms of the instants the tests use (UTC). */
#define T_0601_1000 INT64_C(1748772000000)
#define T_0601_1500 INT64_C(1748790000000)
#define T_0601_2000 INT64_C(1748808000000)
#define T_0602_0200 INT64_C(1748829600000)
#define T_0602_0230 INT64_C(1748831400000)
#define T_0609_0800 INT64_C(1749456000000)
#define T_0609_1300 INT64_C(1749474000000)
#define T_0610_1200 INT64_C(1749556800000)
#define T_0610_1240 INT64_C(1749559200000)
#define T_0610_1300 INT64_C(1749560400000)
#define T_0610_1700 INT64_C(1749574800000)
#define T_0610_1900 INT64_C(1749582000000)
#define T_0612_1300 INT64_C(1749733200000)
#define T_0701_1000 INT64_C(1751364000000)

#define ck_assert_close(got, want) \
	ck_assert_msg(fabs((got) - (want)) <= 1e-12 * fmax(1.0, fabs(want)), "%.17g != %.17g", (got), (want))

static char *dir;
static cu_ctx *ctx;

static void setup(void)
{
	dir = make_tmpdir();
	ck_assert_int_eq(cu_ctx_new(&ctx), CU_OK);
	ck_assert_int_eq(cu_ctx_add_root(ctx, dir), CU_OK);
	ck_assert_int_eq(cu_ctx_set_timezone(ctx, "UTC"), CU_OK);
}

static void teardown(void)
{
	cu_ctx_free(ctx);
	ctx = NULL;
	remove_tree(dir);
	free(dir);
}

/* Append one usage line per call to text (a buffer of size 8192). */
static void line(char *text, const char *ts, const char *id, const char *model, int in, int out,
                 int cc, int cr)
{
	char buf[1024];
	usage_line(buf, sizeof buf, ts, id, id, model, in, out, cc, cr);
	strncat(text, buf, 8192 - strlen(text) - 1);
}

static double cost(const char *model, int in, int out, int cc, int cr)
{
	double usd = -1;
	ck_assert_int_eq(cu_ctx_compute_cost(ctx, model, in, out, cc, 0, cr, &usd), CU_OK);
	return usd;
}

static cu_blocks *blocks(int64_t block_ms, uint32_t flags)
{
	cu_blocks *b = NULL;
	ck_assert_int_eq(cu_blocks_new(ctx, block_ms, flags, &b), CU_OK);
	ck_assert_ptr_nonnull(b);
	return b;
}

static char *json(const cu_blocks *b, int64_t limit)
{
	char *text = NULL;
	ck_assert_int_eq(cu_blocks_to_json(b, CU_JSON_COMPACT, limit, &text), CU_OK);
	ck_assert_ptr_nonnull(text);
	return text;
}

#define ck_assert_json_has(text, want) \
	ck_assert_msg(strstr((text), (want)) != NULL, "%s\nnot in\n%s", (want), (text))

/*
 * The boundaries: A at 10:15 starts a block at 10:00; B exactly 5 h after
 * the block's start stays in it; C 1 ms later starts a block at 15:00 (no
 * gap: C is 1 ms after B); D 11.5 h after C starts a block at 02:00 and
 * leaves a gap from C + 5 h (20:00:00.001) to D.
 */
static void write_boundaries(void)
{
	char p[8192] = "", q[8192] = "";
	line(p, "2025-06-01T10:15:00Z", "a", SONNET, 100, 200, 0, 0);
	line(p, "2025-06-01T15:00:00.000Z", "b", OPUS, 10, 20, 30, 40);
	line(p, "2025-06-01T15:00:00.001Z", "c", SONNET, 1, 2, 3, 4);
	line(q, "2025-06-02T02:30:00Z", "d", OPUS, 5, 5, 5, 5);
	put_file(dir, "projects/-home-u-p/s1.jsonl", p);
	put_file(dir, "projects/-home-u-q/s2.jsonl", q);
	ck_assert_int_eq(cu_ctx_load(ctx), CU_OK);
}

START_TEST(boundaries_and_gap)
{
	write_boundaries();
	cu_blocks *b = blocks(0, 0);
	ck_assert_int_eq(cu_blocks_length_ms(b), 5 * HOUR_MS);
	ck_assert_uint_eq(cu_blocks_count(b), 4);

	const cu_block *b1 = cu_blocks_at(b, 0);
	ck_assert_int_eq(cu_block_start(b1), T_0601_1000);
	ck_assert_int_eq(cu_block_end(b1), T_0601_1500);
	ck_assert_int_eq(cu_block_actual_end(b1), T_0601_1500); /* B, exactly at the end */
	ck_assert(!cu_block_is_gap(b1) && !cu_block_is_active(b1));
	ck_assert_int_eq(cu_block_entries(b1), 2);
	ck_assert_int_eq(cu_block_input_tokens(b1), 110);
	ck_assert_int_eq(cu_block_output_tokens(b1), 220);
	ck_assert_int_eq(cu_block_cache_creation_tokens(b1), 30);
	ck_assert_int_eq(cu_block_cache_read_tokens(b1), 40);
	ck_assert_int_eq(cu_block_total_tokens(b1), 400);
	ck_assert_close(cu_block_cost_usd(b1), cost(SONNET, 100, 200, 0, 0) + cost(OPUS, 10, 20, 30, 40));
	ck_assert_uint_eq(cu_block_model_count(b1), 2);
	ck_assert_str_eq(cu_block_model(b1, 0), OPUS); /* sorted by name */
	ck_assert_str_eq(cu_block_model(b1, 1), SONNET);
	ck_assert_ptr_null(cu_block_model(b1, 2));
	ck_assert_int_eq(cu_block_burn_rate(b1, NULL, NULL, NULL), CU_ENOTFOUND); /* not active */
	ck_assert_int_eq(cu_block_usage_limit_reset(b1), 0);

	const cu_block *b2 = cu_blocks_at(b, 1);
	ck_assert_int_eq(cu_block_start(b2), T_0601_1500);
	ck_assert_int_eq(cu_block_end(b2), T_0601_2000);
	ck_assert_int_eq(cu_block_actual_end(b2), T_0601_1500 + 1);
	ck_assert_int_eq(cu_block_total_tokens(b2), 10);

	const cu_block *gap = cu_blocks_at(b, 2);
	ck_assert(cu_block_is_gap(gap) && !cu_block_is_active(gap));
	ck_assert_int_eq(cu_block_start(gap), T_0601_2000 + 1);
	ck_assert_int_eq(cu_block_end(gap), T_0602_0230);
	ck_assert_int_eq(cu_block_actual_end(gap), 0);
	ck_assert_int_eq(cu_block_entries(gap), 0);
	ck_assert_int_eq(cu_block_total_tokens(gap), 0);
	ck_assert_uint_eq(cu_block_model_count(gap), 0);
	ck_assert_int_eq(cu_block_limit_status(gap, 1000, NULL), CU_LIMIT_NONE);

	const cu_block *b3 = cu_blocks_at(b, 3);
	ck_assert_int_eq(cu_block_start(b3), T_0602_0200);
	ck_assert_int_eq(cu_block_end(b3), T_0602_0200 + 5 * HOUR_MS);
	ck_assert_int_eq(cu_block_actual_end(b3), T_0602_0230);
	ck_assert_ptr_null(cu_blocks_at(b, 4));
	ck_assert_ptr_null(cu_blocks_active(b));
	/* every block is long finished: the largest is b1 */
	ck_assert_int_eq(cu_blocks_max_tokens(b), 400);
	cu_blocks_free(b);

	b = blocks(0, CU_BLOCKS_DESC);
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 0)), T_0602_0200);
	ck_assert(cu_block_is_gap(cu_blocks_at(b, 1)));
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 3)), T_0601_1000);
	cu_blocks_free(b);
}
END_TEST

START_TEST(json_fields)
{
	write_boundaries();
	cu_blocks *b = blocks(0, 0);
	char *text = json(b, 0);
	ck_assert_json_has(text, "{\"blocks\":[{\"id\":\"2025-06-01T10:00:00.000Z\","
	                         "\"startTime\":\"2025-06-01T10:00:00.000Z\","
	                         "\"endTime\":\"2025-06-01T15:00:00.000Z\","
	                         "\"actualEndTime\":\"2025-06-01T15:00:00.000Z\","
	                         "\"isActive\":false,\"isGap\":false,\"entries\":2,"
	                         "\"tokenCounts\":{\"inputTokens\":110,\"outputTokens\":220,"
	                         "\"cacheCreationInputTokens\":30,\"cacheReadInputTokens\":40},"
	                         "\"totalTokens\":400,\"costUSD\":");
	ck_assert_json_has(text, "\"models\":[\"" OPUS "\",\"" SONNET "\"],\"burnRate\":null,"
	                         "\"projection\":null}");
	ck_assert_json_has(text, "{\"id\":\"gap-2025-06-01T20:00:00.001Z\","
	                         "\"startTime\":\"2025-06-01T20:00:00.001Z\","
	                         "\"endTime\":\"2025-06-02T02:30:00.000Z\",\"actualEndTime\":null,"
	                         "\"isActive\":false,\"isGap\":true,\"entries\":0,");
	ck_assert_json_has(text, "\"models\":[],\"burnRate\":null");
	ck_assert_json_has(text, "\"unpricedModels\":[],\"diagnostics\":{\"files\":2,\"unreadable\":0,"
	                         "\"lines\":4,\"usageLines\":4,\"duplicates\":0,\"entries\":4,");
	ck_assert_json_has(text, "\"malformedLines\":0,\"incompleteLastLines\":0,\"problems\":[],"
	                         "\"problemsNotListed\":0}}");
	ck_assert(strstr(text, "tokenLimitStatus") == NULL);    /* only for a projection */
	ck_assert(strstr(text, "usageLimitResetTime") == NULL); /* none here */
	cu_free(text);
	/* indented by default */
	ck_assert_int_eq(cu_blocks_to_json(b, 0, 0, &text), CU_OK);
	ck_assert_json_has(text, "\"blocks\": [");
	cu_free(text);
	ck_assert_int_eq(cu_blocks_to_json(b, 0, -2, &text), CU_EINVALID);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(cu_blocks_to_json(NULL, 0, 0, &text), CU_EINVALID);
	cu_blocks_free(b);
}
END_TEST

/* A half-hour zone changes what is shown, not where blocks start (UTC hours). */
START_TEST(half_hour_timezone)
{
	ck_assert_int_eq(cu_ctx_set_timezone(ctx, "Asia/Kolkata"), CU_OK);
	write_boundaries();
	cu_blocks *b = blocks(0, 0);
	ck_assert_uint_eq(cu_blocks_count(b), 4);
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 0)), T_0601_1000);
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 3)), T_0602_0200);
	char buf[32];
	ck_assert_int_eq(cu_ctx_format_time(ctx, T_0601_1000, buf, sizeof buf), CU_OK);
	ck_assert_str_eq(buf, "2025-06-01 15:30:00");
	ck_assert_int_eq(cu_ctx_format_time(ctx, T_0601_2000 + 1, buf, sizeof buf), CU_OK);
	ck_assert_str_eq(buf, "2025-06-02 01:30:00");
	ck_assert_int_eq(cu_ctx_format_time(ctx, T_0601_1000, buf, 19), CU_EINVALID);
	/* JSON stays UTC */
	char *text = json(b, 0);
	ck_assert_json_has(text, "\"startTime\":\"2025-06-01T10:00:00.000Z\"");
	cu_free(text);
	cu_blocks_free(b);
	ck_assert_int_eq(cu_ctx_set_timezone(ctx, "UTC"), CU_OK);
	ck_assert_int_eq(cu_ctx_format_time(ctx, T_0601_1000 + 999, buf, sizeof buf), CU_OK);
	ck_assert_str_eq(buf, "2025-06-01 10:00:00");
}
END_TEST

/* Date range and project select entries; the `max` limit is taken before them. */
START_TEST(filters_and_max)
{
	write_boundaries();
	ck_assert_int_eq(cu_ctx_set_since(ctx, "2025-06-02"), CU_OK);
	cu_blocks *b = blocks(0, 0);
	ck_assert_uint_eq(cu_blocks_count(b), 1); /* D alone: no gap before it */
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 0)), T_0602_0200);
	ck_assert_int_eq(cu_blocks_max_tokens(b), 400);
	char *text = json(b, CU_TOKEN_LIMIT_MAX);
	ck_assert(strstr(text, "\"totalTokens\":400") == NULL);
	cu_free(text);
	cu_blocks_free(b);

	ck_assert_int_eq(cu_ctx_set_since(ctx, NULL), CU_OK);
	ck_assert_int_eq(cu_ctx_set_until(ctx, "2025-06-01"), CU_OK);
	b = blocks(0, 0);
	ck_assert_uint_eq(cu_blocks_count(b), 2);
	cu_blocks_free(b);

	ck_assert_int_eq(cu_ctx_set_until(ctx, NULL), CU_OK);
	ck_assert_int_eq(cu_ctx_set_project(ctx, "-home-u-p"), CU_OK);
	b = blocks(0, 0);
	ck_assert_uint_eq(cu_blocks_count(b), 2); /* A+B, C: D is the other project's */
	ck_assert_int_eq(cu_blocks_max_tokens(b), 400);
	cu_blocks_free(b);
	ck_assert_int_eq(cu_ctx_set_project(ctx, "-home-u-q"), CU_OK);
	b = blocks(0, 0);
	ck_assert_uint_eq(cu_blocks_count(b), 1);
	ck_assert_int_eq(cu_block_total_tokens(cu_blocks_at(b, 0)), 20);
	ck_assert_int_eq(cu_blocks_max_tokens(b), 400);
	cu_blocks_free(b);
}
END_TEST

/* --session-length 2: 12:00:00 is exactly 2 h after 10:00 and stays. */
START_TEST(session_length)
{
	char p[8192] = "";
	line(p, "2025-07-01T10:15:00Z", "p", SONNET, 1, 0, 0, 0);
	line(p, "2025-07-01T12:00:00Z", "q", SONNET, 2, 0, 0, 0);
	line(p, "2025-07-01T12:00:00.001Z", "r", SONNET, 4, 0, 0, 0);
	line(p, "2025-07-01T16:00:00.002Z", "s", SONNET, 8, 0, 0, 0);
	put_file(dir, "projects/-home-u-p/s.jsonl", p);
	ck_assert_int_eq(cu_ctx_load(ctx), CU_OK);
	cu_blocks *b = blocks(2 * HOUR_MS, 0);
	ck_assert_int_eq(cu_blocks_length_ms(b), 2 * HOUR_MS);
	ck_assert_uint_eq(cu_blocks_count(b), 4);
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 0)), T_0701_1000);
	ck_assert_int_eq(cu_block_end(cu_blocks_at(b, 0)), T_0701_1000 + 2 * HOUR_MS);
	ck_assert_int_eq(cu_block_input_tokens(cu_blocks_at(b, 0)), 3);
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 1)), T_0701_1000 + 2 * HOUR_MS);
	ck_assert_int_eq(cu_block_input_tokens(cu_blocks_at(b, 1)), 4);
	ck_assert(cu_block_is_gap(cu_blocks_at(b, 2)));
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 2)), T_0701_1000 + 4 * HOUR_MS + 1);
	ck_assert_int_eq(cu_block_end(cu_blocks_at(b, 2)), T_0701_1000 + 6 * HOUR_MS + 2);
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 3)), T_0701_1000 + 6 * HOUR_MS);
	ck_assert_int_eq(cu_blocks_max_tokens(b), 8);
	cu_blocks_free(b);
	/* with the default 5 h: p, q, r from 10:00; s (16:00) 6 h after, 4 h after r: no gap */
	b = blocks(0, 0);
	ck_assert_uint_eq(cu_blocks_count(b), 2);
	ck_assert_int_eq(cu_block_entries(cu_blocks_at(b, 0)), 3);
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 1)), T_0701_1000 + 6 * HOUR_MS);
	cu_blocks_free(b);
}
END_TEST

START_TEST(errors)
{
	cu_blocks *b = NULL;
	ck_assert_int_eq(cu_blocks_new(ctx, 0, 0, &b), CU_ESTATE);
	ck_assert(strstr(cu_ctx_last_error(ctx), "cu_ctx_load") != NULL);
	ck_assert_ptr_null(b);
	write_boundaries();
	ck_assert_int_eq(cu_blocks_new(ctx, -1, 0, &b), CU_EINVALID);
	ck_assert_int_eq(cu_blocks_new(ctx, INT64_MAX, 0, &b), CU_EINVALID);
	ck_assert_int_eq(cu_blocks_new(ctx, 366 * 24 * HOUR_MS + 1, 0, &b), CU_EINVALID);
	ck_assert_int_eq(cu_blocks_new(ctx, 366 * 24 * HOUR_MS, 0, &b), CU_OK);
	ck_assert_uint_eq(cu_blocks_count(b), 1);
	cu_blocks_free(b);
	b = NULL;
	ck_assert_int_eq(cu_blocks_new(ctx, 0, 1u << 9, &b), CU_EINVALID);
	ck_assert_int_eq(cu_blocks_new(ctx, 0, 0, NULL), CU_EINVALID);
	ck_assert_int_eq(cu_blocks_new(NULL, 0, 0, &b), CU_EINVALID);
	cu_blocks_free(NULL);
	ck_assert_uint_eq(cu_blocks_count(NULL), 0);
	ck_assert_int_eq(cu_block_total_tokens(NULL), 0);
	ck_assert_int_eq(cu_block_burn_level(NULL), CU_BURN_NONE);
}
END_TEST

/*
 * An active block: E1 12:10 (1000 in, 2000 out), an API error at 12:20
 * announcing a limit that resets at 19:00, E2 12:40 (3000 in, 6000 out,
 * 3000 cache writes, 15000 cache reads). Block 12:00-17:00, now 13:00.
 * First to last entry: 30 min. Tokens 30000: 1000/min; input + output
 * 12000: 400/min (Normal); cost c: 2c per hour. 240 min remain: projected
 * 30000 + 240 * 1000 = 270000 tokens and c + 8c = 9c. An older finished
 * block O (06-09 08:00, 20000 tokens) is the largest finished one.
 */
static void write_active(void)
{
	char p[8192] = "", err[1024];
	line(p, "2025-06-09T08:00:00Z", "o", SONNET, 20000, 0, 0, 0);
	line(p, "2025-06-10T12:10:00Z", "e1", SONNET, 1000, 2000, 0, 0);
	snprintf(err, sizeof err,
	         "{\"type\":\"assistant\",\"timestamp\":\"2025-06-10T12:20:00Z\",\"requestId\":\"req_err\","
	         "\"isApiErrorMessage\":true,\"message\":{\"id\":\"msg_err\",\"model\":\"<synthetic>\","
	         "\"content\":[{\"type\":\"text\",\"text\":\"Claude AI usage limit reached|%lld\"}],"
	         "\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n",
	         (long long)(T_0610_1900 / 1000));
	strcat(p, err);
	line(p, "2025-06-10T12:40:00Z", "e2", SONNET, 3000, 6000, 3000, 15000);
	put_file(dir, "projects/-home-u-p/s.jsonl", p);
	ck_assert_int_eq(cu_ctx_load(ctx), CU_OK);
}

START_TEST(active_block)
{
	write_active();
	double c = cost(SONNET, 1000, 2000, 0, 0) + cost(SONNET, 3000, 6000, 3000, 15000);
	ck_assert_int_eq(cu_ctx_set_now(ctx, T_0610_1300), CU_OK);
	cu_blocks *b = blocks(0, 0);
	ck_assert_int_eq(cu_blocks_now(b), T_0610_1300);
	ck_assert_uint_eq(cu_blocks_count(b), 3); /* O, gap, active */
	const cu_block *a = cu_blocks_at(b, 2);
	ck_assert_ptr_eq(cu_blocks_active(b), a);
	ck_assert(cu_block_is_active(a));
	ck_assert(!cu_block_is_active(cu_blocks_at(b, 0)));
	ck_assert_int_eq(cu_block_start(a), T_0610_1200);
	ck_assert_int_eq(cu_block_end(a), T_0610_1700);
	ck_assert_int_eq(cu_block_actual_end(a), T_0610_1240);
	ck_assert_int_eq(cu_block_entries(a), 3);       /* the <synthetic> error counts as an entry */
	ck_assert_uint_eq(cu_block_model_count(a), 1); /* but not as a model */
	ck_assert_str_eq(cu_block_model(a, 0), SONNET);
	ck_assert_int_eq(cu_block_total_tokens(a), 30000);
	ck_assert_int_eq(cu_block_usage_limit_reset(a), T_0610_1900);

	double tpm = 0, ind = 0, cph = 0;
	ck_assert_int_eq(cu_block_burn_rate(a, &tpm, &ind, &cph), CU_OK);
	ck_assert_close(tpm, 1000.0);
	ck_assert_close(ind, 400.0);
	ck_assert_close(cph, 2 * c);
	ck_assert_int_eq(cu_block_burn_level(a), CU_BURN_NORMAL);
	int64_t ptok = 0, mins = 0;
	double pcost = 0;
	ck_assert_int_eq(cu_block_projection(a, &ptok, &pcost, &mins), CU_OK);
	ck_assert_int_eq(mins, 240);
	ck_assert_int_eq(ptok, 270000);
	ck_assert_close(pcost, 9 * c);

	/* the largest finished block: O, not the bigger active one */
	ck_assert_int_eq(cu_blocks_max_tokens(b), 20000);
	double pct = 0;
	ck_assert_int_eq(cu_block_limit_status(a, 300000, &pct), CU_LIMIT_WARNING); /* 90 % */
	ck_assert_close(pct, 90.0);
	ck_assert_int_eq(cu_block_limit_status(a, 337500, &pct), CU_LIMIT_OK); /* exactly 80 % */
	ck_assert_close(pct, 80.0);
	ck_assert_int_eq(cu_block_limit_status(a, 270000, &pct), CU_LIMIT_WARNING);
	ck_assert_int_eq(cu_block_limit_status(a, 269999, &pct), CU_LIMIT_EXCEEDS);
	ck_assert_int_eq(cu_block_limit_status(a, 0, &pct), CU_LIMIT_NONE);
	/* a finished block is measured by its total */
	ck_assert_int_eq(cu_block_limit_status(cu_blocks_at(b, 0), 25000, &pct), CU_LIMIT_OK);
	ck_assert_close(pct, 80.0);

	char *text = json(b, 0);
	ck_assert_json_has(text, "\"isActive\":true,\"isGap\":false,\"entries\":3,");
	ck_assert_json_has(text, "\"burnRate\":{\"tokensPerMinute\":1000.0,"
	                         "\"tokensPerMinuteForIndicator\":400.0,\"costPerHour\":");
	ck_assert_json_has(text, "\"projection\":{\"totalTokens\":270000,\"totalCost\":");
	ck_assert_json_has(text, "\"remainingMinutes\":240}");
	ck_assert_json_has(text, "\"usageLimitResetTime\":\"2025-06-10T19:00:00.000Z\"");
	ck_assert(strstr(text, "<synthetic>") == NULL);
	ck_assert(strstr(text, "tokenLimitStatus") == NULL);
	cu_free(text);
	text = json(b, 300000);
	ck_assert_json_has(text, "\"tokenLimitStatus\":{\"limit\":300000,\"projectedUsage\":270000,"
	                         "\"percentUsed\":90.0,\"status\":\"warning\"}");
	cu_free(text);
	cu_blocks_free(b);

	/* --active -t max: the limit is still O's 20000 */
	b = blocks(0, CU_BLOCKS_ACTIVE);
	ck_assert_uint_eq(cu_blocks_count(b), 1);
	ck_assert_int_eq(cu_blocks_max_tokens(b), 20000);
	text = json(b, CU_TOKEN_LIMIT_MAX);
	ck_assert_json_has(text, "\"tokenLimitStatus\":{\"limit\":20000,\"projectedUsage\":270000,"
	                         "\"percentUsed\":1350.0,\"status\":\"exceeds\"}");
	cu_free(text);
	cu_blocks_free(b);
}
END_TEST

START_TEST(remaining_minutes_rounding)
{
	write_active();
	/* 239.5 minutes and a little: 240; 239.4999...: 239 */
	ck_assert_int_eq(cu_ctx_set_now(ctx, T_0610_1300 + 30 * 1000 - 1), CU_OK);
	cu_blocks *b = blocks(0, 0);
	int64_t ptok = 0, mins = 0;
	ck_assert_int_eq(cu_block_projection(cu_blocks_active(b), &ptok, NULL, &mins), CU_OK);
	ck_assert_int_eq(mins, 240);
	ck_assert_int_eq(ptok, 270000);
	cu_blocks_free(b);
	ck_assert_int_eq(cu_ctx_set_now(ctx, T_0610_1300 + 30 * 1000 + 1), CU_OK);
	b = blocks(0, 0);
	ck_assert_int_eq(cu_block_projection(cu_blocks_active(b), &ptok, NULL, &mins), CU_OK);
	ck_assert_int_eq(mins, 239);
	ck_assert_int_eq(ptok, 269000);
	cu_blocks_free(b);
}
END_TEST

START_TEST(not_active_and_recent)
{
	write_active();
	/* at the block's end it is over: no burn rate, and it counts for `max` */
	ck_assert_int_eq(cu_ctx_set_now(ctx, T_0610_1700), CU_OK);
	cu_blocks *b = blocks(0, 0);
	ck_assert_ptr_null(cu_blocks_active(b));
	const cu_block *a = cu_blocks_at(b, 2);
	double tpm = 1;
	ck_assert_int_eq(cu_block_burn_rate(a, &tpm, NULL, NULL), CU_ENOTFOUND);
	ck_assert(tpm == 0.0);
	ck_assert_int_eq(cu_block_projection(a, NULL, NULL, NULL), CU_ENOTFOUND);
	ck_assert_int_eq(cu_block_burn_level(a), CU_BURN_NONE);
	ck_assert_int_eq(cu_blocks_max_tokens(b), 30000);
	cu_blocks_free(b);
	b = blocks(0, CU_BLOCKS_ACTIVE);
	ck_assert_uint_eq(cu_blocks_count(b), 0);
	char *text = json(b, CU_TOKEN_LIMIT_MAX);
	ck_assert_json_has(text, "{\"blocks\":[],");
	cu_free(text);
	cu_blocks_free(b);

	/* three days after 06-09 13:00: O (08:00) is out; the gap starting at 13:00 is in */
	ck_assert_int_eq(cu_ctx_set_now(ctx, T_0612_1300), CU_OK);
	b = blocks(0, CU_BLOCKS_RECENT);
	ck_assert_uint_eq(cu_blocks_count(b), 2);
	ck_assert(cu_block_is_gap(cu_blocks_at(b, 0)));
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 0)), T_0609_1300);
	ck_assert_int_eq(cu_block_start(cu_blocks_at(b, 1)), T_0610_1200);
	ck_assert_int_eq(cu_blocks_max_tokens(b), 30000);
	cu_blocks_free(b);
	/* four days later nothing is recent */
	ck_assert_int_eq(cu_ctx_set_now(ctx, T_0610_1300 + 4 * 24 * HOUR_MS), CU_OK);
	b = blocks(0, CU_BLOCKS_RECENT);
	ck_assert_uint_eq(cu_blocks_count(b), 0);
	cu_blocks_free(b);
}
END_TEST

/* Burn levels: input + output per minute below 2000, below 5000, and above. */
START_TEST(burn_levels)
{
	const int io[] = { 59999, 60000, 149999, 150000 };
	const int32_t want[] = { CU_BURN_NORMAL, CU_BURN_MODERATE, CU_BURN_MODERATE, CU_BURN_HIGH };
	for (size_t i = 0; i < 4; i++) {
		char rel[64], p[8192] = "";
		snprintf(rel, sizeof rel, "projects/-home-u-p/s%zu.jsonl", i);
		line(p, "2025-07-01T10:00:00Z", "x", SONNET, io[i], 0, 0, 0);
		line(p, "2025-07-01T10:30:00Z", "y", SONNET, 0, 0, 0, 0);
		put_file(dir, rel, p);
		ck_assert_int_eq(cu_ctx_load(ctx), CU_OK);
		ck_assert_int_eq(cu_ctx_set_now(ctx, T_0701_1000 + 45 * MIN_MS), CU_OK);
		cu_blocks *b = blocks(0, 0);
		ck_assert_int_eq(cu_block_burn_level(cu_blocks_active(b)), want[i]);
		cu_blocks_free(b);
		snprintf(p, sizeof p, "%s/%s", dir, rel);
		ck_assert_int_eq(unlink(p), 0);
	}
}
END_TEST

START_TEST(blocks_outlive_context)
{
	write_boundaries();
	cu_blocks *b = blocks(0, 0);
	cu_ctx_free(ctx);
	ctx = NULL;
	ck_assert_str_eq(cu_block_model(cu_blocks_at(b, 0), 1), SONNET);
	char *text = json(b, 0);
	ck_assert_json_has(text, OPUS);
	cu_free(text);
	cu_blocks_free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blocks");
	TCase *tc = tcase_create("blocks");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, boundaries_and_gap);
	tcase_add_test(tc, json_fields);
	tcase_add_test(tc, half_hour_timezone);
	tcase_add_test(tc, filters_and_max);
	tcase_add_test(tc, session_length);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, active_block);
	tcase_add_test(tc, remaining_minutes_rounding);
	tcase_add_test(tc, not_active_and_recent);
	tcase_add_test(tc, burn_levels);
	tcase_add_test(tc, blocks_outlive_context);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
