/*
 * entry-private.h - the deduplicated unit of usage that flows from the scan
 * through dedup and pricing to aggregation.
 */
#ifndef CU_ENTRY_PRIVATE_H
#define CU_ENTRY_PRIVATE_H

#include <stdint.h>

enum {
	CU__E_HAS_MSG_ID = 1u << 0, /* message.id present: subject to deduplication */
	CU__E_HAS_COST = 1u << 1,   /* the line carried costUSD (line_cost) */
	CU__E_SIDECHAIN = 1u << 2,
	CU__E_API_ERROR = 1u << 3,
	CU__E_FAST = 1u << 4,       /* usage.speed == "fast" */
	CU__E_PROGRESS = 1u << 5,   /* mirrored in a progress line */
	CU__E_UNPRICED = 1u << 6,   /* set by pricing: the model has no price */
	CU__E_SYNTHETIC = 1u << 7,  /* model <synthetic>: counted nowhere */
	CU__E_CHANGED = 1u << 8,    /* replaced in place by a better copy in this load's scan */
	CU__E_PRICED = 1u << 9      /* cost, CU__E_UNPRICED and CU__E_SYNTHETIC are set */
};

typedef struct cu__entry {
	int64_t ts_ms;
	int64_t input, output, cache_create, cache_read;
	int64_t cache_1h;   /* the 1-hour part of cache_create */
	/*
	 * costUSD of the line, when CU__E_HAS_COST. An API-error line without
	 * costUSD (flags & (CU__E_API_ERROR | CU__E_HAS_COST) == CU__E_API_ERROR)
	 * has no use for it: there it holds the usage-limit reset time the
	 * message announced, in Unix ms (0: none). Read it with
	 * cu__entry_limit_reset_ms(). This keeps the entry at 104 bytes.
	 */
	double line_cost;
	double cost;        /* set by pricing, per the cost mode */
	uint64_t key[2];    /* 128-bit hash of "message.id:requestId" */
	uint64_t msg_hash;  /* 64-bit hash of message.id alone */
	uint32_t file;      /* index in the sorted file list */
	uint32_t line;      /* 1-based line number in that file */
	uint32_t model;     /* id in the context's model pool */
	uint32_t flags;
} cu__entry;

static inline int64_t cu__entry_tokens(const cu__entry *e)
{
	return e->input + e->output + e->cache_create + e->cache_read;
}

/* The latest reset time the parsers accept: 9999-12-31T23:59:59Z, in ms. */
#define CU__MAX_RESET_MS INT64_C(253402300799000)

/* The usage-limit reset time (Unix ms) an API-error entry carries, or 0. */
static inline int64_t cu__entry_limit_reset_ms(const cu__entry *e)
{
	if ((e->flags & (CU__E_API_ERROR | CU__E_HAS_COST)) != CU__E_API_ERROR ||
	    !(e->line_cost > 0 && e->line_cost <= (double)CU__MAX_RESET_MS))
		return 0;
	return (int64_t)e->line_cost;
}

#endif
