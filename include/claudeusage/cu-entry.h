/*
 * cu-entry.h - every deduplicated usage entry of a load, one at a time.
 *
 * Reports and blocks add entries up; this header hands them out as they
 * are, for exports and for sums the library does not offer. The entries are
 * those the reports count: deduplicated, priced, passing the context's date
 * and project filters, without the zero-usage <synthetic> placeholders.
 */
#ifndef CLAUDEUSAGE_CU_ENTRY_H
#define CLAUDEUSAGE_CU_ENTRY_H

#include "cu-common.h"
#include "cu-context.h"

CU_BEGIN_DECLS

/** Bits of cu_entry.flags (carried as uint32_t). */
enum cu_entry_flag {
	CU_ENTRY_SIDECHAIN = 1u << 0, /**< written by a subagent (isSidechain) */
	CU_ENTRY_API_ERROR = 1u << 1, /**< an API error message (isApiErrorMessage) */
	CU_ENTRY_LINE_COST = 1u << 2, /**< the line carried costUSD */
	CU_ENTRY_UNPRICED = 1u << 3,  /**< the price table has no price for the model */
	CU_ENTRY_FAST = 1u << 4       /**< usage.speed was "fast" */
};

/**
 * One deduplicated entry. Fields are only ever added at the end, and
 * `size` tells how many bytes of it the library filled, so a program built
 * against an older header reads a newer library safely.
 *
 * The strings are borrowed: valid during the callback only.
 * @since 0.1
 */
typedef struct cu_entry {
	uint32_t size;                 /**< sizeof(cu_entry) as the library knows it */
	uint32_t flags;                /**< CU_ENTRY_* bits */
	int64_t time_ms;               /**< the line's timestamp, Unix ms (UTC) */
	int64_t input_tokens;
	int64_t output_tokens;
	int64_t cache_creation_tokens; /**< all cache writes (5-minute and 1-hour) */
	int64_t cache_read_tokens;
	double cost_usd;               /**< per the cost mode (cu_ctx_set_cost_mode) */
	const char *model;             /**< as in the transcript, e.g. "claude-sonnet-4-20250514" */
	const char *session;           /**< session id (a subagent's lines: its parent's) */
	const char *project;           /**< the folder under projects/ */
	const char *source;            /**< "main", or the VM's name */
	const char *path;              /**< the transcript file */
	int64_t line;                  /**< 1-based line number in that file */
} cu_entry;

/**
 * Called once per entry. Return 0 to go on; anything else stops the
 * iteration and makes cu_ctx_foreach_entry() return CU_EUSER.
 * @since 0.1
 */
typedef int32_t (*cu_entry_fn)(const cu_entry *entry, void *userdata);

/**
 * Call fn for every entry of the last cu_ctx_load(), oldest first (ties in
 * file and line order), on the calling thread.
 *
 * The callback must not load or free ctx, nor change what selects or
 * prices the entries: cu_ctx_load(), cu_ctx_load_prices() and the setters of
 * the timezone, the date range, the project, the cost mode and the
 * long-context rule return CU_ESTATE when called from it.
 *
 * Returns CU_OK, CU_EUSER when fn stopped, CU_ESTATE when nothing was
 * loaded, CU_EINVALID when ctx or fn is NULL.
 * @since 0.1
 */
CU_API int cu_ctx_foreach_entry(cu_ctx *ctx, cu_entry_fn fn, void *userdata);

CU_END_DECLS

#endif /* CLAUDEUSAGE_CU_ENTRY_H */
