/*
 * parse-json.c - the reference line parser, built on jansson.
 *
 * Used for every line the fast scanner is unsure of, and as the oracle the
 * scanner is tested against. It fills the same cu__fields_* structures and
 * lets cu__fields_finish() decide, so both parsers share one set of rules.
 */
#include "parse-private.h"
#include "parse-common.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct cu__jparser {
	json_t *doc; /* kept alive for the strings handed out in the last record */
};

cu__jparser *cu__jparser_new(void)
{
	return calloc(1, sizeof(cu__jparser));
}

void cu__jparser_free(cu__jparser *jp)
{
	if (!jp)
		return;
	json_decref(jp->doc);
	free(jp);
}

/* The value of 4 hex digits at s (n bytes available), or -1. */
static long hex4(const char *s, size_t n)
{
	long v = 0;
	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * JavaScript writes a string cut inside a surrogate pair with a lone
 * surrogate escape ("\ud83d"), which JSON.parse takes and jansson refuses.
 * Returns a copy of the line with each lone one read as U+FFFD (an escape of
 * the same length), or NULL when there is none (or no memory).
 */
static char *mend_surrogates(const char *s, size_t n)
{
	char *out = NULL;
	int in_str = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"') {
			in_str = !in_str;
			continue;
		}
		if (!in_str || s[i] != '\\' || i + 1 >= n)
			continue;
		if (s[i + 1] != 'u') {
			i++; /* the escaped character, maybe a quote or a backslash */
			continue;
		}
		long u = hex4(s + i + 2, n - i - 2);
		if (u < 0xD800 || u > 0xDFFF) {
			i += u < 0 ? 1 : 5;
			continue;
		}
		if (u <= 0xDBFF && i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u') {
			long v = hex4(s + i + 8, n - i - 8);
			if (v >= 0xDC00 && v <= 0xDFFF) {
				i += 11; /* a proper pair */
				continue;
			}
		}
		if (!out) {
			if (!(out = malloc(n)))
				return NULL;
			memcpy(out, s, n);
		}
		memcpy(out + i, "\\ufffd", 6);
		i += 5;
	}
	return out;
}

/* A string field: null or absent leaves it absent; another type is bad. */
static void get_str(json_t *obj, const char *key, cu__str *out, const char **bad, const char *why)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return;
	if (!json_is_string(v)) {
		if (!*bad)
			*bad = why;
		return;
	}
	out->p = json_string_value(v);
	out->n = json_string_length(v);
}

static void get_count(json_t *obj, const char *key, int64_t *out, unsigned *seen, unsigned bit,
                      const char **bad)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return;
	*seen |= bit;
	if (json_is_null(v))
		return;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		if (!*bad)
			*bad = "a usage token count is not a non-negative integer";
		return;
	}
	*out = (int64_t)json_integer_value(v);
}

static int get_bool(json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

static void read_usage(json_t *u, cu__fields_usage *f)
{
	get_count(u, "input_tokens", &f->input, &f->seen, 1u << 0, &f->bad);
	get_count(u, "output_tokens", &f->output, &f->seen, 1u << 1, &f->bad);
	get_count(u, "cache_creation_input_tokens", &f->cache_create, &f->seen,
	          CU__SEEN_CACHE_CREATE, &f->bad);
	get_count(u, "cache_read_input_tokens", &f->cache_read, &f->seen, 1u << 3, &f->bad);
	json_t *cc = json_object_get(u, "cache_creation");
	if (json_is_object(cc)) {
		unsigned seen = 0;
		get_count(cc, "ephemeral_5m_input_tokens", &f->cache_5m, &seen, 1u << 8, &f->bad);
		get_count(cc, "ephemeral_1h_input_tokens", &f->cache_1h, &seen, 1u << 9, &f->bad);
		f->has_split = seen != 0;
	}
	json_t *speed = json_object_get(u, "speed");
	f->fast = json_is_string(speed) && strcmp(json_string_value(speed), "fast") == 0 &&
	          json_string_length(speed) == 4;
}

static void read_message(json_t *m, cu__fields_msg *f)
{
	get_str(m, "id", &f->id, &f->bad, "message.id is not a string");
	get_str(m, "model", &f->model, &f->bad, "message.model is not a string");
	/* Only the first text naming the limit counts, as in ccusage. */
	json_t *content = json_object_get(m, "content"), *item;
	size_t i;
	json_array_foreach(content, i, item) {
		json_t *text = json_object_get(item, "text");
		const char *t = json_string_value(text);
		if (t && memmem(t, json_string_length(text), CU__LIMIT_TEXT, sizeof CU__LIMIT_TEXT - 1)) {
			f->limit_reset_ms = cu__limit_reset_ms(t, json_string_length(text));
			break;
		}
	}
	json_t *u = json_object_get(m, "usage");
	if (json_is_object(u)) {
		f->has_usage = 1;
		read_usage(u, &f->usage);
	}
}

static void read_record(json_t *o, cu__fields_rec *f)
{
	json_t *v;

	get_str(o, "type", &f->type, &f->bad, "type is not a string");
	get_str(o, "timestamp", &f->timestamp, &f->bad, "invalid timestamp");
	get_str(o, "requestId", &f->req_id, &f->bad, "requestId is not a string");
	v = json_object_get(o, "cwd");
	if (json_is_string(v)) {
		f->cwd.p = json_string_value(v);
		f->cwd.n = json_string_length(v);
	}
	v = json_object_get(o, "costUSD");
	if (json_is_number(v)) {
		f->cost = json_number_value(v);
		f->has_cost = 1;
	}
	f->sidechain = (unsigned)get_bool(o, "isSidechain");
	f->api_error = (unsigned)get_bool(o, "isApiErrorMessage");
	v = json_object_get(o, "message");
	if (json_is_object(v)) {
		f->has_msg = 1;
		read_message(v, &f->msg);
	}
	if (f->inner) {
		json_t *data = json_object_get(o, "data");
		json_t *inner = json_is_object(data) ? json_object_get(data, "message") : NULL;
		if (json_is_object(inner)) {
			f->has_inner = 1;
			read_record(inner, f->inner);
		}
	}
}

int cu__parse_json(cu__jparser *jp, const char *line, size_t n, cu__rec *rec)
{
	json_error_t err;
	cu__fields_rec inner, top;

	json_decref(jp->doc);
	jp->doc = NULL;
	if (n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3;
		n -= 3;
	}
	/*
	 * A raw NUL is never valid JSON (in a string it must be \u0000), but
	 * jansson's number lexer stops at one and accepts "1\0}" as "1}".
	 */
	if (memchr(line, '\0', n)) {
		rec->why = "NUL byte in the line";
		return CU__LINE_BAD;
	}
	jp->doc = json_loadb(line, n, 0, &err);
	if (!jp->doc) {
		char *mended = mend_surrogates(line, n);
		if (mended) {
			jp->doc = json_loadb(mended, n, 0, &err);
			free(mended);
		}
	}
	if (!json_is_object(jp->doc)) {
		rec->why = jp->doc ? "not a JSON object"
		           : strstr(err.text, "too big") ? "a number does not fit in 64 bits"
		                                         : "not a complete JSON object";
		return CU__LINE_BAD;
	}
	memset(&inner, 0, sizeof inner);
	memset(&top, 0, sizeof top);
	top.inner = &inner;
	read_record(jp->doc, &top);
	return cu__fields_finish(&top, rec);
}
