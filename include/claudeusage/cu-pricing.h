/*
 * cu-pricing.h - the price table: which table is in use and what a model costs.
 *
 * Prices are per token, in USD, in LiteLLM's terms. The library embeds a
 * table of Claude models and can download LiteLLM's current table, which it
 * caches for a day.
 */
#ifndef CLAUDEUSAGE_CU_PRICING_H
#define CLAUDEUSAGE_CU_PRICING_H

#include "cu-common.h"
#include "cu-context.h"

CU_BEGIN_DECLS

/** Price kinds for cu_ctx_model_price() (carried as int32_t). */
enum cu_price_kind {
	CU_PRICE_INPUT = 1,
	CU_PRICE_OUTPUT = 2,
	CU_PRICE_CACHE_WRITE = 3,    /**< 5-minute cache write */
	CU_PRICE_CACHE_WRITE_1H = 4, /**< 1-hour cache write */
	CU_PRICE_CACHE_READ = 5,
	CU_PRICE_INPUT_ABOVE_200K = 6, /**< long-context tier; 0 when the model has none */
	CU_PRICE_OUTPUT_ABOVE_200K = 7,
	CU_PRICE_CACHE_WRITE_ABOVE_200K = 8,
	CU_PRICE_CACHE_READ_ABOVE_200K = 9
};

/** Long-context pricing rules (carried as int32_t). */
enum cu_long_context {
	/** ccusage's: per token kind, the tokens above 200,000 at the higher price (default). */
	CU_LONG_CONTEXT_CCUSAGE = 0,
	/**
	 * Anthropic's: when a request's input + cache writes + cache reads exceed
	 * 200,000 tokens, all its tokens (output too) at the higher prices.
	 */
	CU_LONG_CONTEXT_ANTHROPIC = 1
};

/**
 * URL of the LiteLLM-format price table to download (http, https or
 * file); NULL or "" for the default (LiteLLM's table on GitHub, or
 * $CLAUDE_USAGE_PRICING_URL when set at cu_ctx_new()).
 * @since 0.1
 */
CU_API int cu_ctx_set_pricing_url(cu_ctx *ctx, const char *url);

/**
 * Price with this local LiteLLM-format file: no network, no cache. A file
 * that cannot be read or parsed makes cu_ctx_load_prices() fail. NULL or ""
 * returns to the URL.
 * @since 0.1
 */
CU_API int cu_ctx_set_pricing_file(cu_ctx *ctx, const char *path);

/**
 * Directory for the cached price table; NULL or "" for
 * $XDG_CACHE_HOME/claude-usage, else ~/.cache/claude-usage.
 * @since 0.1
 */
CU_API int cu_ctx_set_cache_dir(cu_ctx *ctx, const char *dir);

/** Connect and total time limit of a download in ms; 0 for the default (10 s). @since 0.1 */
CU_API int cu_ctx_set_network_timeout(cu_ctx *ctx, uint32_t ms);

/** Long-context rule, one of enum cu_long_context. @since 0.1 */
CU_API int cu_ctx_set_long_context(cu_ctx *ctx, int32_t rule);

/** The long-context rule in use. @since 0.1 */
CU_API int32_t cu_ctx_long_context(const cu_ctx *ctx);

/**
 * Choose the price table per the settings: the pricing file; else, offline,
 * the cached table or the embedded one; else the cached table when fetched
 * less than a day ago, or a download (conditional when a cached copy
 * exists), written to the cache atomically. A failed download falls back to
 * the cached or embedded table and is reported once as a CU_DIAG_NOTE
 * diagnostic; it is not an error. cu_ctx_load() calls this when the settings
 * changed since the last call. (cu_ctx_new() starts with the embedded table;
 * $CLAUDE_USAGE_OFFLINE=1 makes a new context offline.)
 * @return CU_OK, CU_EIO (pricing file unusable) or CU_ENOMEM
 * @since 0.1
 */
CU_API int cu_ctx_load_prices(cu_ctx *ctx);

/**
 * Where the price table in use came from, as static text: "embedded",
 * "cache", "download" or "file".
 * @since 0.1
 */
CU_API const char *cu_ctx_pricing_source(const cu_ctx *ctx);

/** URL or path of the table in use (borrowed), or NULL for the embedded one. @since 0.1 */
CU_API const char *cu_ctx_pricing_location(const cu_ctx *ctx);

/** Unix time (s) the table in use was downloaded, or 0 (embedded, file). @since 0.1 */
CU_API int64_t cu_ctx_pricing_fetched(const cu_ctx *ctx);

/** Number of models in the table in use. @since 0.1 */
CU_API size_t cu_ctx_price_count(const cu_ctx *ctx);

/** Table key i (borrowed, valid until the table changes), or NULL. @since 0.1 */
CU_API const char *cu_ctx_price_key(const cu_ctx *ctx, size_t i);

/**
 * Resolve a model name as written in the logs to a price-table key.
 * @param[out] key  the table key (borrowed, lives as long as the table)
 * @return CU_OK, or CU_ENOTFOUND when the model has no price
 * @since 0.1
 */
CU_API int cu_ctx_model_key(cu_ctx *ctx, const char *model, const char **key);

/**
 * Price per token of one kind for a model.
 * @param kind  one of enum cu_price_kind
 * @return CU_OK, CU_ENOTFOUND (unknown model) or CU_EINVALID (bad kind)
 * @since 0.1
 */
CU_API int cu_ctx_model_price(cu_ctx *ctx, const char *model, int32_t kind, double *usd_per_token);

/**
 * Cost in USD of one request, computed from tokens the way reports do
 * (with the context's long-context rule).
 * @param cache_creation  all cache-write tokens, 1-hour ones included
 * @param cache_creation_1h  the part of cache_creation written for 1 hour
 * @return CU_OK or CU_ENOTFOUND (unknown model)
 * @since 0.1
 */
CU_API int cu_ctx_compute_cost(cu_ctx *ctx, const char *model, int64_t input, int64_t output,
                               int64_t cache_creation, int64_t cache_creation_1h,
                               int64_t cache_read, double *usd);

CU_END_DECLS

#endif /* CLAUDEUSAGE_CU_PRICING_H */
