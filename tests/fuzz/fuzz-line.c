/*
 * fuzz-line.c - the line scanner against the jansson parser.
 *
 * Any input: the fast scanner must not read outside the line (ASan) and
 * must answer one of the four outcomes. Where it answers by itself (not
 * CU__LINE_UNSURE), jansson must agree: a line the scanner calls bad is bad
 * for jansson, a line without usage has none for jansson, and an entry
 * jansson accepts has the same fields. A disagreement aborts.
 */
#include "../unit/parse-agree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	const char *why = cu_test_parse_disagreement(jp, line, size);
	if (why) {
		fprintf(stderr, "parsers disagree: %s\n", why);
		abort();
	}
	free(line);
	return 0;
}
