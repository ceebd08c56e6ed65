/*
 * cu-blocks.h - 5-hour billing blocks: usage grouped the way Claude
 * subscriptions meter it.
 *
 * The deduplicated entries of a loaded context, in time order, fall into
 * blocks. The first entry's time floored to the hour (UTC) starts a block;
 * a later entry starts a new block when it comes more than the block length
 * after the block's start, or more than the block length after the entry
 * before it. Where the idle time between two entries exceeds the block
 * length, a gap block spans from the earlier entry plus the block length to
 * the later entry. A block is active when its last entry is less than a
 * block length before "now" (cu_ctx_now()) and now is before its end.
 *
 * A cu_blocks object is built from a loaded context and is immutable: it may
 * be read from any thread and outlives later changes to the context. Blocks
 * are borrowed from it and live as long as it.
 */
#ifndef CLAUDEUSAGE_CU_BLOCKS_H
#define CLAUDEUSAGE_CU_BLOCKS_H

#include "cu-common.h"
#include "cu-context.h"
#include "cu-report.h" /* enum cu_json_flag */

CU_BEGIN_DECLS

typedef struct cu_blocks cu_blocks;
typedef struct cu_block cu_block;

/** The default block length, 5 hours in milliseconds (block_ms = 0 means this). */
#define CU_BLOCK_DEFAULT_MS INT64_C(18000000)

/** The token_limit of cu_blocks_to_json() that stands for cu_blocks_max_tokens(). */
#define CU_TOKEN_LIMIT_MAX INT64_C(-1)

/** Flags for cu_blocks_new() (carried as uint32_t). */
enum cu_blocks_flag {
	CU_BLOCKS_ACTIVE = 1u << 0, /**< keep only the active block (none when nothing is active) */
	CU_BLOCKS_RECENT = 1u << 1, /**< keep blocks that started in the last 3 days, and the active one */
	CU_BLOCKS_DESC = 1u << 2    /**< newest block first (default: oldest first) */
};

/** How fast tokens are used, from input + output tokens per minute (carried as int32_t). */
enum cu_burn_level {
	CU_BURN_NONE = 0,     /**< no burn rate: not active, a gap, or a single instant */
	CU_BURN_NORMAL = 1,   /**< below 2,000 tokens per minute */
	CU_BURN_MODERATE = 2, /**< 2,000 to 4,999 */
	CU_BURN_HIGH = 3      /**< 5,000 and more */
};

/** A block's usage against a token limit (carried as int32_t). */
enum cu_limit_status {
	CU_LIMIT_NONE = 0,    /**< no limit given, or a gap block */
	CU_LIMIT_OK = 1,      /**< at most 80 % of the limit */
	CU_LIMIT_WARNING = 2, /**< more than 80 % */
	CU_LIMIT_EXCEEDS = 3  /**< more than the limit */
};

/**
 * Build the blocks of the entries of the last cu_ctx_load() that pass the
 * context's date range and project filter (entries outside them take no
 * part: a range cuts blocks at its edges). "Now" is cu_ctx_now() at this
 * call; cu_blocks_now() returns it.
 * @param block_ms  block length in milliseconds, at most 366 days; 0 for CU_BLOCK_DEFAULT_MS
 * @param flags     enum cu_blocks_flag bits
 * @param[out] out  the blocks; free them with cu_blocks_free()
 * @return CU_OK, CU_EINVALID, CU_ESTATE (nothing loaded) or CU_ENOMEM
 * @since 0.1
 */
CU_API int cu_blocks_new(cu_ctx *ctx, int64_t block_ms, uint32_t flags, cu_blocks **out);

/** Free blocks. Accepts NULL. @since 0.1 */
CU_API void cu_blocks_free(cu_blocks *blocks);

/** Number of blocks, gap blocks included. @since 0.1 */
CU_API size_t cu_blocks_count(const cu_blocks *blocks);

/** Block i (borrowed), or NULL when out of range. @since 0.1 */
CU_API const cu_block *cu_blocks_at(const cu_blocks *blocks, size_t i);

/** The active block among those kept (borrowed), or NULL. @since 0.1 */
CU_API const cu_block *cu_blocks_active(const cu_blocks *blocks);

/** The block length the blocks were built with, in milliseconds. @since 0.1 */
CU_API int64_t cu_blocks_length_ms(const cu_blocks *blocks);

/** "Now" as the blocks saw it, Unix milliseconds. @since 0.1 */
CU_API int64_t cu_blocks_now(const cu_blocks *blocks);

/**
 * The largest total tokens of a finished (not active) non-gap block, over
 * every loaded entry: taken before the date range, the project filter and
 * the CU_BLOCKS_ACTIVE / CU_BLOCKS_RECENT selection, so that it is the
 * same whatever is shown. 0 when no block is finished. (A date range set
 * before cu_ctx_load() may keep old files from being read; set it after
 * the load for the maximum over the whole history.)
 * @since 0.1
 */
CU_API int64_t cu_blocks_max_tokens(const cu_blocks *blocks);

/** Number of distinct unpriced models among the blocks' entries. @since 0.1 */
CU_API size_t cu_blocks_unpriced_count(const cu_blocks *blocks);

/** Unpriced model i (borrowed, sorted by name), or NULL. @since 0.1 */
CU_API const char *cu_blocks_unpriced(const cu_blocks *blocks, size_t i);

/**
 * Serialise the blocks as JSON in ccusage's shape: {"blocks": [{"id",
 * "startTime", "endTime", "actualEndTime", "isActive", "isGap", "entries",
 * "tokenCounts": {...}, "totalTokens", "costUSD", "models", "burnRate",
 * "projection", ["tokenLimitStatus"], ["usageLimitResetTime"]}],
 * "unpricedModels": [...], "diagnostics": {...}} (as in cu_report_to_json()).
 * Times are RFC 3339 UTC with milliseconds;
 * projection.totalCost is rounded to cents as ccusage does.
 * tokenLimitStatus is given for a block with a projection when a limit is.
 * @param flags        enum cu_json_flag bits (CU_JSON_COMPACT)
 * @param token_limit  tokens; 0 for none; CU_TOKEN_LIMIT_MAX for cu_blocks_max_tokens()
 * @param[out] out     NUL-terminated text; release it with cu_free()
 * @return CU_OK, CU_EINVALID or CU_ENOMEM
 * @since 0.1
 */
CU_API int cu_blocks_to_json(const cu_blocks *blocks, uint32_t flags, int64_t token_limit,
                             char **out);

/** Start of the block, Unix ms: on the hour (UTC), or the gap's start. @since 0.1 */
CU_API int64_t cu_block_start(const cu_block *block);

/** End of the block, Unix ms: start + block length, or the next entry's time for a gap. @since 0.1 */
CU_API int64_t cu_block_end(const cu_block *block);

/** Time of the block's last entry, Unix ms; 0 for a gap. @since 0.1 */
CU_API int64_t cu_block_actual_end(const cu_block *block);

/** 1 when the block is active, else 0. @since 0.1 */
CU_API int cu_block_is_active(const cu_block *block);

/** 1 for a gap block (no entries: an idle time longer than the block length), else 0. @since 0.1 */
CU_API int cu_block_is_gap(const cu_block *block);

/**
 * Number of deduplicated entries in the block, Claude Code's own
 * <synthetic> messages included (as ccusage counts them; they add no
 * tokens, cost or model). 0 for a gap.
 * @since 0.1
 */
CU_API int64_t cu_block_entries(const cu_block *block);

/** Token counts. @since 0.1 */
CU_API int64_t cu_block_input_tokens(const cu_block *block);
/** @since 0.1 */
CU_API int64_t cu_block_output_tokens(const cu_block *block);
/** @since 0.1 */
CU_API int64_t cu_block_cache_creation_tokens(const cu_block *block);
/** @since 0.1 */
CU_API int64_t cu_block_cache_read_tokens(const cu_block *block);
/** Sum of the four token counts. @since 0.1 */
CU_API int64_t cu_block_total_tokens(const cu_block *block);

/** Cost in USD. @since 0.1 */
CU_API double cu_block_cost_usd(const cu_block *block);

/** Number of models used in the block (sorted by name, <synthetic> excluded). @since 0.1 */
CU_API size_t cu_block_model_count(const cu_block *block);
/** Model i (borrowed), or NULL. @since 0.1 */
CU_API const char *cu_block_model(const cu_block *block, size_t i);

/**
 * Burn rate of the active block, measured from its first to its last entry.
 * Any output pointer may be NULL.
 * @param[out] tokens_per_minute            all four token kinds
 * @param[out] indicator_tokens_per_minute  input + output only (see enum cu_burn_level)
 * @param[out] cost_per_hour                USD per hour
 * @return CU_OK, or CU_ENOTFOUND when the block has none (not active, a
 *         gap, or all its entries at one instant); the outputs are then 0
 * @since 0.1
 */
CU_API int cu_block_burn_rate(const cu_block *block, double *tokens_per_minute,
                              double *indicator_tokens_per_minute, double *cost_per_hour);

/** The burn level of the block, one of enum cu_burn_level. @since 0.1 */
CU_API int32_t cu_block_burn_level(const cu_block *block);

/**
 * Projection of the active block to its end at the current burn rate. The
 * minutes remaining are rounded to whole minutes, and the projection is
 * made over those (as ccusage does). Any output pointer may be NULL.
 * @param[out] total_tokens       tokens at the block's end, rounded
 * @param[out] total_cost         USD at the block's end
 * @param[out] remaining_minutes  minutes from now to the block's end
 * @return CU_OK, or CU_ENOTFOUND when the block has no burn rate
 * @since 0.1
 */
CU_API int cu_block_projection(const cu_block *block, int64_t *total_tokens, double *total_cost,
                               int64_t *remaining_minutes);

/**
 * The block against a token limit: its projected tokens when it has a
 * projection, else its total tokens.
 * @param limit  tokens (> 0; otherwise CU_LIMIT_NONE)
 * @param[out] percent_used  100 * tokens / limit (may be NULL; 0 with CU_LIMIT_NONE)
 * @return one of enum cu_limit_status
 * @since 0.1
 */
CU_API int32_t cu_block_limit_status(const cu_block *block, int64_t limit, double *percent_used);

/**
 * When the usage limit hit in this block resets, Unix ms, or 0. Claude Code
 * records a hit limit as an API-error message "Claude AI usage limit
 * reached|<Unix seconds>"; the latest such message of the block counts.
 * @since 0.1
 */
CU_API int64_t cu_block_usage_limit_reset(const cu_block *block);

CU_END_DECLS

#endif /* CLAUDEUSAGE_CU_BLOCKS_H */
