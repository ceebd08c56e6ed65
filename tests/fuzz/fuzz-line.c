/*
 * fuzz-line.c - the line scanner against the jansson parser.
 *
 * Any input: the fast scanner must not read outside the line (ASan) and
 * must answer one of the four outcomes. Where it answers by itself (not
 * CU__LINE_UNSURE), jansson must agree: a line the scanner calls bad is bad
 * for jansson, a line without usage has none for jansson, and an entry
 * jansson accepts has the same fields. A disagreement aborts.
 */
#include "parse-private.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(cu__str a, cu__str b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cu__jparser *jp;
	if (!jp && !(jp = cu__jparser_new()))
		abort();
	/* A copy of exactly size bytes, so that ASan sees any read past the line. */
	char *line = malloc(size ? size : 1);
	if (!line)
		abort();
	memcpy(line, data, size);

	cu__rec f, j;
	memset(&f, 0, sizeof f);
	memset(&j, 0, sizeof j);
	int rf = cu__parse_fast(line, size, &f);
	if (rf < CU__LINE_NONE || rf > CU__LINE_UNSURE)
		abort();
	if (rf != CU__LINE_UNSURE) {
		int rj = cu__parse_json(jp, line, size, &j);
		if (rf == CU__LINE_BAD && rj != CU__LINE_BAD)
			abort();
		if (rf == CU__LINE_NONE && rj == CU__LINE_ENTRY)
			abort();
		/* The scanner is lenient inside values it skips: jansson may reject those. */
		if (rf == CU__LINE_ENTRY && rj != CU__LINE_BAD) {
			if (rj != CU__LINE_ENTRY || f.ts_ms != j.ts_ms || f.input != j.input ||
			    f.output != j.output || f.cache_create != j.cache_create ||
			    f.cache_read != j.cache_read || f.cache_1h != j.cache_1h ||
			    f.has_msg_id != j.has_msg_id || !same(f.msg_id, j.msg_id) ||
			    !same(f.req_id, j.req_id) || !same(f.model, j.model) ||
			    f.has_cost != j.has_cost || (f.has_cost && f.cost_usd != j.cost_usd) ||
			    f.sidechain != j.sidechain || f.api_error != j.api_error || f.fast != j.fast)
				abort();
		}
	}
	free(line);
	return 0;
}
