/*
 * blocks-private.h - the billing-blocks object: built by blocks.c, read
 * through cu-blocks.h, serialised by blocks-json.c.
 */
#ifndef CU_BLOCKS_PRIVATE_H
#define CU_BLOCKS_PRIVATE_H

#include "diag-private.h"

#include <claudeusage/cu-blocks.h>

struct cu_block {
	int64_t start_ms, end_ms;
	int64_t first_ms, last_ms;  /* first and last entry; 0 for a gap */
	int64_t input, output, cache_create, cache_read;
	double cost;
	int64_t entries;            /* <synthetic> messages included */
	int64_t reset_ms;           /* usage-limit reset, or 0 */
	int active, gap;
	const char **models;        /* owned array of names borrowed from the blocks' strings */
	size_t nmodels;
	/* Burn rate and projection: active blocks with entries at two instants or more. */
	int has_rate;
	double tokens_per_minute, indicator_per_minute, cost_per_hour;
	int64_t projected_tokens, remaining_minutes;
	double projected_cost;
};

struct cu_blocks {
	cu_block *v;
	size_t n;
	int64_t length_ms, now_ms, max_tokens;
	char **strings;             /* owned copies of the model names, by model id */
	size_t nstrings;
	const char **unpriced;      /* borrowed from strings, sorted */
	size_t nunpriced;
	cu__diag_summary diag;      /* what the loaded data held that was not counted */
};

#endif
