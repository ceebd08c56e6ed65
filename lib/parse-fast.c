/*
 * parse-fast.c - the targeted scanner: a JSONL line to a usage record
 * without building a document.
 *
 * It walks the line once. Values it does not need are skipped: strings by
 * a search for their closing quote (SSE2 for short ones, memchr for long
 * ones), containers by bracket counting. Whenever it meets
 * something whose meaning it is not sure of - an escape in a key or in a
 * wanted string, a number that is not a plain small integer, a wanted field
 * of an unexpected type, a key seen twice - it returns CU__LINE_UNSURE and
 * the caller hands the line to the jansson parser (parse-json.c), whose
 * rules are the reference. Lines the scanner accepts, it must read exactly
 * as jansson would; the differential tests hold it to that.
 */
#include "parse-private.h"
#include "parse-common.h"

#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define HAVE_SSE2_STRINGS 1
#endif

/*
 * The walk runs some 5,000 instructions a usage line. Inlined, the callbacks
 * and helpers keep the cursor in a register and each key test sits in its
 * caller's loop; called through a pointer, every step also stored and
 * reloaded the cursor (usage lines: 3.4 GB/s called, 4.6 GB/s inlined).
 */
#if defined(__GNUC__)
#define INLINE static inline __attribute__((always_inline))
#define NOINLINE static __attribute__((noinline))
#else
#define INLINE static inline
#define NOINLINE static
#endif

typedef struct cur {
	const char *p;
	const char *end;
} cur;

/* Result codes of the helpers: OK, the line is broken, or ask jansson. */
enum { R_OK = 0, R_BAD = -1, R_UNSURE = -2 };

INLINE void skip_ws(cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/*
 * Most strings in a line are short (keys, ids, timestamps) and have no
 * escape, and a call to memchr costs more than reading them: 16 bytes at a
 * time, a quote with no backslash before it ends the string. Returns the
 * closing quote, or NULL when a backslash comes first, no quote is found in
 * the first SHORT_STRING bytes, or fewer than 16 bytes are left; *resume is
 * then where a quote may still be (nothing before it is a quote).
 */
#define SHORT_STRING 64
INLINE const char *find_plain_quote(const char *p, const char *end, const char **resume)
{
#if defined(HAVE_SSE2_STRINGS)
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
	for (const char *stop = p + SHORT_STRING; p < stop && end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote));
		unsigned mb = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash));
		if (mq == 0 && mb == 0)
			continue;
		/* The lowest quote, with no backslash below it. */
		if (mq != 0 && (mb & ((mq & -mq) - 1)) == 0)
			return p + __builtin_ctz(mq);
		break;
	}
#else
	(void)end;
#endif
	*resume = p;
	return NULL;
}

/* c->p is just past an opening quote; leave it just past the closing one. */
INLINE int skip_string_body(cur *c, int *has_escape)
{
	const char *p = c->p;
	const char *end_quote = find_plain_quote(p, c->end, &p);
	if (end_quote) {
		if (has_escape)
			*has_escape = 0;
		c->p = end_quote + 1;
		return R_OK;
	}
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(c->end - p));
		if (!q)
			return R_BAD;
		/* An odd run of backslashes before the quote escapes it. */
		const char *b = q;
		while (b > c->p && b[-1] == '\\')
			b--;
		if (((q - b) & 1) == 0) {
			if (has_escape)
				*has_escape = memchr(c->p, '\\', (size_t)(q - c->p)) != NULL;
			c->p = q + 1;
			return R_OK;
		}
		p = q + 1;
	}
}

/* Read a string at c->p (which must be a quote) as a slice. */
INLINE int read_string(cur *c, cu__str *out, int *has_escape)
{
	c->p++;
	const char *start = c->p;
	int rc = skip_string_body(c, has_escape);
	if (rc != R_OK)
		return rc;
	out->p = start;
	out->n = (size_t)(c->p - 1 - start);
	return R_OK;
}

INLINE int match_lit(cur *c, const char *lit, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return R_BAD;
	c->p += n;
	return R_OK;
}

/* Out of line: a line has few containers to skip; inlined, they would bloat the walk. */
NOINLINE int skip_container(cur *cp)
{
	cur lc = *cp, *c = &lc;
	size_t depth = 0;
	while (c->p < c->end) {
		char ch = *c->p++;
		if (ch == '"') {
			if (skip_string_body(c, NULL) != R_OK)
				return R_BAD;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (--depth == 0) {
				cp->p = c->p;
				return R_OK;
			}
		}
	}
	return R_BAD;
}

/* Skip any value. Containers are skipped by counting brackets outside strings. */
INLINE int skip_value(cur *c)
{
	if (c->p >= c->end)
		return R_BAD;
	switch (*c->p) {
	case '"':
		c->p++;
		return skip_string_body(c, NULL);
	case '{':
	case '[':
		return skip_container(c);
	case 't':
		return match_lit(c, "true", 4);
	case 'f':
		return match_lit(c, "false", 5);
	case 'n':
		return match_lit(c, "null", 4);
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) {
			while (c->p < c->end && strchr("0123456789+-.eE", *c->p) && *c->p)
				c->p++;
			return R_OK;
		}
		return R_BAD;
	}
}

static inline int is_null(cur *c)
{
	return c->p < c->end && *c->p == 'n';
}

/* A token count: null is 0, a plain integer of up to 18 digits is itself. */
INLINE int read_count(cur *c, int64_t *out)
{
	if (is_null(c)) {
		*out = 0;
		return match_lit(c, "null", 4);
	}
	const char *s = c->p;
	int64_t v = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (c->p - s < 18) /* more digits than that go to jansson */
			v = v * 10 + (*c->p - '0');
		c->p++;
	}
	size_t digits = (size_t)(c->p - s);
	if (digits == 0 || digits > 18 || (digits > 1 && *s == '0'))
		return R_UNSURE;
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
		return R_UNSURE;
	*out = v;
	return R_OK;
}

/* A wanted string field: null means absent; other types and escapes go to jansson. */
INLINE int read_str_field(cur *c, cu__str *out)
{
	if (is_null(c)) {
		out->p = NULL;
		out->n = 0;
		return match_lit(c, "null", 4);
	}
	if (c->p >= c->end || *c->p != '"')
		return R_UNSURE;
	int esc = 0;
	int rc = read_string(c, out, &esc);
	if (rc == R_OK && esc)
		return R_UNSURE;
	return rc;
}

INLINE int read_bool_field(cur *c, unsigned *out)
{
	if (c->p < c->end && *c->p == 't') {
		*out = 1;
		return match_lit(c, "true", 4);
	}
	if (c->p < c->end && (*c->p == 'f' || *c->p == 'n')) {
		*out = 0;
		return skip_value(c);
	}
	return R_UNSURE;
}

/*
 * Iterate the members of the object at c->p. For each key, fn is called with
 * the cursor on the value; it consumes the value (or returns 1 to have it
 * skipped).
 */
typedef int (*member_fn)(cur *c, const cu__str *key, void *state);

INLINE int walk_object(cur *c, member_fn fn, void *state)
{
	if (c->p >= c->end || *c->p != '{')
		return R_BAD;
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return R_OK;
	}
	for (;;) {
		skip_ws(c);
		if (c->p >= c->end || *c->p != '"')
			return R_BAD;
		cu__str key;
		int esc = 0;
		int rc = read_string(c, &key, &esc);
		if (rc != R_OK)
			return rc;
		if (esc)
			return R_UNSURE; /* an escaped key could spell a wanted one */
		skip_ws(c);
		if (c->p >= c->end || *c->p != ':')
			return R_BAD;
		c->p++;
		skip_ws(c);
		/* The line ends where a value should be. Callbacks may then read *c->p. */
		if (c->p >= c->end)
			return R_BAD;
		rc = fn(c, &key, state);
		if (rc == 1)
			rc = skip_value(c);
		if (rc != R_OK)
			return rc;
		skip_ws(c);
		if (c->p >= c->end)
			return R_BAD;
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == '}') {
			c->p++;
			return R_OK;
		}
		return R_BAD;
	}
}

#define KEY_IS(k, lit) ((k)->n == sizeof(lit) - 1 && memcmp((k)->p, lit, sizeof(lit) - 1) == 0)

/* Duplicate wanted keys: jansson keeps the last, we cannot merge safely. */
#define ONCE(st, bit)                      \
	do {                               \
		if ((st)->seen & (bit))    \
			return R_UNSURE;   \
		(st)->seen |= (bit);       \
	} while (0)

INLINE int on_cache_creation(cur *c, const cu__str *k, void *vs)
{
	cu__fields_usage *u = vs;
	if (KEY_IS(k, "ephemeral_5m_input_tokens")) {
		ONCE(u, 1u << 8);
		u->has_split = 1;
		return read_count(c, &u->cache_5m);
	}
	if (KEY_IS(k, "ephemeral_1h_input_tokens")) {
		ONCE(u, 1u << 9);
		u->has_split = 1;
		return read_count(c, &u->cache_1h);
	}
	return 1;
}

INLINE int on_usage(cur *c, const cu__str *k, void *vs)
{
	cu__fields_usage *u = vs;
	if (KEY_IS(k, "input_tokens")) {
		ONCE(u, 1u << 0);
		return read_count(c, &u->input);
	}
	if (KEY_IS(k, "output_tokens")) {
		ONCE(u, 1u << 1);
		return read_count(c, &u->output);
	}
	if (KEY_IS(k, "cache_creation_input_tokens")) {
		ONCE(u, 1u << 2);
		return read_count(c, &u->cache_create);
	}
	if (KEY_IS(k, "cache_read_input_tokens")) {
		ONCE(u, 1u << 3);
		return read_count(c, &u->cache_read);
	}
	if (KEY_IS(k, "cache_creation")) {
		ONCE(u, 1u << 4);
		if (is_null(c))
			return 1;
		if (*c->p != '{')
			return R_UNSURE;
		return walk_object(c, on_cache_creation, u);
	}
	if (KEY_IS(k, "speed")) {
		ONCE(u, 1u << 5);
		if (is_null(c))
			return 1;
		if (*c->p != '"')
			return R_UNSURE;
		cu__str s = { NULL, 0 };
		int esc = 0;
		int rc = read_string(c, &s, &esc);
		if (rc == R_OK && esc)
			return R_UNSURE;
		u->fast = s.n == 4 && memcmp(s.p, "fast", 4) == 0;
		return rc;
	}
	return 1;
}

INLINE int on_message(cur *c, const cu__str *k, void *vs)
{
	cu__fields_msg *m = vs;
	if (KEY_IS(k, "id")) {
		ONCE(m, 1u << 0);
		return read_str_field(c, &m->id);
	}
	if (KEY_IS(k, "model")) {
		ONCE(m, 1u << 1);
		return read_str_field(c, &m->model);
	}
	if (KEY_IS(k, "content")) {
		/* Skipped, but where an API error could name a usage limit (see cu__parse_fast). */
		ONCE(m, 1u << 3);
		const char *start = c->p;
		int rc = skip_value(c);
		m->content.p = start;
		m->content.n = (size_t)(c->p - start);
		return rc;
	}
	if (KEY_IS(k, "usage")) {
		ONCE(m, 1u << 2);
		if (is_null(c))
			return 1;
		if (*c->p != '{')
			return R_UNSURE;
		m->has_usage = 1;
		return walk_object(c, on_usage, &m->usage);
	}
	return 1;
}

static int read_record(cur *c, cu__fields_rec *r);

static int on_data(cur *c, const cu__str *k, void *vs)
{
	cu__fields_rec *outer = vs;
	if (KEY_IS(k, "message")) {
		if (outer->inner_seen)
			return R_UNSURE;
		outer->inner_seen = 1;
		if (*c->p != '{')
			return 1; /* not a mirrored message: ignored */
		outer->has_inner = 1;
		memset(outer->inner, 0, sizeof *outer->inner);
		return read_record(c, outer->inner);
	}
	return 1;
}

INLINE int on_record(cur *c, const cu__str *k, void *vs)
{
	cu__fields_rec *r = vs;
	switch (k->n) {
	case 3:
		if (KEY_IS(k, "cwd")) {
			ONCE(r, 1u << 0);
			if (c->p < c->end && *c->p != '"' && *c->p != 'n')
				return 1; /* a cwd of another type is only ignored */
			return read_str_field(c, &r->cwd);
		}
		break;
	case 4:
		if (KEY_IS(k, "type")) {
			ONCE(r, 1u << 1);
			return read_str_field(c, &r->type);
		}
		if (KEY_IS(k, "data") && r->inner) {
			ONCE(r, 1u << 2);
			if (c->p < c->end && *c->p == '{')
				return walk_object(c, on_data, r);
			return 1;
		}
		break;
	case 7:
		if (KEY_IS(k, "message")) {
			ONCE(r, 1u << 3);
			if (c->p < c->end && *c->p == '{') {
				r->has_msg = 1;
				return walk_object(c, on_message, &r->msg);
			}
			return 1;
		}
		if (KEY_IS(k, "costUSD")) {
			ONCE(r, 1u << 4);
			if (c->p < c->end && (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))) {
				const char *s = c->p;
				int rc = skip_value(c);
				if (rc == R_OK && cu__parse_double(s, (size_t)(c->p - s), &r->cost) == 0)
					r->has_cost = 1;
				else
					return R_UNSURE;
				return rc;
			}
			return 1;
		}
		break;
	case 9:
		if (KEY_IS(k, "requestId")) {
			ONCE(r, 1u << 5);
			return read_str_field(c, &r->req_id);
		}
		if (KEY_IS(k, "timestamp")) {
			ONCE(r, 1u << 6);
			return read_str_field(c, &r->timestamp);
		}
		break;
	case 11:
		if (KEY_IS(k, "isSidechain")) {
			ONCE(r, 1u << 7);
			r->has_sidechain = 1;
			return read_bool_field(c, &r->sidechain);
		}
		break;
	case 17:
		if (KEY_IS(k, "isApiErrorMessage")) {
			ONCE(r, 1u << 8);
			return read_bool_field(c, &r->api_error);
		}
		break;
	default:
		break;
	}
	return 1;
}

/* A function, not inlined: data.message holds a record too. */
static int read_record(cur *c, cu__fields_rec *r)
{
	return walk_object(c, on_record, r);
}

static int may_name_limit(const cu__str *content)
{
	return content->p && (memmem(content->p, content->n, CU__LIMIT_TEXT, sizeof CU__LIMIT_TEXT - 1) ||
	                      memmem(content->p, content->n, "\\u", 2));
}

int cu__parse_fast(const char *line, size_t n, cu__rec *rec)
{
	cur c = { line, line + n };
	cu__fields_rec inner, top;

	if (n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
		c.p += 3;
	/* inner is cleared when data.message is met: most lines have none. */
	memset(&top, 0, sizeof top);
	top.inner = &inner;
	skip_ws(&c);
	int rc = read_record(&c, &top);
	if (rc == R_UNSURE)
		return CU__LINE_UNSURE;
	if (rc == R_OK) {
		skip_ws(&c);
		if (c.p != c.end)
			rc = R_BAD;
	}
	if (rc == R_BAD) {
		rec->why = "not a complete JSON object";
		return CU__LINE_BAD;
	}
	rc = cu__fields_finish(&top, rec);
	/*
	 * The scanner skips message.content, where an API error may tell when a
	 * usage limit resets; jansson reads the lines that could. A content can
	 * only name the limit if it holds its words, or a \u escape that could
	 * spell them (no other escape makes a letter or a space).
	 */
	if (rc == CU__LINE_ENTRY && rec->api_error && !rec->has_cost &&
	    (may_name_limit(&top.msg.content) || (top.has_inner && may_name_limit(&inner.msg.content))))
		return CU__LINE_UNSURE;
	return rc;
}
