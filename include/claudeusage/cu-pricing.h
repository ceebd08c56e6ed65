/*
 * cu-pricing.h - the price table: which table is in use and what a model costs.
 *
 * Prices are per token, in USD, in LiteLLM's terms. The library embeds a
 * table of Claude models; later versions download LiteLLM's table.
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

/**
 * Where the price table in use came from, as static text ("embedded", ...).
 * @since 0.1
 */
CU_API const char *cu_ctx_pricing_source(const cu_ctx *ctx);

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
 * (long-context tier per token kind on the excess over 200,000).
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
