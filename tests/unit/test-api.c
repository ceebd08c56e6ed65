/*
 * test-api.c - the public API, used exactly as an outside program would, on
 * the hand-written history in tests/data/api/home (expected values are
 * worked out by hand in the comments).
 */
#include <claudeusage/claudeusage.h>

#include "test-util.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char home[4096];
static cu_ctx *ctx;

/* Prices per token: sonnet-4 3e-6/15e-6/3.75e-6/0.3e-6, opus-4-1 15e-6/75e-6, haiku-4-5 1e-6/5e-6. */
#define COST_M1 (10 * 3e-6 + 20 * 15e-6 + 30 * 3.75e-6 + 40 * 0.3e-6) /* 4.545e-4 */
#define COST_M2 (100 * 15e-6 + 200 * 75e-6)                          /* 0.0165 */
#define COST_M5_CALC (10 * 3e-6 + 10 * 15e-6)                        /* costUSD says 0.5 */
#define COST_M6 (1000 * 1e-6 + 100 * 5e-6)
#define COST_M7 (1 * 3e-6 + 1 * 15e-6 + 1 * 3.75e-6 + 1 * 0.3e-6)
#define COST_M8 (7 * 3e-6 + 7 * 15e-6 + 7 * 3.75e-6 + 7 * 0.3e-6)

static void setup(void)
{
	const char *data = getenv("CU_TEST_DATA");
	ck_assert_ptr_nonnull(data);
	snprintf(home, sizeof home, "%s/api/home", data);
	ck_assert_int_eq(cu_ctx_new(&ctx), CU_OK);
	ck_assert_int_eq(cu_ctx_add_root(ctx, home), CU_OK);
	ck_assert_int_eq(cu_ctx_set_timezone(ctx, "UTC"), CU_OK);
}

static void teardown(void)
{
	cu_ctx_free(ctx);
	ctx = NULL;
}

static cu_report *report(int32_t group, uint32_t flags, uint32_t limit)
{
	cu_report *r = NULL;
	ck_assert_int_eq(cu_ctx_load(ctx), CU_OK);
	ck_assert_int_eq(cu_report_new(ctx, group, flags, limit, &r), CU_OK);
	return r;
}

#define ck_assert_cost(got, want) ck_assert_msg(fabs((got) - (want)) < 1e-12, "cost %.12g != %.12g", (got), (want))

START_TEST(basics)
{
	int maj = -1;
	cu_version(&maj, NULL, NULL);
	ck_assert_int_eq(maj, CU_VERSION_MAJOR);
	ck_assert_str_eq(cu_version_string(), CU_VERSION_STRING);
	ck_assert_int_eq(cu_abi_version(), CU_ABI_VERSION);
	ck_assert_str_eq(cu_status_str(CU_ENOTFOUND), "not found");
	ck_assert_str_eq(cu_status_str(12345), "unknown status");
	cu_ctx_free(NULL);
	cu_report_free(NULL);
	cu_free(NULL);
	ck_assert_int_eq(cu_ctx_new(NULL), CU_EINVALID);
	ck_assert(strlen(cu_last_error()) > 0);
}
END_TEST

START_TEST(errors)
{
	cu_report *r = NULL;
	ck_assert_int_eq(cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &r), CU_ESTATE);
	ck_assert(strstr(cu_ctx_last_error(ctx), "cu_ctx_load") != NULL);
	ck_assert_int_eq(cu_ctx_set_timezone(ctx, "Mars/Olympus"), CU_ENOTFOUND);
	ck_assert(strstr(cu_ctx_last_error(ctx), "Mars/Olympus") != NULL);
	ck_assert_str_eq(cu_ctx_timezone(ctx), "UTC"); /* unchanged */
	ck_assert_int_eq(cu_ctx_set_since(ctx, "2025-02-30"), CU_EINVALID);
	ck_assert_int_eq(cu_ctx_set_since(ctx, "20250230"), CU_EINVALID);
	ck_assert_int_eq(cu_ctx_set_cost_mode(ctx, 7), CU_EINVALID);
	ck_assert_int_eq(cu_ctx_set_week_start(ctx, 7), CU_EINVALID);
	ck_assert_int_eq(cu_ctx_load(ctx), CU_OK);
	ck_assert_int_eq(cu_report_new(ctx, 99, 0, 0, &r), CU_EINVALID);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(no_data_directory)
{
	cu_ctx *c;
	ck_assert_int_eq(cu_ctx_new(&c), CU_OK);
	ck_assert_int_eq(cu_ctx_add_root(c, "/nonexistent/one"), CU_OK);
	ck_assert_int_eq(cu_ctx_add_root(c, "/nonexistent/two"), CU_OK);
	ck_assert_uint_eq(cu_ctx_root_count(c), 2);
	ck_assert_str_eq(cu_ctx_root(c, 1), "/nonexistent/two");
	ck_assert_int_eq(cu_ctx_load(c), CU_ENOTFOUND);
	ck_assert(strstr(cu_ctx_last_error(c), "/nonexistent/one, /nonexistent/two") != NULL);
	cu_ctx_free(c);
}
END_TEST

START_TEST(daily)
{
	cu_report *r = report(CU_GROUP_DAILY, 0, 0);
	ck_assert_uint_eq(cu_report_count(r), 5);
	const char *days[] = { "2025-06-01", "2025-06-02", "2025-06-03", "2025-06-09", "2025-07-01" };
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(cu_row_key(cu_report_row(r, i)), days[i]);
	/* 06-01: m1 (final copy, 20 output), m2, m6 (subagent) */
	const cu_row *d1 = cu_report_row(r, 0);
	ck_assert_int_eq(cu_row_input_tokens(d1), 1110);
	ck_assert_int_eq(cu_row_output_tokens(d1), 320);
	ck_assert_int_eq(cu_row_cache_creation_tokens(d1), 30);
	ck_assert_int_eq(cu_row_cache_read_tokens(d1), 40);
	ck_assert_int_eq(cu_row_total_tokens(d1), 1500);
	ck_assert_int_eq(cu_row_entries(d1), 3);
	ck_assert_cost(cu_row_cost_usd(d1), COST_M1 + COST_M2 + COST_M6);
	ck_assert_int_eq(cu_row_cost_micro_usd(d1), 18455); /* 0.0184545 rounds up */
	ck_assert_uint_eq(cu_row_model_count(d1), 3);
	ck_assert_str_eq(cu_row_model(d1, 0), "claude-haiku-4-5-20251001");
	ck_assert_str_eq(cu_row_model(d1, 2), "claude-sonnet-4-20250514");
	/* the breakdown: most costly first */
	ck_assert_uint_eq(cu_row_breakdown_count(d1), 3);
	ck_assert_str_eq(cu_row_key(cu_row_breakdown(d1, 0)), "claude-opus-4-1-20250805");
	ck_assert_cost(cu_row_cost_usd(cu_row_breakdown(d1, 0)), COST_M2);
	ck_assert_ptr_null(cu_row_breakdown(d1, 3));
	/* <synthetic> (06-02) is neither counted nor listed; the unknown model is counted, unpriced */
	const cu_row *d2 = cu_report_row(r, 1);
	ck_assert_int_eq(cu_row_entries(d2), 1);
	ck_assert_int_eq(cu_row_input_tokens(d2), 5);
	ck_assert_cost(cu_row_cost_usd(d2), 0.0);
	ck_assert_uint_eq(cu_report_unpriced_count(r), 1);
	ck_assert_str_eq(cu_report_unpriced(r, 0), "gpt-unknown-model");
	/* auto mode: the legacy line's costUSD */
	ck_assert_cost(cu_row_cost_usd(cu_report_row(r, 3)), 0.5);
	const cu_row *t = cu_report_totals(r);
	ck_assert_str_eq(cu_row_key(t), "Total");
	ck_assert_int_eq(cu_row_input_tokens(t), 1133);
	ck_assert_int_eq(cu_row_output_tokens(t), 343);
	ck_assert_int_eq(cu_row_cache_creation_tokens(t), 38);
	ck_assert_int_eq(cu_row_cache_read_tokens(t), 48);
	ck_assert_int_eq(cu_row_entries(t), 7);
	ck_assert_cost(cu_row_cost_usd(t), COST_M1 + COST_M2 + COST_M6 + COST_M8 + 0.5 + COST_M7);
	ck_assert_int_eq(cu_ctx_stat(ctx, CU_STAT_ENTRIES), 8); /* with the synthetic one */
	ck_assert_int_eq(cu_ctx_stat(ctx, CU_STAT_DUPLICATES), 3);
	ck_assert_int_eq(cu_ctx_stat(ctx, CU_STAT_FILES), 4);
	ck_assert_int_eq(cu_ctx_stat(ctx, CU_STAT_MALFORMED_LINES), 0);
	cu_report_free(r);
}
END_TEST

typedef struct sums {
	int64_t n, input, output, cache_create, cache_read, last_ts, stop_after;
	double cost;
	uint32_t flags_seen;
	int bad;          /* a field out of place */
	int load_rc;      /* cu_ctx_load() called from the callback */
	cu_ctx *ctx;
} sums;

static int32_t add_entry(const cu_entry *e, void *ud)
{
	sums *s = ud;
	if (e->size != sizeof *e || e->time_ms < s->last_ts || !e->model || !e->session ||
	    !e->project || !e->source || !e->path || e->line < 1 || strstr(e->path, ".jsonl") == NULL)
		s->bad++;
	s->last_ts = e->time_ms;
	s->n++;
	s->input += e->input_tokens;
	s->output += e->output_tokens;
	s->cache_create += e->cache_creation_tokens;
	s->cache_read += e->cache_read_tokens;
	s->cost += e->cost_usd;
	s->flags_seen |= e->flags;
	if (s->ctx) {
		/* Each call that would change the entries is refused. */
		int refused = cu_ctx_load(s->ctx) == CU_ESTATE &&
		              cu_ctx_load_prices(s->ctx) == CU_ESTATE &&
		              cu_ctx_set_since(s->ctx, "2025-06-02") == CU_ESTATE &&
		              cu_ctx_set_until(s->ctx, NULL) == CU_ESTATE &&
		              cu_ctx_set_timezone(s->ctx, "Europe/Paris") == CU_ESTATE &&
		              cu_ctx_set_project(s->ctx, "x") == CU_ESTATE &&
		              cu_ctx_set_cost_mode(s->ctx, CU_COST_CALCULATE) == CU_ESTATE &&
		              cu_ctx_set_long_context(s->ctx, CU_LONG_CONTEXT_ANTHROPIC) == CU_ESTATE;
		s->load_rc = refused ? CU_ESTATE : CU_OK;
	}
	return s->stop_after && s->n >= s->stop_after;
}

START_TEST(foreach_entry)
{
	sums s = { 0 };
	ck_assert_int_eq(cu_ctx_foreach_entry(ctx, add_entry, &s), CU_ESTATE); /* not loaded */
	ck_assert_int_eq(cu_ctx_foreach_entry(NULL, add_entry, &s), CU_EINVALID);
	cu_report *r = report(CU_GROUP_DAILY, 0, 0);
	ck_assert_int_eq(cu_ctx_foreach_entry(ctx, NULL, NULL), CU_EINVALID);

	/* The entries add up to the report's totals, to the token and the cost. */
	ck_assert_int_eq(cu_ctx_foreach_entry(ctx, add_entry, &s), CU_OK);
	const cu_row *t = cu_report_totals(r);
	ck_assert_int_eq(s.bad, 0);
	ck_assert_int_eq(s.n, cu_row_entries(t)); /* 7: not the <synthetic> one */
	ck_assert_int_eq(s.input, cu_row_input_tokens(t));
	ck_assert_int_eq(s.output, cu_row_output_tokens(t));
	ck_assert_int_eq(s.cache_create, cu_row_cache_creation_tokens(t));
	ck_assert_int_eq(s.cache_read, cu_row_cache_read_tokens(t));
	ck_assert_cost(s.cost, cu_row_cost_usd(t));
	/* m6 is a subagent's, the legacy line has costUSD, gpt-unknown-model has no price */
	ck_assert_uint_eq(s.flags_seen & (CU_ENTRY_SIDECHAIN | CU_ENTRY_LINE_COST | CU_ENTRY_UNPRICED),
	                  CU_ENTRY_SIDECHAIN | CU_ENTRY_LINE_COST | CU_ENTRY_UNPRICED);
	cu_report_free(r);

	/* A callback stops the walk; one that loads again is refused. */
	sums stop = { .stop_after = 2 };
	ck_assert_int_eq(cu_ctx_foreach_entry(ctx, add_entry, &stop), CU_EUSER);
	ck_assert_int_eq(stop.n, 2);
	sums reload = { .ctx = ctx, .stop_after = 1 };
	ck_assert_int_eq(cu_ctx_foreach_entry(ctx, add_entry, &reload), CU_EUSER);
	ck_assert_int_eq(reload.load_rc, CU_ESTATE);
	ck_assert_int_eq(cu_ctx_set_timezone(ctx, "UTC"), CU_OK); /* usable again afterwards */

	/* The context's filters apply: one day only. */
	ck_assert_int_eq(cu_ctx_set_since(ctx, "2025-06-01"), CU_OK);
	ck_assert_int_eq(cu_ctx_set_until(ctx, "2025-06-01"), CU_OK);
	sums day = { 0 };
	ck_assert_int_eq(cu_ctx_foreach_entry(ctx, add_entry, &day), CU_OK);
	ck_assert_int_eq(day.n, 3);
	ck_assert_int_eq(day.input + day.output + day.cache_create + day.cache_read, 1500);
}
END_TEST

START_TEST(cost_modes)
{
	cu_report *r = report(CU_GROUP_DAILY, 0, 0);
	cu_report_free(r);
	ck_assert_int_eq(cu_ctx_set_cost_mode(ctx, CU_COST_CALCULATE), CU_OK);
	ck_assert_int_eq(cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &r), CU_OK);
	ck_assert_cost(cu_row_cost_usd(cu_report_row(r, 3)), COST_M5_CALC);
	cu_report_free(r);
	ck_assert_int_eq(cu_ctx_set_cost_mode(ctx, CU_COST_DISPLAY), CU_OK);
	ck_assert_int_eq(cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &r), CU_OK);
	ck_assert_cost(cu_row_cost_usd(cu_report_totals(r)), 0.5);
	cu_report_free(r);
}
END_TEST

START_TEST(exclude_vms_and_timezone)
{
	ck_assert_int_eq(cu_ctx_set_exclude_vms(ctx, 1), CU_OK);
	ck_assert_int_eq(cu_ctx_set_timezone(ctx, "Asia/Tokyo"), CU_OK);
	cu_report *r = report(CU_GROUP_DAILY, 0, 0);
	/* m8 lived only in the VM; m2 (23:30Z) is on the 2nd in Tokyo */
	ck_assert_int_eq(cu_row_entries(cu_report_totals(r)), 6);
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 1)), "2025-06-02");
	ck_assert_int_eq(cu_row_input_tokens(cu_report_row(r, 1)), 105);
	cu_report_free(r);
}
END_TEST

START_TEST(weekly_monthly)
{
	cu_report *r = report(CU_GROUP_WEEKLY, 0, 0);
	ck_assert_uint_eq(cu_report_count(r), 3);
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 0)), "2025-06-01");
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 1)), "2025-06-08");
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 2)), "2025-06-29");
	cu_report_free(r);
	ck_assert_int_eq(cu_ctx_set_week_start(ctx, 1), CU_OK); /* Monday */
	ck_assert_int_eq(cu_report_new(ctx, CU_GROUP_WEEKLY, 0, 0, &r), CU_OK);
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 0)), "2025-05-26");
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 1)), "2025-06-02");
	cu_report_free(r);
	ck_assert_int_eq(cu_report_new(ctx, CU_GROUP_MONTHLY, 0, 0, &r), CU_OK);
	ck_assert_uint_eq(cu_report_count(r), 2);
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 0)), "2025-06");
	ck_assert_int_eq(cu_row_input_tokens(cu_report_row(r, 1)), 1);
	cu_report_free(r);
}
END_TEST

START_TEST(sessions)
{
	cu_report *r = report(CU_GROUP_SESSION, 0, 0);
	ck_assert_uint_eq(cu_report_count(r), 2);
	/* sess-a: its own lines, its subagent and its VM copy; oldest activity first */
	const cu_row *a = cu_report_row(r, 0);
	ck_assert_str_eq(cu_row_key(a), "sess-a");
	ck_assert_str_eq(cu_row_project(a), "-home-u-alpha");
	ck_assert_str_eq(cu_row_project_path(a), "/home/u/alpha");
	ck_assert_int_eq(cu_row_entries(a), 6);
	ck_assert_int_eq(cu_row_first_time(a), INT64_C(1748772001000)); /* 2025-06-01T10:00:01Z */
	const cu_row *b = cu_report_row(r, 1);
	ck_assert_str_eq(cu_row_key(b), "sess-b");
	ck_assert_str_eq(cu_row_project_path(b), "/home/u/beta");
	ck_assert_int_eq(cu_row_entries(b), 1);
	cu_report_free(r);
}
END_TEST

START_TEST(filters_order_limit)
{
	ck_assert_int_eq(cu_ctx_set_since(ctx, "20250602"), CU_OK);
	ck_assert_int_eq(cu_ctx_set_until(ctx, "2025-06-09"), CU_OK);
	cu_report *r = report(CU_GROUP_DAILY, CU_REPORT_DESC, 0);
	ck_assert_uint_eq(cu_report_count(r), 3);
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 0)), "2025-06-09");
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 2)), "2025-06-02");
	cu_report_free(r);
	ck_assert_int_eq(cu_ctx_set_since(ctx, NULL), CU_OK);
	ck_assert_int_eq(cu_ctx_set_until(ctx, ""), CU_OK);
	ck_assert_int_eq(cu_report_new(ctx, CU_GROUP_DAILY, 0, 2, &r), CU_OK);
	ck_assert_uint_eq(cu_report_count(r), 2);
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 0)), "2025-06-09");
	ck_assert_int_eq(cu_row_entries(cu_report_totals(r)), 2); /* totals of what is shown */
	cu_report_free(r);
	ck_assert_int_eq(cu_ctx_set_project(ctx, "/home/u/beta"), CU_OK);
	ck_assert_int_eq(cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &r), CU_OK);
	ck_assert_uint_eq(cu_report_count(r), 1);
	ck_assert_str_eq(cu_row_key(cu_report_row(r, 0)), "2025-07-01");
	cu_report_free(r);
}
END_TEST

START_TEST(by_project_and_json)
{
	cu_report *r = report(CU_GROUP_DAILY, CU_REPORT_BY_PROJECT, 0);
	ck_assert_uint_eq(cu_report_count(r), 5);
	ck_assert_str_eq(cu_row_project(cu_report_row(r, 0)), "-home-u-alpha");
	ck_assert_str_eq(cu_row_project(cu_report_row(r, 4)), "-home-u-beta");
	char *json = NULL;
	ck_assert_int_eq(cu_report_to_json(r, CU_JSON_COMPACT, &json), CU_OK);
	ck_assert(strstr(json, "{\"projects\":{\"-home-u-alpha\":[{\"date\":\"2025-06-01\",\"project\":") == json);
	ck_assert(strstr(json, "\"unpricedModels\":[\"gpt-unknown-model\"]") != NULL);
	cu_free(json);
	cu_report_free(r);
	ck_assert_int_eq(cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &r), CU_OK);
	ck_assert_int_eq(cu_report_to_json(r, 0, &json), CU_OK);
	ck_assert(strstr(json, "\"daily\": [") != NULL);
	ck_assert(strstr(json, "\"totalTokens\": 1500") != NULL);
	ck_assert(strstr(json, "\"modelName\": \"claude-opus-4-1-20250805\"") != NULL);
	cu_free(json);
	cu_report_free(r);
}
END_TEST

static int diag_count;
static void count_diag(int32_t kind, const char *path, int64_t line, const char *msg, void *ud)
{
	(void)path;
	(void)line;
	(void)ud;
	if (kind == CU_DIAG_UNPRICED_MODEL && strstr(msg, "gpt-unknown-model"))
		diag_count++;
}

START_TEST(pricing)
{
	const char *key = NULL;
	double p = 0, usd = 0;
	ck_assert_str_eq(cu_ctx_pricing_source(ctx), "embedded");
	ck_assert_int_eq(cu_ctx_model_key(ctx, "anthropic/claude-sonnet-4-20250514", &key), CU_OK);
	ck_assert_str_eq(key, "claude-sonnet-4-20250514");
	ck_assert_int_eq(cu_ctx_model_price(ctx, "claude-sonnet-4-20250514", CU_PRICE_OUTPUT, &p), CU_OK);
	ck_assert(p == 15e-6);
	ck_assert_int_eq(cu_ctx_model_price(ctx, "claude-sonnet-4-20250514", 0, &p), CU_EINVALID);
	ck_assert_int_eq(cu_ctx_model_price(ctx, "claude-opus-4-9", CU_PRICE_INPUT, &p), CU_ENOTFOUND);
	/* 300k input on sonnet-4: 200k at $3/M and 100k at $6/M */
	ck_assert_int_eq(cu_ctx_compute_cost(ctx, "claude-sonnet-4-20250514", 300000, 0, 0, 0, 0, &usd), CU_OK);
	ck_assert_cost(usd, 1.2);
	/* 1-hour cache writes at 2x input */
	ck_assert_int_eq(cu_ctx_compute_cost(ctx, "claude-opus-4-5-20251101", 0, 0, 1000, 1000, 0, &usd), CU_OK);
	ck_assert_cost(usd, 1000 * 10e-6);
	/* the unpriced model is reported once through the callback */
	diag_count = 0;
	cu_ctx_set_diag_fn(ctx, count_diag, NULL);
	ck_assert_int_eq(cu_ctx_load(ctx), CU_OK);
	ck_assert_int_eq(diag_count, 1);
	ck_assert_int_eq(cu_ctx_stat(ctx, CU_STAT_UNPRICED_MODELS), 1);
}
END_TEST

/* The unpriced models named in the diagnostics, in order. */
static char unpriced_seen[8][32];
static int unpriced_n;
static void list_unpriced(int32_t kind, const char *path, int64_t line, const char *msg, void *ud)
{
	(void)path;
	(void)line;
	(void)ud;
	const char *q = strchr(msg, '\'');
	if (kind == CU_DIAG_UNPRICED_MODEL && q && unpriced_n < 8)
		snprintf(unpriced_seen[unpriced_n++], sizeof unpriced_seen[0], "%.*s",
		         (int)strcspn(q + 1, "'"), q + 1);
}

START_TEST(threads_change_nothing)
{
	/*
	 * 40,000 entries, one a minute over four sessions in two projects:
	 * enough for pricing and the reports to work in pieces. With _i == 0,
	 * unknown models first appear at entries 10,000 (zz-b), 15,000 (zz-c,
	 * again at 31,000) and 30,000 (zz-a): whatever the threads, they are
	 * reported in that order. With _i == 1 every model has a price (then the
	 * stored entries are priced in storage order), and the total is what the
	 * price look-ups give entry by entry. Every report is the same with 1
	 * and 2 threads.
	 */
	static const int32_t groups[] = { CU_GROUP_DAILY, CU_GROUP_WEEKLY, CU_GROUP_MONTHLY,
		                          CU_GROUP_SESSION, CU_GROUP_PROJECT };
	enum { NG = sizeof groups / sizeof groups[0] };
	int unknown = _i == 0;
	char *dir = make_tmpdir();
	char path[4200];
	put_file(dir, "projects/-p/s0.jsonl", ""); /* the folders */
	put_file(dir, "projects/-q/s2.jsonl", "");
	char *json[2][NG + 2];
	double want = 0;
	cu_ctx *pc = NULL;
	ck_assert_int_eq(cu_ctx_new(&pc), CU_OK);
	for (int f = 0; f < 4; f++) {
		snprintf(path, sizeof path, "%s/projects/%s/s%d.jsonl", dir, f < 2 ? "-p" : "-q", f);
		FILE *out = fopen(path, "w");
		ck_assert_ptr_nonnull(out);
		for (int i = f * 10000; i < (f + 1) * 10000; i++) {
			const char *model = !unknown ? NULL : i == 10000 ? "zz-b" :
			                    i == 15000 || i == 31000 ? "zz-c" : i == 30000 ? "zz-a" : NULL;
			if (!model)
				model = i % 3 ? "claude-sonnet-4-20250514" : "claude-opus-4-1-20250805";
			char ts[32], msg[32], req[32], line[1024];
			snprintf(ts, sizeof ts, "2025-06-%02dT%02d:%02d:00Z", 1 + i / 1440, i / 60 % 24, i % 60);
			snprintf(msg, sizeof msg, "msg_%d", i);
			snprintf(req, sizeof req, "req_%d", i);
			usage_line(line, sizeof line, ts, msg, req, model, i % 7, i % 11, 0, i % 13);
			fputs(line, out);
			double usd = 0;
			if (strncmp(model, "zz-", 3) != 0) {
				ck_assert_int_eq(cu_ctx_compute_cost(pc, model, i % 7, i % 11, 0, 0, i % 13, &usd),
				                 CU_OK);
				want += usd;
			}
		}
		fclose(out);
	}
	cu_ctx_free(pc);
	for (uint32_t threads = 1; threads <= 2; threads++) {
		cu_ctx *c = NULL;
		ck_assert_int_eq(cu_ctx_new(&c), CU_OK);
		ck_assert_int_eq(cu_ctx_add_root(c, dir), CU_OK);
		ck_assert_int_eq(cu_ctx_set_threads(c, threads), CU_OK);
		ck_assert_int_eq(cu_ctx_set_timezone(c, "UTC"), CU_OK);
		ck_assert_int_eq(cu_ctx_set_offline(c, 1), CU_OK);
		unpriced_n = 0;
		cu_ctx_set_diag_fn(c, list_unpriced, NULL);
		ck_assert_int_eq(cu_ctx_load(c), CU_OK);
		ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_ENTRIES), 40000);
		ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_UNPRICED_MODELS), unknown ? 3 : 0);
		ck_assert_int_eq(unpriced_n, unknown ? 3 : 0);
		if (unknown) {
			ck_assert_str_eq(unpriced_seen[0], "zz-b");
			ck_assert_str_eq(unpriced_seen[1], "zz-c");
			ck_assert_str_eq(unpriced_seen[2], "zz-a");
		}
		for (int g = 0; g <= NG + 1; g++) {
			cu_report *r = NULL;
			/* Then daily per project, newest first; and daily from 06-05 (pieces select less). */
			if (g == NG + 1)
				ck_assert_int_eq(cu_ctx_set_since(c, "2025-06-05"), CU_OK);
			ck_assert_int_eq(cu_report_new(c, g < NG ? groups[g] : CU_GROUP_DAILY,
			                               g == NG ? CU_REPORT_BY_PROJECT | CU_REPORT_DESC : 0,
			                               0, &r),
			                 CU_OK);
			ck_assert_uint_gt(cu_report_count(r), 0);
			double total = cu_row_cost_usd(cu_report_totals(r));
			ck_assert(total > 0);
			if (g == 0)
				ck_assert_msg(fabs(total - want) < 1e-9 * want, "total %.12g, want %.12g", total, want);
			ck_assert_int_eq(cu_report_to_json(r, 0, &json[threads - 1][g]), CU_OK);
			cu_report_free(r);
		}
		cu_ctx_free(c);
	}
	for (int g = 0; g <= NG + 1; g++) {
		ck_assert_str_eq(json[0][g], json[1][g]);
		cu_free(json[0][g]);
		cu_free(json[1][g]);
	}
	remove_tree(dir);
	free(dir);
}
END_TEST

/* A tiny table: sonnet-4 at input 1e-6, output 2e-6, write 3e-6, read 4e-7. */
static const char tiny_table[] =
	"{\"claude-sonnet-4-20250514\": {\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": 2e-6,"
	" \"cache_creation_input_token_cost\": 3e-6, \"cache_read_input_token_cost\": 4e-7,"
	" \"litellm_provider\": \"anthropic\"}}";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(pricing_sources)
{
	char dir[] = "/tmp/cu-api-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char table[256], cache[256], url[300], bad[256];
	snprintf(table, sizeof table, "%s/table.json", dir);
	snprintf(cache, sizeof cache, "%s/cache", dir);
	snprintf(bad, sizeof bad, "%s/bad.json", dir);
	snprintf(url, sizeof url, "file://%s", table);
	write_text(table, tiny_table);
	write_text(bad, "{\"gpt-4\": {\"input_cost_per_token\": 1}}");
	double usd = 0;

	/* a local file: its prices, no cache */
	ck_assert_int_eq(cu_ctx_set_pricing_file(ctx, table), CU_OK);
	ck_assert_int_eq(cu_ctx_load_prices(ctx), CU_OK);
	ck_assert_str_eq(cu_ctx_pricing_source(ctx), "file");
	ck_assert_str_eq(cu_ctx_pricing_location(ctx), table);
	ck_assert_uint_eq(cu_ctx_price_count(ctx), 1);
	ck_assert_str_eq(cu_ctx_price_key(ctx, 0), "claude-sonnet-4-20250514");
	ck_assert_int_eq(cu_ctx_compute_cost(ctx, "claude-sonnet-4-20250514", 10, 20, 30, 0, 40, &usd), CU_OK);
	ck_assert_cost(usd, 10 * 1e-6 + 20 * 2e-6 + 30 * 3e-6 + 40 * 4e-7);
	/* an unusable file is an error, and the table in use stays */
	ck_assert_int_eq(cu_ctx_set_pricing_file(ctx, bad), CU_OK);
	ck_assert_int_eq(cu_ctx_load_prices(ctx), CU_EIO);
	ck_assert(strstr(cu_ctx_last_error(ctx), "no Claude models") != NULL);
	ck_assert_str_eq(cu_ctx_pricing_source(ctx), "file");

	/* a file:// URL: downloaded, then cached */
	ck_assert_int_eq(cu_ctx_set_pricing_file(ctx, NULL), CU_OK);
	ck_assert_int_eq(cu_ctx_set_offline(ctx, 0), CU_OK);
	ck_assert_int_eq(cu_ctx_set_cache_dir(ctx, cache), CU_OK);
	ck_assert_int_eq(cu_ctx_set_pricing_url(ctx, url), CU_OK);
	ck_assert_int_eq(cu_ctx_load_prices(ctx), CU_OK);
	ck_assert_str_eq(cu_ctx_pricing_source(ctx), "download");
	ck_assert_int_gt(cu_ctx_pricing_fetched(ctx), 0);
	/* the table changes at its source, but the cache is fresh: the cache is used */
	write_text(table, "not json");
	ck_assert_int_eq(cu_ctx_load_prices(ctx), CU_OK);
	ck_assert_str_eq(cu_ctx_pricing_source(ctx), "cache");
	ck_assert_int_eq(cu_ctx_compute_cost(ctx, "claude-sonnet-4-20250514", 0, 1000, 0, 0, 0, &usd), CU_OK);
	ck_assert_cost(usd, 1000 * 2e-6);
	/* a day later the download fails: the cached table, and a note */
	ck_assert_int_eq(cu_ctx_set_now(ctx, cu_ctx_now(ctx) + 2 * 86400 * INT64_C(1000)), CU_OK);
	ck_assert_int_eq(cu_ctx_set_pricing_url(ctx, url), CU_OK);
	ck_assert_int_eq(cu_ctx_load_prices(ctx), CU_OK);
	ck_assert_str_eq(cu_ctx_pricing_source(ctx), "cache");
	/* offline with another URL: no cache for it, the embedded table */
	ck_assert_int_eq(cu_ctx_set_offline(ctx, 1), CU_OK);
	ck_assert_int_eq(cu_ctx_set_pricing_url(ctx, "http://127.0.0.1:9/none.json"), CU_OK);
	ck_assert_int_eq(cu_ctx_load_prices(ctx), CU_OK);
	ck_assert_str_eq(cu_ctx_pricing_source(ctx), "embedded");
	ck_assert_ptr_null(cu_ctx_pricing_location(ctx));

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(long_context_rule)
{
	double ccusage = 0, anthropic = 0;
	ck_assert_int_eq(cu_ctx_long_context(ctx), CU_LONG_CONTEXT_CCUSAGE);
	ck_assert_int_eq(cu_ctx_compute_cost(ctx, "claude-sonnet-4-20250514", 250000, 0, 0, 0, 0, &ccusage), CU_OK);
	ck_assert_int_eq(cu_ctx_set_long_context(ctx, CU_LONG_CONTEXT_ANTHROPIC), CU_OK);
	ck_assert_int_eq(cu_ctx_compute_cost(ctx, "claude-sonnet-4-20250514", 250000, 0, 0, 0, 0, &anthropic), CU_OK);
	ck_assert_cost(ccusage, 200000 * 3e-6 + 50000 * 6e-6);
	ck_assert_cost(anthropic, 250000 * 6e-6);
	ck_assert_int_eq(cu_ctx_set_long_context(ctx, 5), CU_EINVALID);
	cu_report *r = report(CU_GROUP_DAILY, 0, 0);
	char *json = NULL;
	ck_assert_int_eq(cu_report_to_json(r, CU_JSON_COMPACT, &json), CU_OK);
	ck_assert(strstr(json, "\"pricing\":{\"source\":\"embedded\",\"longContext\":\"anthropic\"}") != NULL);
	cu_free(json);
	cu_report_free(r);
}
END_TEST

START_TEST(report_outlives_context)
{
	cu_report *r = report(CU_GROUP_SESSION, 0, 0);
	cu_ctx_free(ctx);
	ctx = NULL;
	ck_assert_str_eq(cu_row_project_path(cu_report_row(r, 0)), "/home/u/alpha");
	ck_assert_str_eq(cu_row_model(cu_report_row(r, 1), 0), "claude-sonnet-4-20250514");
	cu_report_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, basics);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, no_data_directory);
	tcase_add_test(tc, daily);
	tcase_add_test(tc, foreach_entry);
	tcase_add_test(tc, cost_modes);
	tcase_add_test(tc, exclude_vms_and_timezone);
	tcase_add_test(tc, weekly_monthly);
	tcase_add_test(tc, sessions);
	tcase_add_test(tc, filters_order_limit);
	tcase_add_test(tc, by_project_and_json);
	tcase_add_test(tc, pricing);
	tcase_add_test(tc, report_outlives_context);
	tcase_add_test(tc, pricing_sources);
	tcase_add_test(tc, long_context_rule);
	tcase_add_loop_test(tc, threads_change_nothing, 0, 2);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
