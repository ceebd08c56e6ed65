/*
 * parse-private.h - one JSONL line to one usage record.
 *
 * Two parsers give the same result: a targeted scanner that walks the JSON
 * text, skips what it does not need and extracts only the usage fields
 * (the hot path), and a jansson one (the fallback for anything the scanner
 * is unsure of, and the oracle in tests).
 */
#ifndef CU_PARSE_PRIVATE_H
#define CU_PARSE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* Outcome of parsing one line. */
enum {
	CU__LINE_NONE = 0,   /* a JSON object that carries no usage: nothing to count */
	CU__LINE_ENTRY = 1,  /* a usage record was filled in */
	CU__LINE_BAD = 2,    /* not a JSON object, or a usage line with invalid fields */
	CU__LINE_UNSURE = 3  /* fast scanner only: hand the line to the jansson parser */
};

/* A borrowed slice of text. */
typedef struct cu__str {
	const char *p;
	size_t n;
} cu__str;

/*
 * What one usage line holds. Strings point into the line (fast scanner) or
 * into the parser's document (jansson): valid until the next parse call.
 */
typedef struct cu__rec {
	int64_t ts_ms;
	cu__str msg_id;     /* message.id; n == 0 when absent */
	cu__str req_id;     /* requestId; n == 0 when absent */
	cu__str model;      /* message.model; n == 0 when absent */
	cu__str cwd;        /* cwd of the line; n == 0 when absent */
	int64_t input, output, cache_create, cache_read;
	int64_t cache_5m, cache_1h; /* usage.cache_creation.ephemeral_*; valid when has_split */
	/*
	 * costUSD when has_cost. For an API-error line without costUSD
	 * (api_error && !has_cost): the usage-limit reset time its message
	 * announced ("Claude AI usage limit reached|<Unix seconds>"), in Unix
	 * ms, or 0. The scan copies it to cu__entry.line_cost as it is (see
	 * cu__entry_limit_reset_ms()).
	 */
	double cost_usd;
	unsigned has_msg_id : 1, has_cost : 1, has_split : 1, sidechain : 1, api_error : 1,
	         fast : 1, from_progress : 1;
	const char *why;    /* with CU__LINE_BAD: a short static reason */
} cu__rec;

/*
 * The targeted scanner. line/n exclude the newline (a trailing '\r' is
 * allowed). Returns one of the CU__LINE_* values; never reads outside
 * [line, line + n).
 */
int cu__parse_fast(const char *line, size_t n, cu__rec *rec);

/* The jansson parser; keeps the last document alive for the strings in rec. */
typedef struct cu__jparser cu__jparser;
cu__jparser *cu__jparser_new(void);
void cu__jparser_free(cu__jparser *jp);
/* Same contract as cu__parse_fast, but never returns CU__LINE_UNSURE. */
int cu__parse_json(cu__jparser *jp, const char *line, size_t n, cu__rec *rec);

#endif
