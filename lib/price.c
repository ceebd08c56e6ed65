/*
 * price.c - price tables in LiteLLM's format and the cost of one entry.
 *
 * Fields read per model (all per token, USD):
 *   input_cost_per_token, output_cost_per_token          (required)
 *   cache_creation_input_token_cost                      (default 1.25x input)
 *   cache_read_input_token_cost                          (default 0.1x input)
 *   cache_creation_input_token_cost_above_1hr            (default 2x input)
 *   input_cost_per_token_above_200k_tokens,
 *   output_cost_per_token_above_200k_tokens,
 *   cache_creation_input_token_cost_above_200k_tokens,
 *   cache_read_input_token_cost_above_200k_tokens        (long-context tier)
 *   cache_creation_input_token_cost_above_1hr_above_200k_tokens
 *                                                        (default 2x input tier)
 *   litellm_provider                                     (Claude filter)
 * and the fast-mode multiplier, first found of:
 *   provider_specific_entry.fast   (what LiteLLM and ccusage use)
 *   speed_multipliers.fast
 *   fast_mode_cost_multiplier
 * Everything else (mode, max_*_tokens, ...) is ignored, and so is the
 * "sample_spec" entry LiteLLM keeps at the top of its file.
 *
 * The arithmetic of cu__price_cost follows ccusage 20.0.24 operation for
 * operation (measured bit for bit against its output): per kind n * price,
 * or T * base + (n - T) * above past the threshold; the kinds summed as
 * input, output, 5-minute write, 1-hour write, read; the total multiplied
 * by the fast factor.
 */
#include "price-private.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char cu__embedded_prices_json[];
extern const size_t cu__embedded_prices_json_len;

/*
 * A table with a Claude model priced below 0 or above $1 per token ($1M per
 * million), or with a fast multiplier outside (0, 100], is broken or
 * hostile: it is refused whole, so that the caller keeps its previous table.
 * So is one with more entries than any real table has (LiteLLM's has a few
 * thousand).
 */
#define MAX_PRICE 1.0
#define MAX_FAST_FACTOR 100.0
#define MAX_ENTRIES 100000
/* Longest model name the fuzzy steps of cu__pricetab_find consider. */
#define NAME_BUF 256
#define DATE_LEN 8

typedef struct entry {
	const char *key;
	size_t keylen;
	cu__price price;
} entry;

struct cu__pricetab {
	char *source;
	char *keybuf; /* all keys, NUL-separated */
	entry *e;
	size_t n;
};

/* ---- small string helpers (ASCII only, locale-independent) ---- */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Case-insensitive search of needle (NUL-terminated) in s[0..n); last hit. */
static const char *find_last_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *hit = NULL;

	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;
		while (j < k && lower((unsigned char)s[i + j]) == needle[j])
			j++;
		if (j == k)
			hit = s + i;
	}
	return hit;
}

/* strdup is POSIX, not C11. */
static char *copy_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	return d ? memcpy(d, s, n) : NULL;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen) {
		size_t n = strlen(msg);
		n = n < errlen ? n : errlen - 1;
		memcpy(err, msg, n);
		err[n] = '\0';
	}
}

/* ---- loading ---- */

enum { P_ABSENT, P_OK, P_BAD };

/* A price field: absent (missing, null or not a number), ok or bad. */
static int get_price(const json_t *obj, const char *name, double *out)
{
	const json_t *v = json_object_get(obj, name);
	double d;

	if (!v || !json_is_number(v))
		return P_ABSENT;
	d = json_number_value(v);
	if (!isfinite(d) || d < 0.0 || d > MAX_PRICE)
		return P_BAD;
	*out = d;
	return P_OK;
}

/* Optional price: *out keeps dflt when absent; *bad names the field when broken. */
static int opt_price(const json_t *obj, const char *name, double dflt,
                     double *out, const char **bad)
{
	int r = get_price(obj, name, out);

	if (r != P_OK)
		*out = dflt;
	if (r == P_BAD && !*bad)
		*bad = name;
	return r == P_OK;
}

/* The fast-mode multiplier (1 when none); *bad set when it is nonsense. */
static double fast_factor(const json_t *obj, const char **bad)
{
	const json_t *cand[3];
	cand[0] = json_object_get(json_object_get(obj, "provider_specific_entry"), "fast");
	cand[1] = json_object_get(json_object_get(obj, "speed_multipliers"), "fast");
	cand[2] = json_object_get(obj, "fast_mode_cost_multiplier");

	for (size_t i = 0; i < 3; i++) {
		double f;
		if (!cand[i] || !json_is_number(cand[i]))
			continue;
		f = json_number_value(cand[i]);
		if (isfinite(f) && f > 0.0 && f <= MAX_FAST_FACTOR)
			return f;
		if (!*bad)
			*bad = "fast multiplier";
		return 1.0;
	}
	return 1.0;
}

static int is_claude(const char *key, const json_t *obj)
{
	const json_t *prov = json_object_get(obj, "litellm_provider");

	if (find_last_ci(key, strlen(key), "claude"))
		return 1;
	return json_is_string(prov) &&
	       find_last_ci(json_string_value(prov), json_string_length(prov), "anthropic");
}

/* The long-context prices; the tier exists when any kind has one. */
static void load_tier(const json_t *obj, cu__price *p, const char **bad)
{
	int in_t, out_t, cw_t, cr_t;
	double w1h_above;

	in_t = opt_price(obj, "input_cost_per_token_above_200k_tokens", p->input,
	                 &p->input_above, bad);
	out_t = opt_price(obj, "output_cost_per_token_above_200k_tokens", p->output,
	                  &p->output_above, bad);
	cw_t = opt_price(obj, "cache_creation_input_token_cost_above_200k_tokens",
	                 p->cache_write, &p->cache_write_above, bad);
	cr_t = opt_price(obj, "cache_read_input_token_cost_above_200k_tokens",
	                 p->cache_read, &p->cache_read_above, bad);
	p->has_tier = in_t || out_t || cw_t || cr_t;

	/* ccusage prices the 1-hour write as 2x input, tier included. */
	w1h_above = in_t ? 2.0 * p->input_above : p->cache_write_1h;
	opt_price(obj, "cache_creation_input_token_cost_above_1hr_above_200k_tokens",
	          w1h_above, &p->cache_write_1h_above, bad);
}

/*
 * Fill p from one model object. Returns P_OK; P_ABSENT when it has no input
 * or output price (not a model we can price: skipped); P_BAD with *bad
 * naming the field when a price is out of range.
 */
static int load_price(const json_t *obj, cu__price *p, const char **bad)
{
	int in, out;

	memset(p, 0, sizeof *p);
	*bad = NULL;
	in = get_price(obj, "input_cost_per_token", &p->input);
	out = get_price(obj, "output_cost_per_token", &p->output);
	if (in == P_BAD || out == P_BAD) {
		*bad = in == P_BAD ? "input_cost_per_token" : "output_cost_per_token";
		return P_BAD;
	}
	if (in != P_OK || out != P_OK)
		return P_ABSENT;
	opt_price(obj, "cache_creation_input_token_cost", 1.25 * p->input,
	          &p->cache_write, bad);
	opt_price(obj, "cache_read_input_token_cost", 0.1 * p->input,
	          &p->cache_read, bad);
	opt_price(obj, "cache_creation_input_token_cost_above_1hr", 2.0 * p->input,
	          &p->cache_write_1h, bad);
	load_tier(obj, p, bad);
	p->fast_factor = fast_factor(obj, bad);
	return *bad ? P_BAD : P_OK;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

/* Copy the keys (still owned by the JSON tree) into one buffer. */
static int own_keys(cu__pricetab *t)
{
	size_t total = 0, off = 0;

	for (size_t i = 0; i < t->n; i++)
		total += t->e[i].keylen + 1;
	t->keybuf = malloc(total);
	if (!t->keybuf)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		memcpy(t->keybuf + off, t->e[i].key, t->e[i].keylen + 1);
		t->e[i].key = t->keybuf + off;
		off += t->e[i].keylen + 1;
	}
	return 0;
}

/*
 * Keep the Claude models of root. Returns 0; -1 when out of memory; -2 with
 * a message in err when a Claude model's prices are out of range.
 */
static int collect(cu__pricetab *t, json_t *root, json_t *kept, char *err, size_t errlen)
{
	const char *key, *bad;
	json_t *val;

	t->e = malloc((json_object_size(root) + 1) * sizeof *t->e);
	if (!t->e)
		return -1;
	json_object_foreach(root, key, val) {
		entry *e = &t->e[t->n];
		if (!json_is_object(val) || strcmp(key, "sample_spec") == 0 || !is_claude(key, val))
			continue;
		int r = load_price(val, &e->price, &bad);
		if (r == P_BAD) {
			char msg[200];
			snprintf(msg, sizeof msg, "price table rejected: model %.80s has an invalid %s",
			         key, bad);
			set_err(err, errlen, msg);
			return -2;
		}
		if (r != P_OK)
			continue;
		e->key = key;
		e->keylen = strlen(key);
		t->n++;
		if (kept && json_object_set(kept, key, val) != 0)
			return -1;
	}
	return 0;
}

static void tab_free_parts(cu__pricetab *t)
{
	free(t->source);
	free(t->keybuf);
	free(t->e);
	free(t);
}

int cu__pricetab_parse(const char *json, size_t len, const char *source,
                       cu__pricetab **out, char *err, size_t errlen)
{
	return cu__pricetab_parse_keep(json, len, source, out, NULL, err, errlen);
}

int cu__pricetab_parse_keep(const char *json, size_t len, const char *source,
                            cu__pricetab **out, char **kept_text, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *kept = NULL;
	cu__pricetab *t;
	int rc = -1;

	*out = NULL;
	if (kept_text)
		*kept_text = NULL;
	root = json_loadb(json, len, 0, &jerr);
	if (!root) {
		char msg[256 + 64];
		snprintf(msg, sizeof msg, "price table is not JSON: %s (line %d, column %d)",
		         jerr.text, jerr.line, jerr.column);
		set_err(err, errlen, msg);
		return -1;
	}
	if (!json_is_object(root)) {
		set_err(err, errlen, "price table is not a JSON object");
		json_decref(root);
		return -1;
	}
	if (json_object_size(root) > MAX_ENTRIES) {
		char msg[128];
		snprintf(msg, sizeof msg, "price table rejected: %zu entries (at most %d are accepted)",
		         json_object_size(root), MAX_ENTRIES);
		set_err(err, errlen, msg);
		json_decref(root);
		return -1;
	}
	t = calloc(1, sizeof *t);
	int crc = 0;
	if (kept_text && !(kept = json_object()))
		set_err(err, errlen, "out of memory");
	else if (!t || !(t->source = copy_str(source ? source : "")) ||
	         (crc = collect(t, root, kept, err, errlen)) != 0) {
		if (crc != -2)
			set_err(err, errlen, "out of memory");
	} else if (t->n == 0) {
		set_err(err, errlen, "price table has no Claude models");
	} else if (own_keys(t) != 0) {
		set_err(err, errlen, "out of memory");
	} else if (kept && !(*kept_text = json_dumps(kept, JSON_COMPACT | JSON_SORT_KEYS |
	                                                   JSON_REAL_PRECISION(17)))) {
		set_err(err, errlen, "out of memory");
	} else {
		qsort(t->e, t->n, sizeof *t->e, entry_cmp);
		*out = t;
		t = NULL;
		rc = 0;
	}
	if (t)
		tab_free_parts(t);
	json_decref(kept);
	json_decref(root);
	return rc;
}

int cu__pricetab_embedded(cu__pricetab **out)
{
	char err[128];

	return cu__pricetab_parse(cu__embedded_prices_json, cu__embedded_prices_json_len,
	                          "embedded", out, err, sizeof err);
}

void cu__pricetab_free(cu__pricetab *tab)
{
	if (tab)
		tab_free_parts(tab);
}

const char *cu__pricetab_source(const cu__pricetab *tab)
{
	return tab->source;
}

size_t cu__pricetab_count(const cu__pricetab *tab)
{
	return tab->n;
}

const char *cu__pricetab_key(const cu__pricetab *tab, size_t i)
{
	return i < tab->n ? tab->e[i].key : NULL;
}

const cu__price *cu__pricetab_price(const cu__pricetab *tab, size_t i)
{
	return i < tab->n ? &tab->e[i].price : NULL;
}

/* ---- lookup ---- */

/* Byte order of NUL-free strings, the same order as strcmp on the keys. */
static int span_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static long find_exact(const cu__pricetab *t, const char *s, size_t n)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = span_cmp(s, n, t->e[mid].key, t->e[mid].keylen);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The comparison rule of step 3: case folded, '.' and '@' read as '-'. */
static int norm(int c)
{
	c = lower(c);
	return c == '.' || c == '@' ? '-' : c;
}

static int norm_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (norm((unsigned char)a[i]) != norm((unsigned char)b[i]))
			return 0;
	return 1;
}

/*
 * Length of s without a trailing 8-digit date token ("-20250514", also
 * after '.' or '@'); *date points at the digits, or is NULL when none.
 */
static size_t strip_date(const char *s, size_t n, const char **date)
{
	*date = NULL;
	if (n < DATE_LEN + 2)
		return n;
	for (size_t i = n - DATE_LEN; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return n;
	if (norm((unsigned char)s[n - DATE_LEN - 1]) != '-')
		return n;
	*date = s + n - DATE_LEN;
	return n - DATE_LEN - 1;
}

/* Length of s without a Bedrock version suffix: "-v1", "-v1:0", "-v2:0". */
static size_t strip_bedrock(const char *s, size_t n)
{
	size_t j = n, d;

	for (d = 0; j > 0 && is_digit((unsigned char)s[j - 1]); j--)
		d++;
	if (d && j > 0 && s[j - 1] == ':') {
		j--;
		for (d = 0; j > 0 && is_digit((unsigned char)s[j - 1]); j--)
			d++;
	}
	if (d == 0 || j < 2 || s[j - 1] != 'v' || s[j - 2] != '-')
		return n;
	return j - 2;
}

/*
 * The model part of a name: after the last '/' ("bedrock/", "vertex_ai/"),
 * after the last "anthropic." ("us.anthropic."), without a "[1m]"-style
 * tag or a Bedrock version suffix.
 */
static size_t core_of(const char *s, size_t n, const char **core)
{
	const char *p;

	for (size_t i = n; i > 0; i--) {
		if (s[i - 1] == '/') {
			s += i;
			n -= i;
			break;
		}
	}
	p = find_last_ci(s, n, "anthropic.");
	if (p) {
		n -= (size_t)(p - s) + strlen("anthropic.");
		s = p + strlen("anthropic.");
	}
	if (n && s[n - 1] == ']') {
		const char *open = memchr(s, '[', n);
		if (open)
			n = (size_t)(open - s);
	}
	*core = s;
	return strip_bedrock(s, n);
}

/* Candidate quality in step 3, best first. */
enum { M_SAME, M_UNDATED_ALIAS, M_OTHER_DATE, M_NONE };

static int match_class(const char *s, size_t n, const char *sdate, size_t sfam,
                       const entry *e, const char **kdate)
{
	size_t kfam;

	*kdate = NULL;
	if (norm_eq(s, n, e->key, e->keylen))
		return M_SAME;
	if (sdate && norm_eq(s, sfam, e->key, e->keylen))
		return M_UNDATED_ALIAS;
	kfam = strip_date(e->key, e->keylen, kdate);
	if (*kdate && norm_eq(s, sfam, e->key, kfam))
		return M_OTHER_DATE;
	return M_NONE;
}

/*
 * Step 3: token-wise equality, allowing the date token to be added,
 * dropped or different. Best class wins, then the newest date among
 * M_OTHER_DATE keys; other ties go to the first key in sorted order
 * (keys of one class all have the same length, so "longest" is moot).
 */
static long find_fuzzy(const cu__pricetab *t, const char *s, size_t n)
{
	const char *sdate, *best_date = NULL;
	size_t sfam = strip_date(s, n, &sdate);
	int best_class = M_NONE;
	long best = -1;

	for (size_t i = 0; i < t->n; i++) {
		const char *kdate;
		int c = match_class(s, n, sdate, sfam, &t->e[i], &kdate);
		int better = c < best_class ||
		             (c == M_OTHER_DATE && c == best_class &&
		              memcmp(kdate, best_date, DATE_LEN) > 0);
		if (c == M_NONE || !better)
			continue;
		best_class = c;
		best = (long)i;
		best_date = kdate;
	}
	return best;
}

/* Steps 2 and 3 for one candidate core name. */
static long find_core(const cu__pricetab *t, const char *s, size_t n)
{
	static const char prefix[] = "anthropic/";
	char buf[NAME_BUF];
	long i;

	if (n == 0 || n >= NAME_BUF - sizeof prefix)
		return -1;
	i = find_exact(t, s, n);
	if (i >= 0)
		return i;
	memcpy(buf, prefix, sizeof prefix - 1);
	memcpy(buf + sizeof prefix - 1, s, n);
	i = find_exact(t, buf, sizeof prefix - 1 + n);
	if (i >= 0)
		return i;
	return find_fuzzy(t, s, n);
}

long cu__pricetab_find(const cu__pricetab *tab, const char *model, size_t len)
{
	const char *core, *at;
	size_t n;
	long i;

	if (!tab || !model || len == 0 || span_cmp(model, len, "<synthetic>", 11) == 0)
		return -1;
	i = find_exact(tab, model, len);
	if (i >= 0)
		return i;
	n = core_of(model, len, &core);
	i = find_core(tab, core, n);
	if (i >= 0)
		return i;
	/* Vertex "name@tag": the tag was not a date step 3 could use. */
	at = memchr(core, '@', n);
	if (!at)
		return -1;
	n = strip_bedrock(core, (size_t)(at - core));
	return find_core(tab, core, n);
}

/* ---- cost ---- */

/*
 * Cost of n tokens of one kind. Only a kind whose tier price differs is
 * split: ccusage multiplies n * base in one go otherwise, and the split
 * sum can differ from that in the last bit.
 */
static double kind_cost(int64_t n, double base, double above, int has_tier)
{
	if (n <= 0)
		return 0.0;
	if (!has_tier || above == base || n <= CU__TIER_THRESHOLD)
		return (double)n * base;
	return (double)CU__TIER_THRESHOLD * base +
	       (double)(n - CU__TIER_THRESHOLD) * above;
}

/* Anthropic's rule: the whole request at one rate, chosen by its input size. */
static double whole_request_cost(const cu__price *p, const cu__usage *u, int64_t w5m, int64_t w1h)
{
	int above = p->has_tier &&
	            u->input + u->cache_create + u->cache_read > CU__TIER_THRESHOLD;
	double total = (double)u->input * (above ? p->input_above : p->input);
	total += (double)u->output * (above ? p->output_above : p->output);
	total += (double)w5m * (above ? p->cache_write_above : p->cache_write);
	total += (double)w1h * (above ? p->cache_write_1h_above : p->cache_write_1h);
	total += (double)u->cache_read * (above ? p->cache_read_above : p->cache_read);
	return u->fast ? total * p->fast_factor : total;
}

double cu__price_cost(const cu__price *p, const cu__usage *u)
{
	int64_t w1h = u->cache_1h > 0 ? u->cache_1h : 0;
	int64_t w5m = u->cache_create - w1h;
	double total;

	if (w5m < 0)
		w5m = 0;
	if (u->rule == CU__TIER_ANTHROPIC)
		return whole_request_cost(p, u, w5m, w1h);

	/* Fixed order (input, output, 5m, 1h, read): sums reproduce exactly. */
	total = kind_cost(u->input, p->input, p->input_above, p->has_tier);
	total += kind_cost(u->output, p->output, p->output_above, p->has_tier);
	total += kind_cost(w5m, p->cache_write, p->cache_write_above, p->has_tier);
	total += kind_cost(w1h, p->cache_write_1h, p->cache_write_1h_above, p->has_tier);
	total += kind_cost(u->cache_read, p->cache_read, p->cache_read_above, p->has_tier);
	if (u->fast)
		total *= p->fast_factor;
	return total;
}
