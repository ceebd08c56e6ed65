/*
 * parse-common.h - what both line parsers extract, and the one place that
 * decides what the extracted fields mean (cu__fields_finish).
 *
 * Private to parse-fast.c, parse-json.c and parse-common.c.
 */
#ifndef CU_PARSE_COMMON_H
#define CU_PARSE_COMMON_H

#include "parse-private.h"

/* The largest token count a field may hold; more is a corrupt line. */
#define CU__MAX_TOKENS INT64_C(1000000000000)

/* Bits of cu__fields_usage.seen that tell a field was present. */
#define CU__SEEN_CACHE_CREATE (1u << 2)

typedef struct cu__fields_usage {
	unsigned seen;
	int64_t input, output, cache_create, cache_read, cache_5m, cache_1h;
	unsigned has_split, fast;
	const char *bad; /* jansson path: a field of the wrong type */
} cu__fields_usage;

typedef struct cu__fields_msg {
	unsigned seen;
	cu__str id, model; /* p == NULL when absent or null */
	int64_t limit_reset_ms; /* jansson path: "usage limit reached|<s>" in content; 0: none */
	cu__str content;        /* fast path: the raw JSON of content (p == NULL: absent) */
	unsigned has_usage;
	cu__fields_usage usage;
	const char *bad;
} cu__fields_msg;

typedef struct cu__fields_rec {
	unsigned seen;
	cu__str type, timestamp, req_id, cwd;
	double cost;
	unsigned has_cost, sidechain, has_sidechain, api_error;
	unsigned has_msg;
	cu__fields_msg msg;
	/* Top level only: the record mirrored in data.message (progress lines). */
	struct cu__fields_rec *inner;
	unsigned inner_seen, has_inner;
	const char *bad;
} cu__fields_rec;

/*
 * Decide what a parsed line is: an entry (rec filled in), a line without
 * usage, or a bad usage line (rec->why set). top->inner may hold the record
 * of a progress line's data.message.
 */
int cu__fields_finish(const cu__fields_rec *top, cu__rec *rec);

/* What Claude Code writes in the API error of a hit usage limit, before "|<Unix seconds>". */
#define CU__LIMIT_TEXT "Claude AI usage limit reached"

/*
 * The reset time of a usage-limit message: when text (n bytes) contains
 * CU__LIMIT_TEXT, the first '|' followed by digits gives
 * Unix seconds (as in ccusage). Returns Unix ms, or 0 when there is none or
 * it is out of range (0, or after 9999).
 */
int64_t cu__limit_reset_ms(const char *text, size_t n);

/*
 * Parse the JSON number text s[0..n) as a double, independent of the
 * locale. Returns 0, or -1 when the text is not exactly a JSON number or is
 * not finite.
 */
int cu__parse_double(const char *s, size_t n, double *out);

#endif
