/*
 * fuzz-pricing.c - the price-table loader (cu__pricetab_parse_keep) on any
 * bytes.
 *
 * It returns 0 or -1. With -1 there is no table and err holds a message
 * (non-empty, NUL-terminated within the buffer). With 0 the table has
 * entries, each with a key and prices that are finite and not negative
 * (a fast multiplier above 0); looking a key up finds that very entry
 * (step 1 of cu__pricetab_find: the exact key), except "<synthetic>",
 * which never matches; lookups of other names answer -1 or an entry; the
 * cost of a few usages, small, past the long-context threshold and huge,
 * under both rules, with and without fast mode, is finite and not
 * negative; and the kept JSON text (what the price cache stores) loads
 * again into the same table, key for key and bit for bit.
 */
#include "price-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ERRLEN 256

static void fail(const char *what, const char *key)
{
	fprintf(stderr, "fuzz-pricing: %s%s%.200s\n", what, key ? ": " : "", key ? key : "");
	abort();
}

static int price_ok(const cu__price *p)
{
	const double v[] = { p->input, p->output, p->cache_write, p->cache_write_1h, p->cache_read,
		             p->input_above, p->output_above, p->cache_write_above,
		             p->cache_read_above, p->cache_write_1h_above };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (!isfinite(v[i]) || !(v[i] >= 0))
			return 0;
	return isfinite(p->fast_factor) && p->fast_factor > 0 && (p->has_tier == 0 || p->has_tier == 1);
}

static const cu__usage usages[] = {
	{ 0, 0, 0, 0, 0, 0, CU__TIER_CCUSAGE },
	{ 1000, 50, 2000, 500, 30000, 0, CU__TIER_CCUSAGE },
	{ 250000, 1000, 300000, 100000, 400000, 1, CU__TIER_CCUSAGE },
	{ 250000, 1000, 300000, 100000, 400000, 1, CU__TIER_ANTHROPIC },
	{ 199999, 1, 0, 0, 2, 0, CU__TIER_ANTHROPIC },
	/* The most a line may carry: 10^12 tokens per kind, 2x10^12 writes. */
	{ INT64_C(1000000000000), INT64_C(1000000000000), INT64_C(2000000000000),
	  INT64_C(1000000000000), INT64_C(1000000000000), 1, CU__TIER_CCUSAGE },
	{ INT64_C(1000000000000), INT64_C(1000000000000), INT64_C(2000000000000),
	  INT64_C(1000000000000), INT64_C(1000000000000), 1, CU__TIER_ANTHROPIC },
};

/* Lookups of names made from a key: any answer must be -1 or an entry. */
static void lookup_variants(const cu__pricetab *t, const char *key, size_t n)
{
	static const char *const pre[] = { "", "anthropic/", "us.anthropic.", "bedrock/" };
	static const char *const post[] = { "", "-20250101", "-v1:0", "@20250101", "[1m]" };
	char name[600];
	if (n > 512)
		return;
	for (size_t a = 0; a < sizeof pre / sizeof pre[0]; a++) {
		for (size_t b = 0; b < sizeof post / sizeof post[0]; b++) {
			int len = snprintf(name, sizeof name, "%s%s%s", pre[a], key, post[b]);
			for (int cut = 0; cut < 2 && len - cut > 0; cut++) {
				long i = cu__pricetab_find(t, name, (size_t)(len - cut));
				if (i < -1 || i >= (long)cu__pricetab_count(t))
					fail("a lookup answered no entry and not -1", name);
			}
		}
	}
}

static void check_table(const cu__pricetab *t)
{
	size_t n = cu__pricetab_count(t);
	if (n == 0)
		fail("a table without entries", NULL);
	if (cu__pricetab_key(t, n) || cu__pricetab_price(t, n))
		fail("an entry past the count", NULL);
	for (size_t i = 0; i < n; i++) {
		const char *key = cu__pricetab_key(t, i);
		const cu__price *p = cu__pricetab_price(t, i);
		if (!key || !p)
			fail("an entry without key or prices", NULL);
		if (!price_ok(p))
			fail("a price that is negative, not finite, or a fast multiplier not above 0", key);
		for (size_t u = 0; u < sizeof usages / sizeof usages[0]; u++) {
			double c = cu__price_cost(p, &usages[u]);
			if (!isfinite(c) || !(c >= 0))
				fail("a cost that is negative or not finite", key);
		}
		size_t len = strlen(key);
		long found = cu__pricetab_find(t, key, len);
		int never = len == 0 || strcmp(key, "<synthetic>") == 0;
		if (never ? found != -1 : found != (long)i)
			fail("looking a key up does not find its entry", key);
		lookup_variants(t, key, len);
	}
}

static void same_tables(const cu__pricetab *a, const cu__pricetab *b)
{
	if (cu__pricetab_count(a) != cu__pricetab_count(b))
		fail("the kept text loads with another entry count", NULL);
	for (size_t i = 0; i < cu__pricetab_count(a); i++) {
		const char *key = cu__pricetab_key(a, i);
		if (strcmp(key, cu__pricetab_key(b, i)) != 0)
			fail("the kept text loads with other keys", key);
		const cu__price *p = cu__pricetab_price(a, i), *q = cu__pricetab_price(b, i);
		const double pv[] = { p->input, p->output, p->cache_write, p->cache_write_1h,
			              p->cache_read, p->input_above, p->output_above,
			              p->cache_write_above, p->cache_read_above,
			              p->cache_write_1h_above, p->fast_factor };
		const double qv[] = { q->input, q->output, q->cache_write, q->cache_write_1h,
			              q->cache_read, q->input_above, q->output_above,
			              q->cache_write_above, q->cache_read_above,
			              q->cache_write_1h_above, q->fast_factor };
		if (memcmp(pv, qv, sizeof pv) != 0 || p->has_tier != q->has_tier)
			fail("the kept text loads with other prices", key);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy without a NUL: the loader must stay within len. */
	char *json = malloc(size ? size : 1);
	if (!json)
		abort();
	memcpy(json, data, size);
	cu__pricetab *t = (cu__pricetab *)(uintptr_t)1;
	char *kept = (char *)(uintptr_t)1;
	char err[ERRLEN];
	memset(err, 0x55, sizeof err);
	int rc = cu__pricetab_parse_keep(json, size, "fuzz", &t, &kept, err, sizeof err);
	if (rc != 0 && rc != -1)
		fail("cu__pricetab_parse_keep returned neither 0 nor -1", NULL);
	if (rc == -1) {
		if (t || kept)
			fail("a table or kept text after a failure", NULL);
		if (!memchr(err, '\0', sizeof err) || err[0] == '\0')
			fail("a failure without a message", NULL);
		free(json);
		return 0;
	}
	if (!t || !kept)
		fail("success without a table or kept text", NULL);
	if (strcmp(cu__pricetab_source(t), "fuzz") != 0)
		fail("the source is not the one given", cu__pricetab_source(t));
	check_table(t);

	/* The kept text, as the price cache would load it. */
	cu__pricetab *again = NULL;
	if (cu__pricetab_parse(kept, strlen(kept), "cache", &again, err, sizeof err) != 0)
		fail("the kept text does not load", err);
	same_tables(t, again);
	cu__pricetab_free(again);
	cu__pricetab_free(t);
	free(kept);
	free(json);
	return 0;
}
