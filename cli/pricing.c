/*
 * pricing.c - `claude-usage pricing [MODEL]`: the price table in use, or
 * how one model name from the logs is priced, per million tokens.
 */
#include "pricing.h"
#include "table.h"

#include <stdio.h>
#include <string.h>

static const struct {
	int32_t kind;
	const char *json, *header;
} kinds[] = {
	{ CU_PRICE_INPUT, "input", "Input" },
	{ CU_PRICE_OUTPUT, "output", "Output" },
	{ CU_PRICE_CACHE_WRITE, "cacheWrite", "Cache Write" },
	{ CU_PRICE_CACHE_WRITE_1H, "cacheWrite1h", "Write 1h" },
	{ CU_PRICE_CACHE_READ, "cacheRead", "Cache Read" },
	{ CU_PRICE_INPUT_ABOVE_200K, "inputAbove200k", "Input >200k" },
	{ CU_PRICE_OUTPUT_ABOVE_200K, "outputAbove200k", "Output >200k" },
	{ CU_PRICE_CACHE_WRITE_ABOVE_200K, "cacheWriteAbove200k", NULL },
	{ CU_PRICE_CACHE_READ_ABOVE_200K, "cacheReadAbove200k", NULL },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])
#define FIRST_TIER 5 /* kinds from here on are the long-context tier: 0 means none */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Prices of one model as JSON members, USD per million tokens. */
static void json_prices(cu_ctx *ctx, const char *model)
{
	for (size_t k = 0; k < NKINDS; k++) {
		double p = 0;
		cu_ctx_model_price(ctx, model, kinds[k].kind, &p);
		printf(", \"%s\": ", kinds[k].json);
		if (k >= FIRST_TIER && p == 0)
			printf("null");
		else
			printf("%.17g", p * 1e6);
	}
}

static void per_million(double p, char *buf, size_t size)
{
	snprintf(buf, size, "$%.4g", p * 1e6);
}

static void describe_source(cu_ctx *ctx)
{
	const char *src = cu_ctx_pricing_source(ctx);
	const char *loc = cu_ctx_pricing_location(ctx);
	int64_t fetched = cu_ctx_pricing_fetched(ctx);
	printf("Price table: %s", src);
	if (loc)
		printf(" (%s)", loc);
	if (fetched > 0) {
		int64_t age = cu_ctx_now(ctx) / 1000 - fetched;
		char day[16];
		cu_ctx_format_date(ctx, fetched * 1000, day, sizeof day);
		if (age < 3600)
			printf(", fetched %s, %lld min ago", day, (long long)(age / 60));
		else
			printf(", fetched %s, %lld h ago", day, (long long)(age / 3600));
	}
	printf("\nLong-context rule: %s\nUSD per million tokens.\n\n",
	       cu_ctx_long_context(ctx) == CU_LONG_CONTEXT_ANTHROPIC ? "anthropic" : "ccusage");
}

static int add_model_row(table *t, cu_ctx *ctx, const char *label, const char *key)
{
	char cells[8][64];
	const char *row[8];
	snprintf(cells[0], sizeof cells[0], "%s", label);
	row[0] = cells[0];
	for (size_t k = 0; k < 7; k++) {
		double p = 0;
		cu_ctx_model_price(ctx, key, kinds[k].kind, &p);
		if (k >= FIRST_TIER && p == 0)
			snprintf(cells[k + 1], sizeof cells[k + 1], "-");
		else
			per_million(p, cells[k + 1], sizeof cells[k + 1]);
		row[k + 1] = cells[k + 1];
	}
	return table_add(t, row);
}

static table *price_table(void)
{
	const char *h[8] = { "Model" };
	for (size_t k = 0; k < 7; k++)
		h[k + 1] = kinds[k].header;
	return table_new(8, h, "lrrrrrrr");
}

static int show_table(cu_ctx *ctx, int json, int color)
{
	size_t n = cu_ctx_price_count(ctx);
	if (json) {
		printf("{\"source\": ");
		json_str(cu_ctx_pricing_source(ctx));
		printf(", \"location\": ");
		if (cu_ctx_pricing_location(ctx))
			json_str(cu_ctx_pricing_location(ctx));
		else
			printf("null");
		if (cu_ctx_pricing_fetched(ctx) > 0)
			printf(", \"fetched\": %lld", (long long)cu_ctx_pricing_fetched(ctx));
		else
			printf(", \"fetched\": null");
		printf(", \"models\": [");
		for (size_t i = 0; i < n; i++) {
			printf("%s\n  {\"model\": ", i ? "," : "");
			json_str(cu_ctx_price_key(ctx, i));
			json_prices(ctx, cu_ctx_price_key(ctx, i));
			printf("}");
		}
		printf("\n]}\n");
		return 0;
	}
	describe_source(ctx);
	table *t = price_table();
	for (size_t i = 0; t && i < n; i++)
		if (add_model_row(t, ctx, cu_ctx_price_key(ctx, i), cu_ctx_price_key(ctx, i)) != 0) {
			table_free(t);
			t = NULL;
		}
	if (!t) {
		fprintf(stderr, "claude-usage: out of memory\n");
		return 1;
	}
	table_print(t, color);
	table_free(t);
	return 0;
}

static int show_model(cu_ctx *ctx, const char *model, int json, int color)
{
	const char *key = NULL;
	if (cu_ctx_model_key(ctx, model, &key) != CU_OK) {
		fprintf(stderr, "claude-usage: no price for model '%s' in the %s price table\n", model,
		        cu_ctx_pricing_source(ctx));
		return 1;
	}
	if (json) {
		printf("{\"model\": ");
		json_str(model);
		printf(", \"key\": ");
		json_str(key);
		json_prices(ctx, key);
		printf(", \"source\": ");
		json_str(cu_ctx_pricing_source(ctx));
		printf("}\n");
		return 0;
	}
	describe_source(ctx);
	printf("%s -> %s\n\n", model, key);
	table *t = price_table();
	if (!t || add_model_row(t, ctx, key, key) != 0) {
		table_free(t);
		fprintf(stderr, "claude-usage: out of memory\n");
		return 1;
	}
	table_print(t, color);
	table_free(t);
	return 0;
}

int pricing_command(cu_ctx *ctx, const char *model, int json, int color)
{
	if (cu_ctx_load_prices(ctx) != CU_OK) {
		fprintf(stderr, "claude-usage: %s\n", cu_ctx_last_error(ctx));
		return 1;
	}
	return model ? show_model(ctx, model, json, color) : show_table(ctx, json, color);
}
