/*
 * price-private.h - price tables and the cost of one entry.
 *
 * A table is parsed from LiteLLM's JSON format (the embedded one is such
 * JSON, compiled in), keeping only the Claude models in a compact array.
 * A downloaded table goes through the same loader.
 */
#ifndef CU_PRICE_PRIVATE_H
#define CU_PRICE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* The long-context threshold, in tokens per token kind (ccusage's rule). */
#define CU__TIER_THRESHOLD 200000

typedef struct cu__price {
	double input, output;         /* per token */
	double cache_write;           /* 5-minute cache write */
	double cache_write_1h;        /* 1-hour cache write */
	double cache_read;
	int has_tier;                 /* the *_above_200k_tokens fields are meaningful */
	double input_above, output_above, cache_write_above, cache_read_above;
	double cache_write_1h_above;  /* 2x input_above unless the table says */
	double fast_factor;           /* multiplier for usage.speed == "fast"; 1 when none */
} cu__price;

/* The token counts of one entry, as the cost needs them. */
typedef struct cu__usage {
	int64_t input, output;
	int64_t cache_create;  /* all cache writes, 1-hour ones included */
	int64_t cache_1h;      /* the 1-hour part of cache_create (0 when not split) */
	int64_t cache_read;
	int fast;              /* usage.speed == "fast" */
	int rule;              /* CU__TIER_CCUSAGE or CU__TIER_ANTHROPIC */
} cu__usage;

/*
 * Long-context rules. ccusage: per token kind, the tokens above the
 * threshold at the tier price. Anthropic: when input + cache writes + cache
 * reads of the request exceed the threshold, every token of it (output
 * too) at the tier price.
 */
#define CU__TIER_CCUSAGE 0
#define CU__TIER_ANTHROPIC 1

typedef struct cu__pricetab cu__pricetab;

/*
 * Parse LiteLLM-format JSON (an object of model name -> fields). Keeps the
 * entries whose key or litellm_provider names Claude/Anthropic and that have
 * input and output prices. Missing cache prices default to 1.25x (write) and
 * 0.1x (read) the input price; a missing 1-hour price to 2x input.
 * source: static text describing where the table came from.
 * Returns 0, or -1 with a message in err (not JSON, no Claude model, ...).
 */
int cu__pricetab_parse(const char *json, size_t len, const char *source,
                       cu__pricetab **out, char *err, size_t errlen);
/* The table compiled into the library. Returns 0 or -1 (out of memory). */
int cu__pricetab_embedded(cu__pricetab **out);
/*
 * As cu__pricetab_parse, and when kept is not NULL also the JSON text of the
 * entries kept (an object of LiteLLM entries, compact), for a cache that
 * parses fast. Release *kept with free().
 */
int cu__pricetab_parse_keep(const char *json, size_t len, const char *source,
                            cu__pricetab **out, char **kept, char *err, size_t errlen);
void cu__pricetab_free(cu__pricetab *tab);
const char *cu__pricetab_source(const cu__pricetab *tab);
size_t cu__pricetab_count(const cu__pricetab *tab);
/* Key and prices of entry i (for listing). */
const char *cu__pricetab_key(const cu__pricetab *tab, size_t i);
const cu__price *cu__pricetab_price(const cu__pricetab *tab, size_t i);

/*
 * Resolve a model name from the logs to a table entry:
 *  1. exact key;
 *  2. with a provider prefix removed ("anthropic/", "anthropic.", "bedrock/",
 *     "vertex_ai/", "us.anthropic.", "eu.anthropic.", ...) or "anthropic/"
 *     added, and a trailing "-v1:0"-style Bedrock suffix or "@date" removed;
 *  3. on token boundaries: '.' and '@' read as '-'; a table key matches when
 *     the name equals it or equals it plus or minus a trailing 8-digit date
 *     token ("-20250514"); version tokens must be equal (claude-opus-4-9
 *     never matches claude-opus-4); the longest matching key wins.
 * Returns the entry index, or -1 when nothing matches. "<synthetic>" never
 * matches (callers treat it as free).
 */
long cu__pricetab_find(const cu__pricetab *tab, const char *model, size_t len);

/*
 * Cost of one entry in USD: per token kind, the tokens up to
 * CU__TIER_THRESHOLD at the base price and the excess at the tier price
 * (when the model has a tier); 1-hour cache writes at cache_write_1h; the
 * whole multiplied by fast_factor when usage->fast.
 */
double cu__price_cost(const cu__price *p, const cu__usage *u);

#endif
