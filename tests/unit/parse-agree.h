/*
 * parse-agree.h - the rule the two line parsers must keep, shared by the
 * unit tests (test-parse.c) and the fuzz target (tests/fuzz/fuzz-line.c).
 */
#ifndef CU_TEST_PARSE_AGREE_H
#define CU_TEST_PARSE_AGREE_H

#include "parse-private.h"

#include <string.h>

static int cu_test_same_str(cu__str a, cu__str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/*
 * Where the fast scanner answers by itself, jansson must agree: a bad line
 * is bad, a line without usage has none, and an entry jansson accepts has
 * the same fields. Returns NULL, or what differs. The scanner is lenient
 * inside values it skips, so jansson may reject a line the scanner takes.
 */
static const char *cu_test_parse_disagreement(cu__jparser *jp, const char *line, size_t n)
{
	cu__rec f, j;
	memset(&f, 0, sizeof f);
	memset(&j, 0, sizeof j);
	int rf = cu__parse_fast(line, n, &f);
	if (rf < CU__LINE_NONE || rf > CU__LINE_UNSURE)
		return "the scanner answered no known outcome";
	if (rf == CU__LINE_UNSURE)
		return NULL;
	int rj = cu__parse_json(jp, line, n, &j);
	if (rf == CU__LINE_BAD)
		return rj == CU__LINE_BAD ? NULL : "the scanner says bad, jansson does not";
	if (rf == CU__LINE_NONE)
		return rj != CU__LINE_ENTRY ? NULL : "the scanner says no usage, jansson finds an entry";
	if (rj == CU__LINE_BAD)
		return NULL;
	if (rj != CU__LINE_ENTRY)
		return "the scanner finds an entry, jansson no usage";
	if (f.ts_ms != j.ts_ms)
		return "timestamp";
	if (f.input != j.input || f.output != j.output || f.cache_create != j.cache_create ||
	    f.cache_read != j.cache_read || f.cache_1h != j.cache_1h)
		return "token counts";
	if (f.has_msg_id != j.has_msg_id || !cu_test_same_str(f.msg_id, j.msg_id))
		return "message id";
	if (!cu_test_same_str(f.req_id, j.req_id))
		return "request id";
	if (!cu_test_same_str(f.model, j.model))
		return "model";
	if (f.has_cost != j.has_cost || f.cost_usd != j.cost_usd)
		return "costUSD";
	if (f.sidechain != j.sidechain || f.api_error != j.api_error || f.fast != j.fast)
		return "flags";
	return NULL;
}

#endif
