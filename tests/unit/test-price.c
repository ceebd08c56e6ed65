/*
 * test-price.c - price tables: loading, lookup and the cost of one entry.
 *
 * Expected prices come from the ccusage 20.0.24 measurements
 * (reference/ccusage-20.0.24-prices.md), hard-coded so the test runs
 * without the shared data; "ccusage printed" values were produced by
 * ccusage 20.0.24 --offline on one-line transcripts and must be met
 * bit for bit.
 */
#include "price-private.h"

#include "test-util.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const char cu__embedded_prices_json[];
extern const size_t cu__embedded_prices_json_len;

static cu__pricetab *embedded(void)
{
	cu__pricetab *t = NULL;

	ck_assert_int_eq(cu__pricetab_embedded(&t), 0);
	ck_assert_ptr_nonnull(t);
	return t;
}

static cu__pricetab *parse_ok(const char *json)
{
	cu__pricetab *t = NULL;
	char err[256] = "";
	int rc = cu__pricetab_parse(json, strlen(json), "fixture", &t, err, sizeof err);

	ck_assert_msg(rc == 0, "parse failed: %s", err);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Parse that must fail; returns the message in a static buffer. */
static const char *parse_err(const char *json, size_t len)
{
	static char err[256];
	cu__pricetab *t = (cu__pricetab *)&err; /* must be reset to NULL */

	err[0] = '\0';
	ck_assert_int_eq(cu__pricetab_parse(json, len, "fixture", &t, err, sizeof err), -1);
	ck_assert_ptr_null(t);
	ck_assert(err[0] != '\0');
	return err;
}

static long find(const cu__pricetab *t, const char *name)
{
	return cu__pricetab_find(t, name, strlen(name));
}

/* The key a name resolves to, or NULL. */
static const char *resolve(const cu__pricetab *t, const char *name)
{
	long i = find(t, name);

	return i < 0 ? NULL : cu__pricetab_key(t, (size_t)i);
}

static const cu__price *price_of(const cu__pricetab *t, const char *key)
{
	long i = find(t, key);

	ck_assert_msg(i >= 0, "no price for %s", key);
	ck_assert_str_eq(cu__pricetab_key(t, (size_t)i), key);
	return cu__pricetab_price(t, (size_t)i);
}

static double cost(const cu__price *p, int64_t in, int64_t out, int64_t create,
                   int64_t create_1h, int64_t read, int fast)
{
	cu__usage u = { in, out, create, create_1h, read, fast, CU__TIER_CCUSAGE };

	return cu__price_cost(p, &u);
}

/* The same under Anthropic's whole-request rule. */
static double cost_anthropic(const cu__price *p, int64_t in, int64_t out, int64_t create,
                             int64_t read)
{
	cu__usage u = { in, out, create, 0, read, 0, CU__TIER_ANTHROPIC };

	return cu__price_cost(p, &u);
}

#define ck_assert_cost(got, want) ck_assert_double_eq_tol((got), (want), 1e-12)

/* ---- the embedded table ---- */

START_TEST(embedded_loads)
{
	cu__pricetab *t = embedded();
	size_t n = cu__pricetab_count(t);

	ck_assert_str_eq(cu__pricetab_source(t), "embedded");
	ck_assert_uint_ge(n, 14);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_lt(strcmp(cu__pricetab_key(t, i - 1), cu__pricetab_key(t, i)), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_ptr_nonnull(strstr(cu__pricetab_key(t, i), "claude"));
	ck_assert_ptr_null(cu__pricetab_key(t, n));
	ck_assert_ptr_null(cu__pricetab_price(t, n));
	ck_assert_int_eq(find(t, "sample_spec"), -1);
	cu__pricetab_free(t);
}
END_TEST

START_TEST(embedded_blob_is_a_string)
{
	ck_assert_uint_gt(cu__embedded_prices_json_len, 1000);
	ck_assert_int_eq(cu__embedded_prices_json[cu__embedded_prices_json_len], '\0');
	ck_assert_uint_eq(strlen(cu__embedded_prices_json), cu__embedded_prices_json_len);
	ck_assert_int_eq(cu__embedded_prices_json[0], '{');
}
END_TEST

/* Per token, from the per-million table of ccusage-20.0.24-prices.md. */
static const struct measured {
	const char *model;
	double in, out, write, write_1h, read;
	int tier;
	double fast;
} measured[] = {
	{ "claude-3-haiku-20240307", 0.25e-6, 1.25e-6, 0.30e-6, 0.50e-6, 0.03e-6, 0, 1 },
	{ "claude-3-5-haiku-20241022", 0.80e-6, 4.00e-6, 1.00e-6, 1.60e-6, 0.08e-6, 0, 1 },
	{ "claude-3-5-sonnet-20241022", 3e-6, 15e-6, 3.75e-6, 6e-6, 0.30e-6, 0, 1 },
	{ "claude-3-7-sonnet-20250219", 3e-6, 15e-6, 3.75e-6, 6e-6, 0.30e-6, 0, 1 },
	{ "claude-3-opus-20240229", 15e-6, 75e-6, 18.75e-6, 30e-6, 1.50e-6, 0, 1 },
	{ "claude-sonnet-4-20250514", 3e-6, 15e-6, 3.75e-6, 6e-6, 0.30e-6, 1, 1 },
	{ "claude-sonnet-4-5-20250929", 3e-6, 15e-6, 3.75e-6, 6e-6, 0.30e-6, 1, 1 },
	{ "claude-sonnet-4-6", 3e-6, 15e-6, 3.75e-6, 6e-6, 0.30e-6, 0, 1 },
	{ "claude-opus-4-20250514", 15e-6, 75e-6, 18.75e-6, 30e-6, 1.50e-6, 0, 1 },
	{ "claude-opus-4-1-20250805", 15e-6, 75e-6, 18.75e-6, 30e-6, 1.50e-6, 0, 1 },
	{ "claude-opus-4-5-20251101", 5e-6, 25e-6, 6.25e-6, 10e-6, 0.50e-6, 0, 1 },
	/* ccusage bills fast mode at 6x on these two (measured). */
	{ "claude-opus-4-6", 5e-6, 25e-6, 6.25e-6, 10e-6, 0.50e-6, 0, 6 },
	{ "claude-opus-4-7", 5e-6, 25e-6, 6.25e-6, 10e-6, 0.50e-6, 0, 6 },
	{ "claude-haiku-4-5-20251001", 1e-6, 5e-6, 1.25e-6, 2e-6, 0.10e-6, 0, 1 },
};

START_TEST(embedded_measured_prices)
{
	cu__pricetab *t = embedded();
	const struct measured *m = &measured[_i];
	const cu__price *p = price_of(t, m->model);

	ck_assert_double_eq(p->input, m->in);
	ck_assert_double_eq(p->output, m->out);
	ck_assert_double_eq(p->cache_write, m->write);
	ck_assert_double_eq(p->cache_write_1h, m->write_1h);
	ck_assert_double_eq(p->cache_read, m->read);
	ck_assert_double_eq(p->fast_factor, m->fast);
	ck_assert_int_eq(p->has_tier, m->tier);
	if (m->tier) {
		/* "above 200k": input 6.00, output 22.50, write 7.50, read 0.60 */
		ck_assert_double_eq(p->input_above, 6e-6);
		ck_assert_double_eq(p->output_above, 22.5e-6);
		ck_assert_double_eq(p->cache_write_above, 7.5e-6);
		ck_assert_double_eq(p->cache_read_above, 0.6e-6);
		ck_assert_double_eq(p->cache_write_1h_above, 12e-6);
	} else {
		ck_assert_double_eq(p->input_above, p->input);
		ck_assert_double_eq(p->output_above, p->output);
		ck_assert_double_eq(p->cache_write_above, p->cache_write);
		ck_assert_double_eq(p->cache_read_above, p->cache_read);
		ck_assert_double_eq(p->cache_write_1h_above, p->cache_write_1h);
	}
	cu__pricetab_free(t);
}
END_TEST

/* Undated aliases carry the prices of their dated model. */
static const char *const aliases[][2] = {
	{ "claude-3-5-haiku-latest", "claude-3-5-haiku-20241022" },
	{ "claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022" },
	{ "claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219" },
	{ "claude-3-opus-latest", "claude-3-opus-20240229" },
	{ "claude-sonnet-4-0", "claude-sonnet-4-20250514" },
	{ "claude-sonnet-4-5", "claude-sonnet-4-5-20250929" },
	{ "claude-opus-4-0", "claude-opus-4-20250514" },
	{ "claude-opus-4-1", "claude-opus-4-1-20250805" },
	{ "claude-opus-4-5", "claude-opus-4-5-20251101" },
	{ "claude-haiku-4-5", "claude-haiku-4-5-20251001" },
};

START_TEST(embedded_aliases)
{
	cu__pricetab *t = embedded();
	const cu__price *a = price_of(t, aliases[_i][0]);
	const cu__price *d = price_of(t, aliases[_i][1]);

	ck_assert(memcmp(a, d, sizeof *a) == 0);
	cu__pricetab_free(t);
}
END_TEST

/*
 * One line per model: 100,000 input, 10,000 output, 50,000 cache writes of
 * which 20,000 are 1-hour, 200,000 cache reads (none above the tier). With
 * I, O, W, R in $ per million and the 1-hour write at 2I:
 *   0.1 I + 0.01 O + 0.03 W + 0.02 * 2I + 0.2 R = 0.14 I + 0.01 O + 0.03 W + 0.2 R
 */
static const struct {
	const char *model;
	double want;
} per_model[] = {
	/* 0.14*0.25 + 0.01*1.25 + 0.03*0.30 + 0.2*0.03 = .035+.0125+.009+.006 */
	{ "claude-3-haiku-20240307", 0.0625 },
	/* 0.14*0.8 + 0.01*4 + 0.03*1 + 0.2*0.08 = .112+.04+.03+.016 */
	{ "claude-3-5-haiku-20241022", 0.198 },
	/* 0.14*3 + 0.01*15 + 0.03*3.75 + 0.2*0.3 = .42+.15+.1125+.06 */
	{ "claude-3-5-sonnet-20241022", 0.7425 },
	{ "claude-3-7-sonnet-20250219", 0.7425 },
	{ "claude-sonnet-4-20250514", 0.7425 },
	{ "claude-sonnet-4-5-20250929", 0.7425 },
	{ "claude-sonnet-4-6", 0.7425 },
	/* 0.14*15 + 0.01*75 + 0.03*18.75 + 0.2*1.5 = 2.1+.75+.5625+.3 */
	{ "claude-3-opus-20240229", 3.7125 },
	{ "claude-opus-4-20250514", 3.7125 },
	{ "claude-opus-4-1-20250805", 3.7125 },
	/* 0.14*5 + 0.01*25 + 0.03*6.25 + 0.2*0.5 = .7+.25+.1875+.1 */
	{ "claude-opus-4-5-20251101", 1.2375 },
	{ "claude-opus-4-6", 1.2375 },
	{ "claude-opus-4-7", 1.2375 },
	/* 0.14*1 + 0.01*5 + 0.03*1.25 + 0.2*0.1 = .14+.05+.0375+.02 */
	{ "claude-haiku-4-5-20251001", 0.2475 },
};

START_TEST(cost_per_model)
{
	cu__pricetab *t = embedded();
	const cu__price *p = price_of(t, per_model[_i].model);

	ck_assert_cost(cost(p, 100000, 10000, 50000, 20000, 200000, 0), per_model[_i].want);
	cu__pricetab_free(t);
}
END_TEST

/* ---- the long-context tier ---- */

START_TEST(tier_boundaries)
{
	cu__pricetab *t = embedded();
	const cu__price *p = price_of(t, "claude-sonnet-4-20250514");

	/* input: 199,999 x 3 = 0.599997; 200,000 x 3 = 0.6 */
	ck_assert_cost(cost(p, 199999, 0, 0, 0, 0, 0), 0.599997);
	ck_assert_double_eq(cost(p, 200000, 0, 0, 0, 0, 0), 0.6);
	/* 200,001: 0.6 + 1 x 6e-6 */
	ck_assert_cost(cost(p, 200001, 0, 0, 0, 0, 0), 0.600006);
	/* 300,000: 200k x 3 + 100k x 6 = 0.6 + 0.6 */
	ck_assert_cost(cost(p, 300000, 0, 0, 0, 0, 0), 1.2);
	/* output 300,000: 200k x 15 + 100k x 22.5 = 3 + 2.25 */
	ck_assert_cost(cost(p, 0, 300000, 0, 0, 0, 0), 5.25);
	/* 5-minute writes 300,000: 200k x 3.75 + 100k x 7.5 = 0.75 + 0.75 */
	ck_assert_cost(cost(p, 0, 0, 300000, 0, 0, 0), 1.5);
	/* reads 300,000: 200k x 0.3 + 100k x 0.6 = 0.06 + 0.06 */
	ck_assert_cost(cost(p, 0, 0, 0, 0, 300000, 0), 0.12);
	/* the threshold is per kind: 150k input + 150k read stay at base */
	ck_assert_cost(cost(p, 150000, 0, 0, 0, 150000, 0), 0.45 + 0.045);
	/* 200k input + 200,001 output: 0.6 + 3.0 + 1 x 22.5e-6 (ccusage printed) */
	ck_assert_double_eq(cost(p, 200000, 200001, 0, 0, 0, 0), 3.6000225);
	/* 1M input: 200k x 3 + 800k x 6 = 5.4 (ccusage printed) */
	ck_assert_double_eq(cost(p, 1000000, 0, 0, 0, 0, 0), 5.3999999999999995);
	cu__pricetab_free(t);
}
END_TEST

START_TEST(tier_not_for_untiered_models)
{
	cu__pricetab *t = embedded();
	const cu__price *opus = price_of(t, "claude-opus-4-20250514");
	const cu__price *opus3 = price_of(t, "claude-3-opus-20240229");

	/* 300k x 15 = 4.5 */
	ck_assert_cost(cost(opus, 300000, 0, 0, 0, 0, 0), 4.5);
	/* 314,659 x 15 + 333 x 18.75, in one product, not split at 200k:
	 * ccusage printed 4.726128750000001 (the split sum is 4.72612875). */
	ck_assert_double_eq(cost(opus3, 314659, 0, 333, 0, 0, 0), 4.726128750000001);
	cu__pricetab_free(t);
}
END_TEST

/* ---- 1-hour cache writes ---- */

START_TEST(cache_1h_split)
{
	cu__pricetab *t = embedded();
	const cu__price *s4 = price_of(t, "claude-sonnet-4-20250514");
	const cu__price *o46 = price_of(t, "claude-opus-4-6");
	const cu__price *h3 = price_of(t, "claude-3-haiku-20240307");

	/* 300k all 1-hour: 200k x 6 + 100k x 12 = 1.2 + 1.2 (ccusage printed 2.4) */
	ck_assert_double_eq(cost(s4, 0, 0, 300000, 300000, 0, 0), 2.4);
	/* 300k, 100k of them 1-hour: 200k x 3.75 + 100k x 6 = 0.75 + 0.6;
	 * the threshold applies to each part, not to the sum. */
	ck_assert_double_eq(cost(s4, 0, 0, 300000, 100000, 0, 0), 1.35);
	/* 500k, half 1-hour: (0.75 + 50k x 7.5) + (1.2 + 50k x 12) = 1.125 + 1.8 */
	ck_assert_double_eq(cost(s4, 0, 0, 500000, 250000, 0, 0), 2.925);
	/* 100k 1-hour on opus-4-6: 100k x 10 = 1.0 */
	ck_assert_double_eq(cost(o46, 0, 0, 100000, 100000, 0, 0), 1.0);
	/* 1-hour part larger than the total: the 5-minute part is 0, 200k x 10 */
	ck_assert_double_eq(cost(o46, 0, 0, 100000, 200000, 0, 0), 2.0);
	/* no split: 1,000 5-minute writes at 0.30 = 0.0003 */
	ck_assert_cost(cost(h3, 0, 0, 1000, 0, 0, 0), 0.0003);
	/* all 1-hour at 2 x 0.25: 1,000 x 0.5 = 0.0005 */
	ck_assert_cost(cost(h3, 0, 0, 1000, 1000, 0, 0), 0.0005);
	cu__pricetab_free(t);
}
END_TEST

/* ---- fast mode ---- */

START_TEST(fast_embedded)
{
	cu__pricetab *t = embedded();
	const cu__price *o46 = price_of(t, "claude-opus-4-6");
	const cu__price *o41 = price_of(t, "claude-opus-4-1-20250805");

	/* 1M input x 5 = 5; fast x 6 = 30; reads too: 1M x 0.5 x 6 = 3 */
	ck_assert_double_eq(cost(o46, 1000000, 0, 0, 0, 0, 0), 5.0);
	ck_assert_double_eq(cost(o46, 1000000, 0, 0, 0, 0, 1), 30.0);
	ck_assert_double_eq(cost(o46, 0, 0, 0, 0, 1000000, 1), 3.0);
	/* 100k 1-hour x 10 x 6 = 6.0 (ccusage printed) */
	ck_assert_double_eq(cost(o46, 0, 0, 100000, 100000, 0, 1), 6.0);
	/* no multiplier: fast costs the same */
	ck_assert_double_eq(cost(o41, 1000000, 0, 0, 0, 0, 1), 15.0);
	cu__pricetab_free(t);
}
END_TEST

static const char fast_json[] =
	"{\"claude-a\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
	"  \"provider_specific_entry\": {\"fast\": 6.0, \"us\": 1.1}},"
	" \"claude-b\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
	"  \"speed_multipliers\": {\"fast\": 2.5}},"
	" \"claude-c\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
	"  \"fast_mode_cost_multiplier\": 3},"
	" \"claude-d\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
	"  \"provider_specific_entry\": {\"fast\": null}},"
	" \"claude-e\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
	"  \"provider_specific_entry\": {\"fast\": \"6\"}},"
	" \"claude-f\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
	"  \"provider_specific_entry\": {\"fast\": 2}, \"fast_mode_cost_multiplier\": 9}}";

START_TEST(fast_fixture)
{
	cu__pricetab *t = parse_ok(fast_json);

	ck_assert_double_eq(price_of(t, "claude-a")->fast_factor, 6.0);
	ck_assert_double_eq(price_of(t, "claude-b")->fast_factor, 2.5);
	ck_assert_double_eq(price_of(t, "claude-c")->fast_factor, 3.0);
	/* multipliers that are not numbers count as none */
	ck_assert_double_eq(price_of(t, "claude-d")->fast_factor, 1.0);
	ck_assert_double_eq(price_of(t, "claude-e")->fast_factor, 1.0);
	/* provider_specific_entry comes first */
	ck_assert_double_eq(price_of(t, "claude-f")->fast_factor, 2.0);
	/* 1,000 in x 1 + 1,000 out x 2 = 0.003; x 6 fast */
	ck_assert_cost(cost(price_of(t, "claude-a"), 1000, 1000, 0, 0, 0, 0), 0.003);
	ck_assert_cost(cost(price_of(t, "claude-a"), 1000, 1000, 0, 0, 0, 1), 0.018);
	ck_assert_cost(cost(price_of(t, "claude-b"), 1000, 1000, 0, 0, 0, 1), 0.0075);
	cu__pricetab_free(t);
}
END_TEST

/* ---- defaults and skipped entries ---- */

START_TEST(default_cache_prices)
{
	cu__pricetab *t = parse_ok(
		"{\"claude-plain\": {\"input_cost_per_token\": 4e-06, \"output_cost_per_token\": 2e-05}}");
	const cu__price *p = price_of(t, "claude-plain");

	ck_assert_double_eq(p->cache_write, 1.25 * 4e-06);
	ck_assert_double_eq(p->cache_read, 0.1 * 4e-06);
	ck_assert_double_eq(p->cache_write_1h, 8e-06);
	ck_assert_int_eq(p->has_tier, 0);
	ck_assert_double_eq(p->fast_factor, 1.0);
	ck_assert_double_eq(p->cache_write_1h_above, p->cache_write_1h);
	/* 1,000 writes of which 400 1-hour, 1,000 reads:
	 * 600 x 5e-6 + 400 x 8e-6 + 1,000 x 4e-7 = 0.003 + 0.0032 + 0.0004 */
	ck_assert_cost(cost(p, 0, 0, 1000, 400, 1000, 0), 0.0066);
	cu__pricetab_free(t);
}
END_TEST

START_TEST(partial_tier)
{
	cu__pricetab *t = parse_ok(
		"{\"claude-in-tier\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		"   \"input_cost_per_token_above_200k_tokens\": 3e-06},"
		" \"claude-out-tier\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		"   \"output_cost_per_token_above_200k_tokens\": 5e-06,"
		"   \"cache_creation_input_token_cost_above_1hr\": 4e-06},"
		" \"claude-1h-tier\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		"   \"input_cost_per_token_above_200k_tokens\": 3e-06,"
		"   \"cache_creation_input_token_cost_above_1hr_above_200k_tokens\": 7e-06}}");
	const cu__price *in = price_of(t, "claude-in-tier");
	const cu__price *out = price_of(t, "claude-out-tier");
	const cu__price *h = price_of(t, "claude-1h-tier");

	ck_assert_int_eq(in->has_tier, 1);
	ck_assert_double_eq(in->input_above, 3e-06);
	ck_assert_double_eq(in->output_above, in->output);
	ck_assert_double_eq(in->cache_write_above, in->cache_write);
	ck_assert_double_eq(in->cache_read_above, in->cache_read);
	ck_assert_double_eq(in->cache_write_1h_above, 6e-06);
	/* output 300k has no tier: 300k x 2e-6 = 0.6; input 300k: 0.2 + 0.3 */
	ck_assert_cost(cost(in, 0, 300000, 0, 0, 0, 0), 0.6);
	ck_assert_cost(cost(in, 300000, 0, 0, 0, 0, 0), 0.5);
	/* 1-hour 300k: 200k x 2e-6 + 100k x 6e-6 = 0.4 + 0.6 */
	ck_assert_cost(cost(in, 0, 0, 300000, 300000, 0, 0), 1.0);

	ck_assert_int_eq(out->has_tier, 1);
	ck_assert_double_eq(out->input_above, out->input);
	ck_assert_double_eq(out->output_above, 5e-06);
	ck_assert_double_eq(out->cache_write_1h, 4e-06);
	ck_assert_double_eq(out->cache_write_1h_above, 4e-06);
	/* output 300k: 200k x 2e-6 + 100k x 5e-6 = 0.4 + 0.5 */
	ck_assert_cost(cost(out, 0, 300000, 0, 0, 0, 0), 0.9);

	ck_assert_double_eq(h->cache_write_1h_above, 7e-06);
	cu__pricetab_free(t);
}
END_TEST

START_TEST(skipped_entries)
{
	cu__pricetab *t = parse_ok(
		"{\"sample_spec\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 1e-06,"
		"   \"litellm_provider\": \"anthropic\"},"
		" \"claude-ok\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06},"
		" \"CLAUDE-UPPER\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06},"
		" \"anthropic-only\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		"   \"litellm_provider\": \"anthropic\"},"
		" \"gpt-4o\": {\"input_cost_per_token\": 2.5e-06, \"output_cost_per_token\": 1e-05,"
		"   \"litellm_provider\": \"openai\"},"
		" \"claude-no-output\": {\"input_cost_per_token\": 1e-06},"
		" \"claude-string\": {\"input_cost_per_token\": \"1e-06\", \"output_cost_per_token\": 2e-06},"
		" \"gpt-negative\": {\"input_cost_per_token\": -1e-06, \"output_cost_per_token\": 2e-06},"
		" \"claude-null-read\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		"   \"cache_read_input_token_cost\": null},"
		" \"claude-int\": {\"input_cost_per_token\": 0, \"output_cost_per_token\": 1},"
		" \"claude-number\": 5, \"claude-array\": [1, 2], \"claude-text\": \"x\"}");

	ck_assert_uint_eq(cu__pricetab_count(t), 5);
	ck_assert_str_eq(cu__pricetab_key(t, 0), "CLAUDE-UPPER");
	ck_assert_str_eq(cu__pricetab_key(t, 1), "anthropic-only");
	ck_assert_str_eq(cu__pricetab_key(t, 2), "claude-int");
	ck_assert_str_eq(cu__pricetab_key(t, 3), "claude-null-read");
	ck_assert_str_eq(cu__pricetab_key(t, 4), "claude-ok");
	ck_assert_double_eq(price_of(t, "claude-null-read")->cache_read, 0.1 * 1e-06);
	ck_assert_double_eq(price_of(t, "claude-int")->output, 1.0);
	ck_assert_int_eq(find(t, "sample_spec"), -1);
	cu__pricetab_free(t);
}
END_TEST

/*
 * A Claude model priced out of range makes the whole table suspect: it is
 * refused, naming the model and the field, so the caller keeps its previous
 * table. Non-Claude entries are not looked at.
 */
START_TEST(rejected_tables)
{
	static const struct {
		const char *fields, *why;
	} cases[] = {
		{ "\"input_cost_per_token\": -1e-06, \"output_cost_per_token\": 2e-06", "input_cost_per_token" },
		{ "\"input_cost_per_token\": 2, \"output_cost_per_token\": 2e-06", "input_cost_per_token" },
		{ "\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": -0.5", "output_cost_per_token" },
		{ "\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		  " \"cache_read_input_token_cost\": -1", "cache_read_input_token_cost" },
		{ "\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		  " \"cache_creation_input_token_cost\": 1e300", "cache_creation_input_token_cost" },
		{ "\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		  " \"output_cost_per_token_above_200k_tokens\": 1e3", "output_cost_per_token_above_200k_tokens" },
		{ "\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		  " \"provider_specific_entry\": {\"fast\": -2}", "fast multiplier" },
		{ "\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		  " \"fast_mode_cost_multiplier\": 0", "fast multiplier" },
		{ "\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06,"
		  " \"speed_multipliers\": {\"fast\": 1e9}", "fast multiplier" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char json[512], want[200];
		snprintf(json, sizeof json,
		         "{\"claude-ok\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06},"
		         " \"claude-bad\": {%s}}", cases[i].fields);
		snprintf(want, sizeof want, "price table rejected: model claude-bad has an invalid %s",
		         cases[i].why);
		ck_assert_str_eq(parse_err(json, strlen(json)), want);
	}
}
END_TEST

/* More entries than any real table has: refused before anything is kept. */
START_TEST(rejected_too_many_entries)
{
	size_t n = 100001, cap = n * 16 + 128, len = 0;
	char *json = malloc(cap);
	ck_assert_ptr_nonnull(json);
	len += (size_t)snprintf(json, cap, "{\"claude-ok\": {\"input_cost_per_token\": 1e-06,"
	                                   " \"output_cost_per_token\": 2e-06}");
	for (size_t i = 1; i < n; i++)
		len += (size_t)snprintf(json + len, cap - len, ",\"m%zu\":{}", i);
	len += (size_t)snprintf(json + len, cap - len, "}");
	ck_assert_str_eq(parse_err(json, len),
	                 "price table rejected: 100001 entries (at most 100000 are accepted)");
	/* One fewer is fine. */
	char *cut = strstr(json, ",\"m100000\":{}");
	ck_assert_ptr_nonnull(cut);
	memcpy(cut, "}", 2);
	cu__pricetab *t = parse_ok(json);
	ck_assert_uint_eq(cu__pricetab_count(t), 1);
	cu__pricetab_free(t);
	free(json);
}
END_TEST

/* jansson refuses nesting past its depth limit: a parse error, not a crash. */
START_TEST(rejected_deep_nesting)
{
	size_t depth = 100000;
	char *json = malloc(2 * depth + 1);
	ck_assert_ptr_nonnull(json);
	memset(json, '[', depth);
	memset(json + depth, ']', depth);
	json[2 * depth] = '\0';
	ck_assert_ptr_nonnull(strstr(parse_err(json, 2 * depth), "not JSON"));
	free(json);
}
END_TEST

START_TEST(sample_spec_in_embedded_file)
{
	/* The file really has one, and it has numeric prices to tempt the loader. */
	ck_assert_ptr_nonnull(strstr(cu__embedded_prices_json, "\"sample_spec\""));
}
END_TEST

START_TEST(source_is_copied)
{
	char src[] = "downloaded";
	const char *json = "{\"claude-x\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06}}";
	cu__pricetab *t = NULL;

	ck_assert_int_eq(cu__pricetab_parse(json, strlen(json), src, &t, NULL, 0), 0);
	src[0] = 'X';
	ck_assert_str_eq(cu__pricetab_source(t), "downloaded");
	cu__pricetab_free(t);
	cu__pricetab_free(NULL);
}
END_TEST

/* ---- parse errors ---- */

START_TEST(error_not_json)
{
	const char *e = parse_err("this is not json", 16);

	ck_assert_ptr_nonnull(strstr(e, "not JSON"));
	e = parse_err("{\"claude-x\": {\"input_cost_per_token\": 1e-06,", 44);
	ck_assert_ptr_nonnull(strstr(e, "not JSON"));
	e = parse_err("", 0);
	ck_assert_ptr_nonnull(strstr(e, "not JSON"));
}
END_TEST

START_TEST(error_not_object)
{
	ck_assert_str_eq(parse_err("[{\"claude-x\": {}}]", 18), "price table is not a JSON object");
}
END_TEST

START_TEST(error_no_claude)
{
	const char *gpt = "{\"gpt-4o\": {\"input_cost_per_token\": 2.5e-06, \"output_cost_per_token\": 1e-05}}";
	const char *bad = "{\"claude-x\": {\"input_cost_per_token\": 1e-06}}";

	ck_assert_str_eq(parse_err(gpt, strlen(gpt)), "price table has no Claude models");
	ck_assert_str_eq(parse_err(bad, strlen(bad)), "price table has no Claude models");
	ck_assert_str_eq(parse_err("{}", 2), "price table has no Claude models");
}
END_TEST

START_TEST(error_small_buffer)
{
	cu__pricetab *t = NULL;
	char err[8];

	memset(err, 'z', sizeof err);
	ck_assert_int_eq(cu__pricetab_parse("{}", 2, "x", &t, err, sizeof err), -1);
	ck_assert_str_eq(err, "price t");
	/* NULL err is allowed */
	ck_assert_int_eq(cu__pricetab_parse("[]", 2, "x", &t, NULL, 0), -1);
}
END_TEST

START_TEST(not_nul_terminated)
{
	/* Only len bytes are read: the trailing garbage is outside. */
	const char json[] = "{\"claude-x\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 2e-06}}GARBAGE";
	cu__pricetab *t = NULL;
	char err[128];

	ck_assert_int_eq(cu__pricetab_parse(json, sizeof json - 1 - 7, "x", &t, err, sizeof err), 0);
	ck_assert_uint_eq(cu__pricetab_count(t), 1);
	cu__pricetab_free(t);
}
END_TEST

/* ---- lookup ---- */

static const char *const lookups[][2] = {
	{ "claude-sonnet-4-20250514", "claude-sonnet-4-20250514" },
	{ "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022" },
	{ "claude-opus-4-6", "claude-opus-4-6" },
	/* provider prefixes */
	{ "anthropic/claude-sonnet-4-20250514", "claude-sonnet-4-20250514" },
	{ "anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku-20241022" },
	{ "us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1-20250805" },
	{ "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929" },
	{ "global.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001" },
	{ "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-20250514" },
	{ "anthropic.claude-opus-4-6-v1", "claude-opus-4-6" },
	{ "vertex_ai/claude-opus-4-1@20250805", "claude-opus-4-1-20250805" },
	{ "openrouter/anthropic/claude-sonnet-4.5", "claude-sonnet-4-5" },
	/* '.' and '@' read as '-' */
	{ "claude-sonnet-4.5", "claude-sonnet-4-5" },
	{ "claude-3.5-haiku-20241022", "claude-3-5-haiku-20241022" },
	{ "claude-opus-4-5@20251101", "claude-opus-4-5-20251101" },
	{ "claude-opus-4-7@default", "claude-opus-4-7" },
	{ "CLAUDE-SONNET-4-20250514", "claude-sonnet-4-20250514" },
	{ "claude-sonnet-4-20250514[1m]", "claude-sonnet-4-20250514" },
	/* dates: an unknown date falls back to the undated alias ... */
	{ "claude-sonnet-4-5-20991231", "claude-sonnet-4-5" },
	{ "claude-opus-4-1-20991231", "claude-opus-4-1" },
	/* ... else to the one dated key of the family ... */
	{ "claude-sonnet-4-20991231", "claude-sonnet-4-20250514" },
	{ "claude-opus-4-20250101", "claude-opus-4-20250514" },
	/* ... and a date may be added, newest first */
	{ "claude-opus-4", "claude-opus-4-20250514" },
	{ "claude-sonnet-4", "claude-sonnet-4-20250514" },
	{ "claude-3-5-sonnet", "claude-3-5-sonnet-20241022" },
	{ "claude-3.7-sonnet", "claude-3-7-sonnet-20250219" },
};

START_TEST(lookup_embedded)
{
	cu__pricetab *t = embedded();
	const char *got = resolve(t, lookups[_i][0]);

	ck_assert_msg(got && strcmp(got, lookups[_i][1]) == 0, "%s -> %s, want %s",
	              lookups[_i][0], got ? got : "(none)", lookups[_i][1]);
	cu__pricetab_free(t);
}
END_TEST

static const char *const misses[] = {
	"<synthetic>", "gpt-4o", "", "claude", "claude-sonnet", "claude-opus-4-9",
	"claude-opus-4-9-20250514", "claude-opus-4-1-2", "claude-sonnet-4-2025051",
	"claude-sonnet-4-202505140", "claude-3-5-sonnet-20241022-extra", "gemini-2.5-pro",
	"anthropic/", "us.anthropic.", "-v1:0", "@20250514", "claude-opus-4-20250514x",
	"claude-4-5-sonnet", "sonnet-4-5",
};

START_TEST(lookup_misses)
{
	cu__pricetab *t = embedded();

	ck_assert_msg(find(t, misses[_i]) == -1, "%s -> %s", misses[_i],
	              resolve(t, misses[_i]) ? resolve(t, misses[_i]) : "?");
	cu__pricetab_free(t);
}
END_TEST

START_TEST(lookup_length_bounded)
{
	cu__pricetab *t = embedded();
	const char buf[] = "claude-opus-4-6-20991231XYZ";
	char longname[600];

	/* only the first 15 bytes */
	ck_assert_str_eq(cu__pricetab_key(t, (size_t)cu__pricetab_find(t, buf, 15)), "claude-opus-4-6");
	/* "claude-opus-4-6-20991231": unknown date, undated key */
	ck_assert_str_eq(cu__pricetab_key(t, (size_t)cu__pricetab_find(t, buf, 24)), "claude-opus-4-6");
	ck_assert_int_eq(cu__pricetab_find(t, buf, 0), -1);
	ck_assert_int_eq(cu__pricetab_find(t, NULL, 0), -1);
	/* "<synthetic>" is not a prefix rule */
	ck_assert_int_eq(cu__pricetab_find(t, "<synthetic>", 11), -1);
	/* very long names: no overflow, no match */
	memset(longname, 'a', sizeof longname);
	memcpy(longname, "claude-", 7);
	ck_assert_int_eq(cu__pricetab_find(t, longname, sizeof longname), -1);
	memcpy(longname + sizeof longname - 8, "-v1:0@xx", 8);
	ck_assert_int_eq(cu__pricetab_find(t, longname, sizeof longname), -1);
	cu__pricetab_free(t);
}
END_TEST

START_TEST(lookup_fixture_dates)
{
	cu__pricetab *t = parse_ok(
		"{\"claude-x-1-20240101\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 1e-06},"
		" \"claude-x-1-20250101\": {\"input_cost_per_token\": 2e-06, \"output_cost_per_token\": 1e-06},"
		" \"claude-x-1-20230101\": {\"input_cost_per_token\": 3e-06, \"output_cost_per_token\": 1e-06},"
		" \"claude-y-2-20240101\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 1e-06},"
		" \"claude-y-2\": {\"input_cost_per_token\": 4e-06, \"output_cost_per_token\": 1e-06},"
		" \"anthropic/claude-z-3\": {\"input_cost_per_token\": 5e-06, \"output_cost_per_token\": 1e-06},"
		" \"claude-w.4\": {\"input_cost_per_token\": 6e-06, \"output_cost_per_token\": 1e-06},"
		" \"us.anthropic.claude-v-5-v1:0\": {\"input_cost_per_token\": 7e-06, \"output_cost_per_token\": 1e-06},"
		" \"claude-v-5\": {\"input_cost_per_token\": 8e-06, \"output_cost_per_token\": 1e-06}}");

	/* several dated keys, no alias: the newest */
	ck_assert_str_eq(resolve(t, "claude-x-1-20991231"), "claude-x-1-20250101");
	ck_assert_str_eq(resolve(t, "claude-x-1"), "claude-x-1-20250101");
	ck_assert_str_eq(resolve(t, "claude-x-1-20230101"), "claude-x-1-20230101");
	/* the undated alias beats a dated key */
	ck_assert_str_eq(resolve(t, "claude-y-2-20991231"), "claude-y-2");
	ck_assert_str_eq(resolve(t, "claude-y-2-20240101"), "claude-y-2-20240101");
	/* "anthropic/" added */
	ck_assert_str_eq(resolve(t, "claude-z-3"), "anthropic/claude-z-3");
	ck_assert_str_eq(resolve(t, "vertex_ai/claude-z-3"), "anthropic/claude-z-3");
	/* normalisation on the key side too */
	ck_assert_str_eq(resolve(t, "claude-w-4"), "claude-w.4");
	/* an exact regional key wins over the stripped name */
	ck_assert_str_eq(resolve(t, "us.anthropic.claude-v-5-v1:0"), "us.anthropic.claude-v-5-v1:0");
	ck_assert_str_eq(resolve(t, "eu.anthropic.claude-v-5-v1:0"), "claude-v-5");
	/* version tokens must be equal */
	ck_assert_ptr_null(resolve(t, "claude-x-12"));
	ck_assert_ptr_null(resolve(t, "claude-x"));
	cu__pricetab_free(t);
}
END_TEST

/* ---- bit-for-bit against ccusage ---- */

/*
 * Random lines (fixed seed) run through ccusage 20.0.24 --offline, one per
 * day; want is the cost it printed. Columns: input, output, cache writes,
 * the 1-hour part of them, cache reads, fast.
 */
static const struct {
	const char *model;
	int64_t in, out, create, create_1h, read;
	int fast;
	double want;
} ccusage_lines[] = {
	{"claude-sonnet-4-20250514", 123457, 98765, 345679, 111111, 456789, 0, 3.7418454000000008},
	{"claude-opus-4-6", 123457, 98765, 345679, 111111, 456789, 1, 35.351787},
	{"claude-3-5-haiku-20241022", 123457, 98765, 345679, 111111, 456789, 0, 0.94271432},
	{"claude-haiku-4-5-20251001", 1234567, 9876543, 3456789, 1111111, 4567891, 0, 56.228390600000004},
	{"claude-opus-4-7", 7, 3, 11, 5, 13, 0, 0.000204},
	{"claude-opus-4-7", 564002, 19988, 248702, 238473, 60, 1, 34.61040750000001},
	{"claude-sonnet-4-20250514", 72, 565, 847, 228, 249368, 0, 0.10200105},
	{"claude-3-haiku-20240307", 17216, 104987, 0, 0, 571, 0, 0.13555488000000002},
	{"claude-3-5-haiku-20241022", 0, 0, 836, 595, 28015, 0, 0.0034342},
	{"claude-3-haiku-20240307", 0, 0, 148945, 148945, 0, 0, 0.0744725},
	{"claude-3-haiku-20240307", 204745, 600, 529146, 188499, 814, 0, 0.24840427},
	{"claude-3-opus-20240229", 589, 507, 620636, 123800, 75, 0, 13.0766475},
	{"claude-3-5-haiku-20241022", 0, 956, 41, 35, 231390, 0, 0.022397200000000003},
	{"claude-3-opus-20240229", 478988, 359, 153016, 153016, 19025, 0, 11.8307625},
	{"claude-3-5-haiku-20241022", 18039, 0, 170640, 170640, 179582, 0, 0.30182175999999994},
	{"claude-3-haiku-20240307", 685, 964, 173, 0, 130418, 0, 0.00534069},
	{"claude-3-opus-20240229", 757, 401, 670625, 670625, 0, 0, 20.16018},
	{"claude-haiku-4-5-20251001", 141, 726947, 426, 0, 865887, 0, 3.7219972000000006},
	{"claude-opus-4-6", 0, 0, 4162, 4162, 604, 1, 0.251532},
	{"claude-opus-4-6", 379, 84522, 874035, 686782, 797592, 0, 10.551892250000002},
	{"claude-3-5-haiku-20241022", 863634, 103859, 404, 404, 0, 0, 1.1069896},
	{"claude-sonnet-4-20250514", 0, 612030, 0, 0, 54, 0, 12.2706912},
	{"claude-haiku-4-5-20251001", 0, 0, 27, 6, 0, 0, 3.825e-05},
	{"claude-3-5-haiku-20241022", 0, 356, 125295, 125295, 0, 0, 0.201896},
	{"claude-3-5-haiku-20241022", 320, 0, 0, 0, 272, 0, 0.00027776},
	{"claude-opus-4-6", 54795, 703918, 707, 707, 8089, 0, 17.8830395},
	{"claude-3-opus-20240229", 0, 693578, 172, 136, 229, 0, 52.0234485},
	{"claude-3-opus-20240229", 167839, 831, 199789, 105037, 401016, 0, 8.109144},
	{"claude-3-opus-20240229", 531, 749, 0, 0, 0, 0, 0.06414},
	{"claude-opus-4-7", 0, 91251, 960, 0, 92624, 1, 14.001521999999998},
	{"claude-opus-4-6", 346, 640, 789906, 789906, 652764, 0, 8.243172000000001},
	{"claude-sonnet-4-20250514", 275728, 896054, 126313, 103433, 605003, 0, 20.7249828},
	{"claude-opus-4-7", 0, 565066, 762, 0, 316572, 1, 85.73819100000001},
	{"claude-haiku-4-5-20251001", 837717, 0, 647399, 163486, 92857, 0, 1.7788659500000001},
	{"claude-haiku-4-5-20251001", 0, 0, 831233, 0, 0, 0, 1.0390412500000001},
	{"claude-3-5-haiku-20241022", 354268, 371293, 0, 0, 514, 0, 1.76862752},
	{"claude-opus-4-7", 430, 213863, 520969, 305842, 844655, 1, 61.04409750000001},
	{"claude-haiku-4-5-20251001", 0, 0, 229800, 0, 188, 0, 0.2872688},
	{"claude-3-opus-20240229", 46179, 0, 32545, 22358, 86454, 0, 1.6841122499999999},
	{"claude-haiku-4-5-20251001", 206592, 232532, 66141, 0, 0, 0, 1.45192825},
	{"claude-haiku-4-5-20251001", 29, 240203, 0, 0, 997, 0, 1.2011437000000003},
	{"claude-opus-4-7", 547, 682416, 883183, 272202, 230632, 0, 23.719102250000002},
	{"claude-opus-4-6", 293795, 402, 75, 0, 113286, 0, 1.53613675},
	{"claude-3-opus-20240229", 0, 247285, 174082, 174082, 260, 0, 23.769224999999995},
	{"claude-opus-4-6", 25674, 499, 0, 0, 59644, 1, 1.0240019999999999},
	{"claude-haiku-4-5-20251001", 432, 0, 740, 740, 347, 0, 0.0019467},
	{"claude-3-5-haiku-20241022", 101753, 639, 984, 0, 0, 0, 0.0849424},
	{"claude-sonnet-4-20250514", 0, 928, 71895, 55345, 215899, 0, 0.47759190000000007},
	{"claude-3-opus-20240229", 575667, 0, 748312, 748312, 335, 0, 31.0848675},
	{"claude-sonnet-4-20250514", 49062, 75, 18, 0, 211142, 0, 0.2150637},
	{"claude-haiku-4-5-20251001", 219858, 125, 348, 137, 588053, 0, 0.27982605},
	{"claude-opus-4-6", 0, 246924, 0, 0, 0, 1, 37.0386},
	{"claude-opus-4-7", 140220, 77011, 689, 0, 0, 0, 2.6306812500000003},
	{"claude-sonnet-4-20250514", 0, 145454, 689214, 0, 958, 0, 6.601202400000001},
	{"claude-3-haiku-20240307", 603171, 144106, 562180, 0, 472733, 0, 0.51376124},
	{"claude-opus-4-7", 0, 816870, 0, 0, 207030, 1, 123.15159},
	{"claude-3-haiku-20240307", 601664, 0, 0, 0, 680519, 0, 0.17083157},
	{"claude-opus-4-6", 12858, 162, 4, 2, 985, 1, 0.41319000000000006},
	{"claude-sonnet-4-20250514", 474584, 188, 0, 0, 487, 0, 2.2504701},
	{"claude-3-haiku-20240307", 517, 24816, 92, 0, 0, 0, 0.031176850000000002},
	{"claude-3-5-haiku-20241022", 0, 239, 0, 0, 312793, 0, 0.02597944},
	{"claude-3-haiku-20240307", 306723, 634, 12478, 8404, 899743, 0, 0.10988974},
	{"claude-3-5-haiku-20241022", 213918, 239521, 133217, 4215, 214098, 0, 1.2820922399999999},
	{"claude-haiku-4-5-20251001", 187433, 182751, 23306, 4361, 0, 0, 1.13359125},
	{"claude-opus-4-7", 544912, 735658, 0, 0, 0, 1, 126.69606000000002},
};

START_TEST(long_context_rules)
{
	cu__pricetab *t = embedded();
	const cu__price *s4 = price_of(t, "claude-sonnet-4-20250514");
	const cu__price *o45 = price_of(t, "claude-opus-4-5-20251101");

	/*
	 * 150k input + 60k cache read (210k > 200k) and 1k output on sonnet-4:
	 * ccusage: no kind exceeds 200k, so base prices:
	 *   150000*3e-6 + 1000*15e-6 + 60000*0.3e-6 = 0.45 + 0.015 + 0.018 = 0.483
	 * Anthropic: the whole request above the threshold:
	 *   150000*6e-6 + 1000*22.5e-6 + 60000*0.6e-6 = 0.9 + 0.0225 + 0.036 = 0.9585
	 */
	ck_assert_double_eq_tol(cost(s4, 150000, 1000, 0, 0, 60000, 0), 0.483, 1e-12);
	ck_assert_double_eq_tol(cost_anthropic(s4, 150000, 1000, 0, 60000), 0.9585, 1e-12);
	/* 250k input: ccusage 200k*3e-6 + 50k*6e-6 = 0.9; Anthropic 250k*6e-6 = 1.5 */
	ck_assert_double_eq_tol(cost(s4, 250000, 0, 0, 0, 0, 0), 0.9, 1e-12);
	ck_assert_double_eq_tol(cost_anthropic(s4, 250000, 0, 0, 0), 1.5, 1e-12);
	/* exactly 200k in all: not above, base prices under both rules */
	ck_assert_double_eq_tol(cost_anthropic(s4, 100000, 0, 50000, 50000),
	                        100000 * 3e-6 + 50000 * 3.75e-6 + 50000 * 0.3e-6, 1e-12);
	/* a model without a tier: base prices whatever the size */
	ck_assert_double_eq_tol(cost_anthropic(o45, 300000, 0, 0, 0), 300000 * 5e-6, 1e-12);
	cu__pricetab_free(t);
}
END_TEST

START_TEST(matches_ccusage)
{
	cu__pricetab *t = embedded();
	const cu__price *p = price_of(t, ccusage_lines[_i].model);
	double got = cost(p, ccusage_lines[_i].in, ccusage_lines[_i].out, ccusage_lines[_i].create,
	                  ccusage_lines[_i].create_1h, ccusage_lines[_i].read, ccusage_lines[_i].fast);

	ck_assert_msg(got == ccusage_lines[_i].want, "line %d: %.17g, ccusage %.17g", _i, got,
	              ccusage_lines[_i].want);
	cu__pricetab_free(t);
}
END_TEST

START_TEST(cost_edge_cases)
{
	cu__pricetab *t = embedded();
	const cu__price *p = price_of(t, "claude-sonnet-4-20250514");

	ck_assert_double_eq(cost(p, 0, 0, 0, 0, 0, 0), 0.0);
	ck_assert_double_eq(cost(p, 0, 0, 0, 0, 0, 1), 0.0);
	/* negative counts are no tokens */
	ck_assert_double_eq(cost(p, -5, -5, -5, -5, -5, 0), 0.0);
	/* 1-hour part without a total: 100k x 6e-6 */
	ck_assert_cost(cost(p, 0, 0, 0, 100000, 0, 0), 0.6);
	cu__pricetab_free(t);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *price_suite(void)
{
	Suite *s = suite_create("price");
	TCase *load = tcase_create("load");
	TCase *cost_tc = tcase_create("cost");
	TCase *find_tc = tcase_create("find");

	tcase_add_test(load, embedded_loads);
	tcase_add_test(load, embedded_blob_is_a_string);
	tcase_add_loop_test(load, embedded_measured_prices, 0, N(measured));
	tcase_add_loop_test(load, embedded_aliases, 0, N(aliases));
	tcase_add_test(load, fast_fixture);
	tcase_add_test(load, default_cache_prices);
	tcase_add_test(load, partial_tier);
	tcase_add_test(load, skipped_entries);
	tcase_add_test(load, rejected_tables);
	tcase_add_test(load, rejected_too_many_entries);
	tcase_add_test(load, rejected_deep_nesting);
	tcase_add_test(load, sample_spec_in_embedded_file);
	tcase_add_test(load, source_is_copied);
	tcase_add_test(load, error_not_json);
	tcase_add_test(load, error_not_object);
	tcase_add_test(load, error_no_claude);
	tcase_add_test(load, error_small_buffer);
	tcase_add_test(load, not_nul_terminated);
	suite_add_tcase(s, load);

	tcase_add_loop_test(cost_tc, cost_per_model, 0, N(per_model));
	tcase_add_test(cost_tc, tier_boundaries);
	tcase_add_test(cost_tc, tier_not_for_untiered_models);
	tcase_add_test(cost_tc, cache_1h_split);
	tcase_add_test(cost_tc, fast_embedded);
	tcase_add_test(cost_tc, cost_edge_cases);
	tcase_add_test(cost_tc, long_context_rules);
	tcase_add_loop_test(cost_tc, matches_ccusage, 0, N(ccusage_lines));
	suite_add_tcase(s, cost_tc);

	tcase_add_loop_test(find_tc, lookup_embedded, 0, N(lookups));
	tcase_add_loop_test(find_tc, lookup_misses, 0, N(misses));
	tcase_add_test(find_tc, lookup_length_bounded);
	tcase_add_test(find_tc, lookup_fixture_dates);
	suite_add_tcase(s, find_tc);
	return s;
}

int main(void)
{
	return run_suite(price_suite());
}
