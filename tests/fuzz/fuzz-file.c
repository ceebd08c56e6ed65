/*
 * fuzz-file.c - a whole file through the scan (cu__scan_buffer), once with
 * the fast scanner and once with jansson for every usage line (the oracle).
 *
 * Any input: no read outside it (ASan), and the counters and entries of
 * each scan hang together: one line per newline, the offset just past the
 * last one, a tail exactly when bytes follow it, malformed and usage lines
 * among the lines, entries among the usage lines with fields in range and
 * one per message key.
 *
 * The two scans: the scanner is lenient inside values it skips, so jansson
 * may call a line bad that the scanner takes (with or without usage), never
 * the reverse (tests/unit/parse-agree.h). So every line the fast scan calls
 * bad the oracle calls bad too; and once the lines only the oracle calls
 * bad are overwritten with bytes that are bad for both, the fast scan gives
 * exactly what the oracle gave: counters, tail, entries (every field, the
 * model by name) and the first cwd. A difference aborts.
 */
#include "entry-private.h"
#include "pool-private.h"
#include "scan-private.h"
#include "store-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Year 0000 to 9999, the range cu__parse_timestamp accepts (with offsets). */
#define MIN_TS_MS (INT64_C(-62167219200000) - INT64_C(86400000))
#define MAX_TS_MS (INT64_C(253402300800000) + INT64_C(86400000))
#define MAX_TOKENS INT64_C(1000000000000)

typedef struct scan {
	cu__fstate f;
	cu__pool models;
} scan;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz-file: %s\n", what);
	abort();
}

static void scan_run(scan *s, const char *buf, size_t n, int oracle)
{
	memset(&s->f, 0, sizeof s->f);
	cu__pool_init(&s->models);
	if (cu__scan_buffer(buf, n, oracle, &s->f, &s->models) != 0)
		fail("cu__scan_buffer failed");
}

static void scan_clear(scan *s)
{
	cu__fstate_reset(&s->f);
	cu__pool_clear(&s->models);
}

static const char *entry_odd(const cu__entry *e, const scan *s)
{
	if (e->ts_ms < MIN_TS_MS || e->ts_ms > MAX_TS_MS)
		return "timestamp out of range";
	if (e->input < 0 || e->input > MAX_TOKENS || e->output < 0 || e->output > MAX_TOKENS ||
	    e->cache_read < 0 || e->cache_read > MAX_TOKENS)
		return "token count out of range";
	/* With the 5m/1h split the writes are its two parts, each in range. */
	if (e->cache_create < 0 || e->cache_create > 2 * MAX_TOKENS)
		return "cache writes out of range";
	if (e->cache_1h < 0 || e->cache_1h > e->cache_create)
		return "1-hour writes not a part of the writes";
	if ((e->flags & CU__E_HAS_COST) && !(e->line_cost >= 0))
		return "negative costUSD";
	if (e->line < 1 || (int64_t)e->line > s->f.lines + 1)
		return "line number outside the file";
	if (!cu__pool_str(&s->models, e->model))
		return "model id not in the pool";
	if (e->flags & ~(uint32_t)(CU__E_HAS_MSG_ID | CU__E_HAS_COST | CU__E_SIDECHAIN |
	                           CU__E_API_ERROR | CU__E_FAST | CU__E_PROGRESS | CU__E_CHANGED))
		return "flags a scan does not set";
	return NULL;
}

/* What must hold of any one scan of buf[0..n). */
static const char *scan_odd(const scan *s, const char *buf, size_t n)
{
	const cu__fstate *f = &s->f;
	int64_t newlines = 0;
	size_t end = 0; /* just past the last newline */
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			newlines++;
			end = i + 1;
		}
	}
	if (f->lines != newlines)
		return "lines is not the number of newlines";
	if (f->offset != (int64_t)end)
		return "offset is not just past the last newline";
	if ((f->tail_state == CU__TAIL_NONE) != (end == n))
		return "a tail without bytes after the last newline, or none with them";
	if (f->malformed < 0 || f->usage_lines < 0 || f->malformed + f->usage_lines > f->lines)
		return "malformed and usage lines are more than the lines";
	if ((int64_t)f->n > f->usage_lines)
		return "more entries than usage lines";
	if ((int64_t)(f->diags.n + f->diags.dropped) != f->malformed)
		return "not one diagnostic per malformed line";
	for (size_t i = 0; i < f->diags.n; i++)
		if (f->diags.v[i].line < 1 || f->diags.v[i].line > f->lines ||
		    (i > 0 && f->diags.v[i].line <= f->diags.v[i - 1].line))
			return "diagnostics not on increasing line numbers";
	for (size_t i = 0; i < f->n; i++) {
		const char *why = entry_odd(&f->e[i], s);
		if (why)
			return why;
		if ((int64_t)f->e[i].line > f->lines)
			return "an entry of a complete line on the tail's line";
		if (!(f->e[i].flags & CU__E_HAS_MSG_ID))
			continue;
		/* One entry per key: the file's best copy (quadratic, but inputs are small). */
		for (size_t k = 0; k < i; k++)
			if ((f->e[k].flags & CU__E_HAS_MSG_ID) && f->e[k].key[0] == f->e[i].key[0] &&
			    f->e[k].key[1] == f->e[i].key[1])
				return "two entries with one key";
	}
	if (f->tail_state == CU__TAIL_ENTRY) {
		const char *why = entry_odd(&f->tail, s);
		if (why)
			return why;
		if ((int64_t)f->tail.line != f->lines + 1)
			return "the tail entry is not on the line after the last complete one";
	}
	return NULL;
}

static int same_entry(const cu__entry *x, const scan *a, const cu__entry *y, const scan *b)
{
	return x->ts_ms == y->ts_ms && x->input == y->input && x->output == y->output &&
	       x->cache_create == y->cache_create && x->cache_read == y->cache_read &&
	       x->cache_1h == y->cache_1h && memcmp(&x->line_cost, &y->line_cost, sizeof x->line_cost) == 0 &&
	       x->key[0] == y->key[0] && x->key[1] == y->key[1] && x->msg_hash == y->msg_hash &&
	       x->file == y->file && x->line == y->line && x->flags == y->flags &&
	       strcmp(cu__pool_str(&a->models, x->model), cu__pool_str(&b->models, y->model)) == 0;
}

/* The fast scan (of the patched input) against the oracle's scan. */
static const char *scans_differ(const scan *a, const scan *b)
{
	if (a->f.lines != b->f.lines || a->f.malformed != b->f.malformed ||
	    a->f.usage_lines != b->f.usage_lines || a->f.offset != b->f.offset)
		return "counters";
	if (a->f.tail_state != b->f.tail_state)
		return "tail state";
	if (a->f.tail_state == CU__TAIL_ENTRY && !same_entry(&a->f.tail, a, &b->f.tail, b))
		return "tail entry";
	if (a->f.n != b->f.n)
		return "entry count";
	for (size_t i = 0; i < a->f.n; i++)
		if (!same_entry(&a->f.e[i], a, &b->f.e[i], b))
			return "entry fields";
	if (!a->f.cwd != !b->f.cwd || (a->f.cwd && strcmp(a->f.cwd, b->f.cwd) != 0))
		return "cwd";
	for (size_t i = 0; i < a->f.diags.n; i++)
		if (a->f.diags.v[i].line != b->f.diags.v[i].line)
			return "malformed line numbers";
	return NULL;
}

/* Is line (1-based) among the sorted diagnostics? */
static int is_bad_line(const cu__diags *d, int64_t line)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->v[mid].line == line)
			return 1;
		if (d->v[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * Overwrite in buf the lines the oracle calls bad and the fast scan does
 * not (and a tail it calls torn), with 'x': bad for both, no "usage".
 * Returns NULL, or the rule broken: a line bad for the fast scan only.
 */
static const char *patch_lenient_lines(char *buf, size_t n, const scan *fast, const scan *oracle)
{
	size_t start = 0;
	int64_t line = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && buf[i] != '\n')
			continue;
		if (i == n && start == n)
			break;
		line++;
		int fbad, obad;
		if (i < n) {
			fbad = is_bad_line(&fast->f.diags, line);
			obad = is_bad_line(&oracle->f.diags, line);
		} else {
			fbad = fast->f.tail_state == CU__TAIL_TORN;
			obad = oracle->f.tail_state == CU__TAIL_TORN;
		}
		if (fbad && !obad)
			return i < n ? "a line bad for the fast scan only" :
			               "a tail torn for the fast scan only";
		if (obad && !fbad)
			memset(buf + start, 'x', i - start);
		start = i + 1;
	}
	return NULL;
}

static void check(const char *why, const char *what)
{
	if (why) {
		fprintf(stderr, "fuzz-file: %s: %s\n", what, why);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that ASan sees any read past the file. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	scan fast, oracle;
	scan_run(&fast, buf, size, 0);
	scan_run(&oracle, buf, size, 1);
	check(scan_odd(&fast, buf, size), "fast scan");
	check(scan_odd(&oracle, buf, size), "oracle scan");

	/* The scanner is at most more lenient than jansson, line by line. */
	if (fast.f.malformed > oracle.f.malformed || fast.f.usage_lines < oracle.f.usage_lines ||
	    fast.f.malformed + fast.f.usage_lines > oracle.f.malformed + oracle.f.usage_lines)
		fail("fast and oracle scans: counters beyond the scanner's leniency");
	if (fast.f.diags.dropped == 0 && oracle.f.diags.dropped == 0) {
		check(patch_lenient_lines(buf, size, &fast, &oracle), "fast and oracle scans");
		scan patched;
		scan_run(&patched, buf, size, 0);
		check(scans_differ(&patched, &oracle), "fast scan (lenient lines made bad) and oracle");
		scan_clear(&patched);
	}
	scan_clear(&fast);
	scan_clear(&oracle);
	free(buf);
	return 0;
}
