/*
 * test-parse.c - the line parsers: expected results on hand-written lines,
 * and the fast scanner held to the jansson parser on every fixture line and
 * on every truncation and byte mutation of them.
 */
#include "parse-agree.h"
#include "parse-private.h"

#include "test-util.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A_BASE "\"type\":\"assistant\",\"timestamp\":\"2025-06-03T12:00:00.000Z\",\"requestId\":\"req_1\""
#define USAGE "\"usage\":{\"input_tokens\":10,\"output_tokens\":20,\"cache_creation_input_tokens\":30,\"cache_read_input_tokens\":40}"

typedef struct expect {
	const char *line;
	int outcome;
	int64_t in, out, cc, cr;
	const char *msg_id, *req_id, *model;
} expect;

static const expect cases[] = {
	{ "{" A_BASE ",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-20250514\"," USAGE "}}",
	  CU__LINE_ENTRY, 10, 20, 30, 40, "msg_1", "req_1", "claude-sonnet-4-20250514" },
	/* whitespace everywhere, CRLF, BOM */
	{ "\xEF\xBB\xBF { \"type\" : \"assistant\" , \"timestamp\" : \"2025-06-03T12:00:00Z\" ,\n"
	  " \"message\" : { \"id\" : \"m\" , \"usage\" : { \"input_tokens\" : 1 } } }\r",
	  CU__LINE_ENTRY, 1, 0, 0, 0, "m", NULL, NULL },
	/* nulls count as absent or zero */
	{ "{" A_BASE ",\"message\":{\"id\":null,\"model\":null,\"usage\":{\"input_tokens\":null,\"output_tokens\":5}}}",
	  CU__LINE_ENTRY, 0, 5, 0, 0, NULL, "req_1", NULL },
	/* usage.iterations repeats the counts and is not added */
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4,\"iterations\":[{\"input_tokens\":3,\"output_tokens\":4}]}}}",
	  CU__LINE_ENTRY, 3, 4, 0, 0, "m", "req_1", NULL },
	/* the 5m/1h split: its parts are the cache writes */
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"cache_creation_input_tokens\":100,\"cache_creation\":{\"ephemeral_5m_input_tokens\":60,\"ephemeral_1h_input_tokens\":40}}}}",
	  CU__LINE_ENTRY, 0, 0, 100, 0, "m", "req_1", NULL },
	/* an assistant message mirrored in a progress line */
	{ "{\"type\":\"progress\",\"timestamp\":\"2025-06-03T12:00:01Z\",\"data\":{\"type\":\"agent_progress\",\"message\":"
	  "{\"type\":\"assistant\",\"timestamp\":\"2025-06-03T12:00:00Z\",\"requestId\":\"req_9\",\"message\":"
	  "{\"id\":\"msg_9\",\"model\":\"claude-haiku-4-5-20251001\"," USAGE "}}}}",
	  CU__LINE_ENTRY, 10, 20, 30, 40, "msg_9", "req_9", "claude-haiku-4-5-20251001" },
	/* a progress line whose nested assistant has no usage: the substring trap */
	{ "{\"type\":\"progress\",\"data\":{\"message\":{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\",\"content\":[]}}},\"text\":\"\\\"usage\\\"\"}",
	  CU__LINE_NONE, 0, 0, 0, 0, NULL, NULL, NULL },
	/* user lines mentioning "type":"assistant" and usage in their text */
	{ "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"{\\\"type\\\":\\\"assistant\\\",\\\"usage\\\":{}}\"}}",
	  CU__LINE_NONE, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{\"type\":\"user\",\"message\":{\"usage\":{\"input_tokens\":5}}}", CU__LINE_NONE, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{\"type\":\"summary\",\"summary\":\"usage\"}", CU__LINE_NONE, 0, 0, 0, 0, NULL, NULL, NULL },
	/* escapes in a wanted string are decoded (jansson path) */
	{ "{" A_BASE ",\"message\":{\"id\":\"m\\u0031\",\"model\":\"claude\\/x\",\"usage\":{\"output_tokens\":7}}}",
	  CU__LINE_ENTRY, 0, 7, 0, 0, "m1", "req_1", "claude/x" },
	/* an escaped key spelling a wanted one */
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"us\\u0061ge\":{\"output_tokens\":7}}}",
	  CU__LINE_ENTRY, 0, 7, 0, 0, "m", "req_1", NULL },
	/* duplicate keys: the last one wins, as in jansson */
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":7,\"output_tokens\":9}}}",
	  CU__LINE_ENTRY, 0, 9, 0, 0, "m", "req_1", NULL },
	/* lone surrogate escapes (JavaScript's for a string cut inside a pair) read as U+FFFD,
	 * in a field both parsers read and in one they skip; a proper pair and an escaped
	 * backslash before "ud800" are left alone */
	{ "{" A_BASE ",\"message\":{\"id\":\"m\\ud83d\",\"usage\":{\"output_tokens\":7}}}",
	  CU__LINE_ENTRY, 0, 7, 0, 0, "m\xEF\xBF\xBD", "req_1", NULL },
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"content\":\"\\udc00\\ud83d\\ude00\\\\ud800\\ud800x\","
	  "\"usage\":{\"output_tokens\":7}},\"requestId\":\"r\\ud800\\u0041\"}",
	  CU__LINE_ENTRY, 0, 7, 0, 0, "m", "r\xEF\xBF\xBD" "A", NULL },
	/* timestamps in other RFC 3339 forms */
	{ "{\"type\":\"assistant\",\"timestamp\":\"2025-06-03T14:00:00.123456+02:00\",\"message\":{\"id\":\"m\",\"usage\":{}}}",
	  CU__LINE_ENTRY, 0, 0, 0, 0, "m", NULL, NULL },
	/* bad usage lines */
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":-1}}}", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":\"12\"}}}", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":1.5}}}", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":99999999999999999999999}}}", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{\"type\":\"assistant\",\"message\":{\"id\":\"m\",\"usage\":{}}}", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{\"type\":\"assistant\",\"timestamp\":\"yesterday\",\"message\":{\"id\":\"m\",\"usage\":{}}}", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":1}}", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":1}}} x", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "[{\"usage\":{}}]", CU__LINE_BAD, 0, 0, 0, 0, NULL, NULL, NULL },
	/* an API error announcing when a usage limit resets */
	{ "{" A_BASE ",\"isApiErrorMessage\":true,\"message\":{\"id\":\"m\",\"model\":\"<synthetic>\","
	  "\"content\":[{\"type\":\"text\",\"text\":\"Claude AI usage limit reached|1749582000\"}],"
	  "\"usage\":{\"input_tokens\":0}}}",
	  CU__LINE_ENTRY, 0, 0, 0, 0, "m", "req_1", "<synthetic>" },
};

static int str_eq(cu__str s, const char *want)
{
	if (!want)
		return s.p == NULL || s.n == 0;
	return s.p && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

/* Why a bad line was skipped, from the jansson path. */
START_TEST(bad_line_reasons)
{
	static const struct {
		const char *line, *why;
	} c[] = {
		{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":99999999999999999999999}}}",
		  "a number does not fit in 64 bits" },
		{ "{" A_BASE ",\"message\":{\"id\":\"m\",\"usage\":{\"output_tokens\":1}}", "not a complete JSON object" },
		{ "[1]", "not a JSON object" },
	};
	cu__jparser *jp = cu__jparser_new();
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		cu__rec r;
		memset(&r, 0, sizeof r);
		ck_assert_int_eq(cu__parse_json(jp, c[i].line, strlen(c[i].line), &r), CU__LINE_BAD);
		ck_assert_str_eq(r.why, c[i].why);
	}
	cu__jparser_free(jp);
}
END_TEST

START_TEST(expected_results)
{
	const expect *c = &cases[_i];
	cu__jparser *jp = cu__jparser_new();
	for (int path = 0; path < 2; path++) {
		cu__rec r;
		memset(&r, 0, sizeof r);
		int rc = path == 0 ? cu__parse_fast(c->line, strlen(c->line), &r) : CU__LINE_UNSURE;
		if (rc == CU__LINE_UNSURE)
			rc = cu__parse_json(jp, c->line, strlen(c->line), &r);
		ck_assert_msg(rc == c->outcome, "case %d path %d: got %d want %d", _i, path, rc, c->outcome);
		if (rc != CU__LINE_ENTRY)
			continue;
		ck_assert_int_eq(r.input, c->in);
		ck_assert_int_eq(r.output, c->out);
		ck_assert_int_eq(r.cache_create, c->cc);
		ck_assert_int_eq(r.cache_read, c->cr);
		ck_assert_msg(str_eq(r.msg_id, c->msg_id), "case %d: message id", _i);
		ck_assert_msg(str_eq(r.req_id, c->req_id), "case %d: request id", _i);
		ck_assert_msg(str_eq(r.model, c->model), "case %d: model", _i);
	}
	cu__jparser_free(jp);
}
END_TEST

START_TEST(fields_and_flags)
{
	const char *line = "{\"type\":\"assistant\",\"isSidechain\":true,\"isApiErrorMessage\":true,"
	                   "\"costUSD\":0.125,\"cwd\":\"/home/u/p\",\"timestamp\":\"2025-06-03T12:00:00.5Z\","
	                   "\"message\":{\"id\":\"m\",\"usage\":{\"speed\":\"fast\",\"cache_creation\":"
	                   "{\"ephemeral_1h_input_tokens\":8}}}}";
	cu__rec r;
	ck_assert_int_eq(cu__parse_fast(line, strlen(line), &r), CU__LINE_ENTRY);
	ck_assert(r.sidechain && r.api_error && r.fast && r.has_cost && r.has_split);
	ck_assert(r.cost_usd == 0.125);
	ck_assert_int_eq(r.ts_ms, INT64_C(1748952000500));
	ck_assert_int_eq(r.cache_1h, 8);
	ck_assert_int_eq(r.cache_create, 8);
	ck_assert(str_eq(r.cwd, "/home/u/p"));
}
END_TEST

/* Parse with jansson, after checking the scanner leaves such lines to it. */
/*
 * The reset time jansson reads; the scanner must leave the line to it when
 * it could name the limit (fast_answers 0), and read the same otherwise.
 */
static double reset_of(cu__jparser *jp, const char *line, int api_error, int fast_answers)
{
	cu__rec r, f;
	memset(&r, 0, sizeof r);
	memset(&f, 0, sizeof f);
	int fast = cu__parse_fast(line, strlen(line), &f);
	ck_assert_int_eq(fast, fast_answers ? CU__LINE_ENTRY : CU__LINE_UNSURE);
	ck_assert_int_eq(cu__parse_json(jp, line, strlen(line), &r), CU__LINE_ENTRY);
	ck_assert(!r.has_cost);
	ck_assert_int_eq(r.api_error, api_error);
	if (fast_answers) {
		ck_assert_int_eq(f.api_error, api_error);
		ck_assert(f.cost_usd == r.cost_usd);
	}
	return r.cost_usd;
}

START_TEST(usage_limit_reset)
{
	cu__jparser *jp = cu__jparser_new();
	char line[1024];
	const struct {
		const char *content;
		double want;
		int fast_answers; /* no words of the limit, no \u escape: the scanner reads it */
	} cases_[] = {
		{ "[{\"type\":\"text\",\"text\":\"Claude AI usage limit reached|1749582000\"}]", 1749582000000.0, 0 },
		/* another item first; only the first text naming the limit counts */
		{ "[{\"type\":\"tool_use\"},{\"type\":\"text\",\"text\":\"x|5 Claude AI usage limit reached|7\"},"
		  "{\"type\":\"text\",\"text\":\"Claude AI usage limit reached|9\"}]", 5000.0, 0 },
		/* the first '|' followed by a digit */
		{ "[{\"text\":\"Claude AI usage limit reached|soon|1700000000|3\"}]", 1700000000000.0, 0 },
		/* an escaped text is decoded first */
		{ "[{\"text\":\"Claude AI usage limit reached\\u007c42\"}]", 42000.0, 0 },
		{ "[{\"text\":\"\\u0043laude AI usage limit reached|42\"}]", 42000.0, 0 },
		{ "[{\"text\":\"Claude AI usage limit reached\"}]", 0.0, 0 },
		{ "[{\"text\":\"Claude AI usage limit reached|0\"}]", 0.0, 0 },
		{ "[{\"text\":\"Claude AI usage limit reached|99999999999999999999\"}]", 0.0, 0 },
		{ "[{\"text\":\"API Error: 500|1749582000\"}]", 0.0, 1 },
		{ "[{\"text\":\"API Error:\\n\\\"500\\\"|1749582000\"}]", 0.0, 1 },
		{ "[{\"text\":\"API Error: \\u0035\"}]", 0.0, 0 },
		{ "\"Claude AI usage limit reached|1749582000\"", 0.0, 0 },
	};
	for (size_t i = 0; i < sizeof cases_ / sizeof cases_[0]; i++) {
		snprintf(line, sizeof line,
		         "{" A_BASE ",\"isApiErrorMessage\":true,\"message\":{\"id\":\"m\","
		         "\"model\":\"<synthetic>\",\"content\":%s,\"usage\":{}}}", cases_[i].content);
		ck_assert_msg(reset_of(jp, line, 1, cases_[i].fast_answers) == cases_[i].want, "case %zu", i);
	}
	/* the words, or a \u escape, outside message.content name nothing: the scanner answers */
	snprintf(line, sizeof line,
	         "{" A_BASE ",\"isApiErrorMessage\":true,\"note\":\"Claude AI usage limit reached|7 \\u0043\","
	         "\"message\":{\"id\":\"m\",\"model\":\"<synthetic>\",\"content\":[{\"text\":\"API Error\"}],"
	         "\"usage\":{}}}");
	ck_assert(reset_of(jp, line, 1, 1) == 0.0);
	/* no content at all */
	snprintf(line, sizeof line,
	         "{" A_BASE ",\"isApiErrorMessage\":true,\"message\":{\"id\":\"m\",\"usage\":{}},"
	         "\"x\":\"Claude AI usage limit reached|7\"}");
	ck_assert(reset_of(jp, line, 1, 1) == 0.0);
	/* not an API error: nothing, and the scanner answers itself */
	snprintf(line, sizeof line, "{" A_BASE ",\"message\":{\"id\":\"m\",\"content\":%s,\"usage\":{}}}",
	         cases_[0].content);
	ck_assert(reset_of(jp, line, 0, 1) == 0.0);
	cu__jparser_free(jp);
}
END_TEST

/* The two parsers must agree wherever the fast one answers (parse-agree.h). */
static void check_agree(cu__jparser *jp, const char *line, size_t n)
{
	const char *why = cu_test_parse_disagreement(jp, line, n);
	ck_assert_msg(why == NULL, "parsers disagree (%s): %.*s", why, (int)n, line);
}

START_TEST(truncations_agree)
{
	cu__jparser *jp = cu__jparser_new();
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		size_t n = strlen(cases[c].line);
		for (size_t k = 0; k <= n; k++)
			check_agree(jp, cases[c].line, k);
	}
	cu__jparser_free(jp);
}
END_TEST

START_TEST(mutations_agree)
{
	static const char alphabet[] = "{}[]\",:\\0123456789-.eEtrufalsn \x01\xff";
	cu__jparser *jp = cu__jparser_new();
	uint64_t seed = 42;
	char buf[2048];
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		size_t n = strlen(cases[c].line);
		for (int round = 0; round < 400; round++) {
			memcpy(buf, cases[c].line, n);
			for (int k = 0; k < 1 + round % 3; k++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				size_t pos = (size_t)(seed >> 33) % n;
				buf[pos] = alphabet[(seed >> 17) % (sizeof alphabet - 1)];
			}
			check_agree(jp, buf, n);
		}
	}
	cu__jparser_free(jp);
}
END_TEST

/* Every line of the fixture files in tests/data/parse/, both parsers. */
START_TEST(fixture_files_agree)
{
	const char *dir = getenv("CU_TEST_DATA");
	ck_assert_msg(dir != NULL, "CU_TEST_DATA is not set");
	char path[1024];
	snprintf(path, sizeof path, "%s/parse/lines.jsonl", dir);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	cu__jparser *jp = cu__jparser_new();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int entries = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		check_agree(jp, line, (size_t)n);
		cu__rec r;
		entries += cu__parse_json(jp, line, (size_t)n, &r) == CU__LINE_ENTRY;
	}
	free(line);
	fclose(f);
	cu__jparser_free(jp);
	ck_assert_int_gt(entries, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, expected_results, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, fields_and_flags);
	tcase_add_test(tc, bad_line_reasons);
	tcase_add_test(tc, usage_limit_reset);
	tcase_add_test(tc, truncations_agree);
	tcase_add_test(tc, mutations_agree);
	tcase_add_test(tc, fixture_files_agree);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
