/*
 * parse-common.c - the meaning of a parsed line, shared by both parsers.
 */
#include "parse-common.h"
#include "entry-private.h"
#include "time-private.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int str_is(cu__str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.p && s.n == n && memcmp(s.p, lit, n) == 0;
}

static int tokens_ok(const cu__fields_usage *u)
{
	const int64_t v[] = { u->input, u->output, u->cache_create, u->cache_read,
		              u->cache_5m, u->cache_1h };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (v[i] < 0 || v[i] > CU__MAX_TOKENS)
			return 0;
	return 1;
}

int cu__fields_finish(const cu__fields_rec *top, cu__rec *rec)
{
	const cu__fields_rec *r;
	int progress = 0;

	if (str_is(top->type, "assistant")) {
		r = top;
	} else if (str_is(top->type, "progress") && top->has_inner) {
		r = top->inner;
		progress = 1;
		if (r->type.p && !str_is(r->type, "assistant"))
			return CU__LINE_NONE;
	} else {
		return CU__LINE_NONE;
	}
	if (!r->has_msg || !r->msg.has_usage)
		return CU__LINE_NONE;

	const char *bad = r->bad ? r->bad : r->msg.bad ? r->msg.bad : r->msg.usage.bad;
	if (bad) {
		rec->why = bad;
		return CU__LINE_BAD;
	}
	const cu__fields_usage *u = &r->msg.usage;
	if (!tokens_ok(u)) {
		rec->why = "token count out of range";
		return CU__LINE_BAD;
	}
	cu__str ts = r->timestamp;
	if (!ts.p && progress)
		ts = top->timestamp;
	if (!ts.p) {
		rec->why = "usage line without timestamp";
		return CU__LINE_BAD;
	}
	if (cu__parse_timestamp(ts.p, ts.n, &rec->ts_ms) != 0) {
		rec->why = "invalid timestamp";
		return CU__LINE_BAD;
	}

	rec->msg_id = r->msg.id;
	rec->has_msg_id = r->msg.id.p != NULL && r->msg.id.n > 0;
	rec->req_id = r->req_id;
	if (!rec->req_id.p && progress)
		rec->req_id = top->req_id;
	rec->model = r->msg.model;
	rec->cwd = r->cwd.p ? r->cwd : top->cwd;
	rec->input = u->input;
	rec->output = u->output;
	rec->cache_read = u->cache_read;
	rec->has_split = u->has_split;
	rec->cache_5m = u->cache_5m;
	rec->cache_1h = u->cache_1h;
	/*
	 * With the 5m/1h split present its parts are the cache writes, as in
	 * ccusage; cache_creation_input_tokens counts only without it.
	 */
	rec->cache_create = u->has_split ? u->cache_5m + u->cache_1h : u->cache_create;
	if (rec->cache_1h > rec->cache_create)
		rec->cache_1h = rec->cache_create;
	rec->fast = u->fast;
	rec->has_cost = r->has_cost && r->cost >= 0;
	rec->cost_usd = rec->has_cost ? r->cost : 0;
	rec->sidechain = r->sidechain || (progress && top->sidechain);
	rec->api_error = r->api_error || (progress && top->api_error);
	/* An API error has no costUSD: the field carries the usage-limit reset time instead. */
	if (rec->api_error && !rec->has_cost)
		rec->cost_usd = (double)r->msg.limit_reset_ms;
	rec->from_progress = (unsigned)progress;
	rec->why = NULL;
	return CU__LINE_ENTRY;
}

int64_t cu__limit_reset_ms(const char *text, size_t n)
{
	if (!text || !memmem(text, n, CU__LIMIT_TEXT, sizeof CU__LIMIT_TEXT - 1))
		return 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (text[i] != '|' || text[i + 1] < '0' || text[i + 1] > '9')
			continue;
		int64_t s = 0;
		for (size_t k = i + 1; k < n && text[k] >= '0' && text[k] <= '9'; k++) {
			s = s * 10 + (text[k] - '0');
			if (s > CU__MAX_RESET_MS / 1000)
				return 0;
		}
		return s * 1000;
	}
	return 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_json_number(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return 0;
	if (s[i] == '0') {
		i++;
	} else if (s[i] >= '1' && s[i] <= '9') {
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	} else {
		return 0;
	}
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	return i == n;
}

int cu__parse_double(const char *s, size_t n, double *out)
{
	char buf[64];
	if (n == 0 || n >= sizeof buf || !is_json_number(s, n))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	pthread_once(&c_locale_once, make_c_locale);
	double v = c_locale ? strtod_l(buf, NULL, c_locale) : strtod(buf, NULL);
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}
