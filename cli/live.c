/*
 * live.c - claude-usage live.
 *
 * Each refresh calls cu_ctx_load() again: the library reads only the bytes
 * appended since (and re-reads files that shrank or were replaced), so a
 * refresh costs little whatever the size of the history. The blocks and
 * today's totals are rebuilt only when a load read something, or once a
 * minute for the clock; the screen is redrawn every refresh for the
 * countdown. The frame is drawn into a buffer and written at once, on the
 * alternate screen, with the cursor hidden; q, Ctrl-C and SIGTERM restore
 * the terminal.
 */
#include "live.h"

#include <errno.h>
#include <glob.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const live_plan plans[] = {
	/* Community measurements of the 5-hour limits; Anthropic publishes none. */
	{ "pro", 19000, 18.0 },
	{ "max5", 88000, 35.0 },
	{ "max20", 220000, 140.0 },
};

const live_plan *live_find_plan(const char *name)
{
	for (size_t i = 0; name && i < sizeof plans / sizeof *plans; i++)
		if (!strcmp(plans[i].name, name))
			return &plans[i];
	return NULL;
}

/* ---- what a frame shows ---- */

#define MAX_SOURCES 16
#define MAX_TIMINGS 16

typedef struct source_row {
	char name[64];
	int64_t tokens;
	double cost;
} source_row;

/* A usage_tracking/session_blocks_*.json file. */
typedef struct timing {
	char name[96];
	int64_t start, end;   /* Unix ms */
	char error[160];      /* when the file could not be used */
} timing;

typedef struct view {
	int64_t now;
	char now_text[24];
	int active;
	int64_t start, end, last;
	int64_t input, output, cache_create, cache_read, tokens, entries;
	double cost;
	char models[200];
	int has_burn;
	double tpm, indicator_tpm, usd_per_hour;
	int32_t level;
	int has_projection;
	int64_t projected_tokens, remaining_min;
	double projected_cost;
	int64_t limit;          /* tokens (all kinds), 0: none */
	double percent;
	int32_t status;
	const live_plan *plan;
	double budget;
	int64_t reset_ms;
	int64_t last_activity;  /* of any block, 0 when none */
	int64_t today_tokens, today_entries;
	double today_cost;
	source_row sources[MAX_SOURCES];
	size_t nsources;
	timing timings[MAX_TIMINGS];
	size_t ntimings;
} view;

/* ---- text helpers ---- */

typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

static void put(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		return;
	if (b->n + (size_t)need + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + (size_t)need + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q)
			return;
		b->p = q;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

/* 1234567 -> "1,234,567" */
static const char *grouped(int64_t v, char *out, size_t size)
{
	char digits[32];
	snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
	size_t n = strlen(digits), k = 0;
	if (v < 0 && k + 1 < size)
		out[k++] = '-';
	for (size_t i = 0; i < n && k + 2 < size; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	return out;
}

/* 9000000 ms -> "2h 30m" */
static const char *span(int64_t ms, char *out, size_t size)
{
	int64_t m = ms > 0 ? ms / 60000 : 0;
	if (m >= 60)
		snprintf(out, size, "%lldh %02lldm", (long long)(m / 60), (long long)(m % 60));
	else
		snprintf(out, size, "%lldm", (long long)m);
	return out;
}

/* "HH:MM" in the context's timezone. */
static const char *clock_of(cu_ctx *ctx, int64_t ms, char *out, size_t size)
{
	char t[24];
	if (cu_ctx_format_time(ctx, ms, t, sizeof t) != CU_OK)
		snprintf(t, sizeof t, "0000-00-00 --:--:--");
	snprintf(out, size, "%.5s", t + 11);
	return out;
}

static void json_str(buf *b, const char *s)
{
	put(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			put(b, "\\%c", *p);
		else if (*p < 0x20)
			put(b, "\\u%04x", *p);
		else
			put(b, "%c", *p);
	}
	put(b, "\"");
}

static void json_time(buf *b, int64_t ms)
{
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	put(b, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - (int64_t)s * 1000));
}

/* ---- session_blocks files ---- */

/* RFC 3339 ("2025-06-01T10:00:00Z", fraction and offset optional) -> Unix ms. */
static int parse_time(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	const char *p = s + n;
	int64_t frac = 0, scale = 1000;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	int64_t off = 0;
	if (*p == '+' || *p == '-') {
		int oh, om;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return -1;
		off = (*p == '-' ? -1 : 1) * (oh * 60 + om) * 60;
	} else if (*p != 'Z' && *p != 'z') {
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	int64_t yy = y - (mo <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	*ms = ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000 + frac;
	return 0;
}

static const char *field(json_t *o, const char *a, const char *b)
{
	const char *s = json_string_value(json_object_get(o, a));
	return s ? s : json_string_value(json_object_get(o, b));
}

/*
 * Read one file: an object with "blocks": [...], or an array, of objects
 * with "startTime" (or "start") and "endTime" (or "end"). The latest block
 * is shown.
 */
static void read_timing(const char *path, timing *t)
{
	memset(t, 0, sizeof t[0]);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *vms = strstr(path, "/vms/");
	if (vms) {
		const char *end = strchr(vms + 5, '/');
		snprintf(t->name, sizeof t->name, "%.*s: %s", end ? (int)(end - vms - 5) : 0, vms + 5,
		         base);
	} else {
		snprintf(t->name, sizeof t->name, "%s", base);
	}
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	if (!root) {
		snprintf(t->error, sizeof t->error, "not JSON (line %d: %.100s)", err.line, err.text);
		return;
	}
	json_t *list = json_is_array(root) ? root : json_object_get(root, "blocks");
	size_t i;
	json_t *item;
	int found = 0;
	if (!json_is_array(list)) {
		snprintf(t->error, sizeof t->error, "no \"blocks\" array");
	} else {
		json_array_foreach(list, i, item) {
			int64_t s, e;
			if (!json_is_object(item) || parse_time(field(item, "startTime", "start"), &s) != 0 ||
			    parse_time(field(item, "endTime", "end"), &e) != 0 || e < s) {
				snprintf(t->error, sizeof t->error,
				         "block %zu has no valid startTime/endTime", i);
				found = 0;
				break;
			}
			if (!found || s > t->start) {
				t->start = s;
				t->end = e;
			}
			found = 1;
		}
		if (!found && !t->error[0])
			snprintf(t->error, sizeof t->error, "no blocks");
	}
	json_decref(root);
}

static void read_timings(cu_ctx *ctx, view *v)
{
	v->ntimings = 0;
	for (size_t r = 0; r < cu_ctx_root_count(ctx); r++) {
		const char *root = cu_ctx_root(ctx, r);
		char pattern[2][4200];
		snprintf(pattern[0], sizeof pattern[0], "%s/usage_tracking/session_blocks_*.json", root);
		snprintf(pattern[1], sizeof pattern[1], "%s/vms/*/usage_tracking/session_blocks_*.json",
		         root);
		for (int p = 0; p < 2; p++) {
			glob_t g;
			if (glob(pattern[p], 0, NULL, &g) != 0)
				continue;
			for (size_t i = 0; i < g.gl_pathc && v->ntimings < MAX_TIMINGS; i++)
				read_timing(g.gl_pathv[i], &v->timings[v->ntimings++]);
			globfree(&g);
		}
	}
}

/* ---- collecting ---- */

static void models_of(const cu_block *b, char *out, size_t size)
{
	size_t at = 0;
	out[0] = '\0';
	for (size_t i = 0; i < cu_block_model_count(b) && at + 1 < size; i++) {
		const char *m = cu_block_model(b, i);
		int w = snprintf(out + at, size - at, "%s%s", i ? ", " : "", m);
		at += w > 0 ? (size_t)w : 0;
	}
}

/* Today's totals, overall and per source. */
static int collect_today(cu_ctx *ctx, view *v)
{
	char today[16];
	cu_ctx_format_date(ctx, v->now, today, sizeof today);
	cu_ctx_set_since(ctx, today);
	cu_ctx_set_until(ctx, today);
	cu_report *r = NULL;
	int rc = cu_report_new(ctx, CU_GROUP_SOURCE, 0, 0, &r);
	if (rc == CU_OK) {
		const cu_row *t = cu_report_totals(r);
		v->today_tokens = cu_row_total_tokens(t);
		v->today_cost = cu_row_cost_usd(t);
		v->today_entries = cu_row_entries(t);
		v->nsources = 0;
		for (size_t i = 0; i < cu_report_count(r) && v->nsources < MAX_SOURCES; i++) {
			const cu_row *row = cu_report_row(r, i);
			source_row *s = &v->sources[v->nsources++];
			snprintf(s->name, sizeof s->name, "%s", cu_row_key(row));
			s->tokens = cu_row_total_tokens(row);
			s->cost = cu_row_cost_usd(row);
		}
		cu_report_free(r);
	}
	cu_ctx_set_since(ctx, NULL);
	cu_ctx_set_until(ctx, NULL);
	return rc;
}

static int collect(cu_ctx *ctx, const live_opts *o, view *v)
{
	v->now = cu_ctx_now(ctx);
	cu_blocks *bl = NULL;
	int rc = cu_blocks_new(ctx, o->block_ms, 0, &bl);
	if (rc != CU_OK)
		return rc;
	const cu_block *b = cu_blocks_active(bl);
	v->active = b != NULL;
	v->last_activity = 0;
	for (size_t i = cu_blocks_count(bl); i-- > 0;)
		if (!cu_block_is_gap(cu_blocks_at(bl, i))) {
			v->last_activity = cu_block_actual_end(cu_blocks_at(bl, i));
			break;
		}
	v->plan = live_find_plan(o->plan);
	v->budget = o->budget > 0 ? o->budget : v->plan ? v->plan->usd : 0;
	v->limit = o->token_limit == CU_TOKEN_LIMIT_MAX ? cu_blocks_max_tokens(bl) : o->token_limit;
	if (b) {
		v->start = cu_block_start(b);
		v->end = cu_block_end(b);
		v->last = cu_block_actual_end(b);
		v->input = cu_block_input_tokens(b);
		v->output = cu_block_output_tokens(b);
		v->cache_create = cu_block_cache_creation_tokens(b);
		v->cache_read = cu_block_cache_read_tokens(b);
		v->tokens = cu_block_total_tokens(b);
		v->entries = cu_block_entries(b);
		v->cost = cu_block_cost_usd(b);
		models_of(b, v->models, sizeof v->models);
		v->has_burn = cu_block_burn_rate(b, &v->tpm, &v->indicator_tpm, &v->usd_per_hour) == CU_OK;
		v->level = cu_block_burn_level(b);
		v->has_projection = cu_block_projection(b, &v->projected_tokens, &v->projected_cost,
		                                        &v->remaining_min) == CU_OK;
		v->status = cu_block_limit_status(b, v->limit, &v->percent);
		v->reset_ms = cu_block_usage_limit_reset(b);
	}
	cu_blocks_free(bl);
	rc = collect_today(ctx, v);
	read_timings(ctx, v);
	cu_ctx_format_time(ctx, v->now, v->now_text, sizeof v->now_text);
	return rc;
}

/* ---- the frame ---- */

static const char *level_name(int32_t level)
{
	switch (level) {
	case CU_BURN_NORMAL: return "NORMAL";
	case CU_BURN_MODERATE: return "MODERATE";
	case CU_BURN_HIGH: return "HIGH";
	default: return "-";
	}
}

typedef struct frame {
	buf b;
	int color, width, rows;
} frame;

static const char *col(const frame *f, const char *code)
{
	return f->color ? code : "";
}

#define RESET "\033[0m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"

/* A line of the frame; lines past the screen's height are dropped. */
static void line(frame *f, const char *fmt, ...)
{
	if (f->rows <= 0)
		return;
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	put(&f->b, "%s\n", text);
	f->rows--;
}

static void bar(frame *f, const char *label, double fraction, const char *tail)
{
	int w = f->width - 56;
	w = w < 10 ? 10 : w > 50 ? 50 : w;
	double x = fraction < 0 ? 0 : fraction;
	int full = (int)(x * w + 0.5);
	full = full > w ? w : full;
	const char *c = x > 1 ? RED : x > 0.8 ? YELLOW : GREEN;
	char cells[64 * 3 + 1];
	size_t k = 0;
	for (int i = 0; i < w; i++) {
		const char *g = i < full ? "\xe2\x96\x88" : "\xe2\x96\x91"; /* full block, light shade */
		memcpy(cells + k, g, 3);
		k += 3;
	}
	cells[k] = '\0';
	line(f, " %-8s %s%s%s %s", label, col(f, c), cells, col(f, RESET), tail);
}

static void render(cu_ctx *ctx, const view *v, const live_opts *o, frame *f)
{
	char a[32], b[32], c[32], d[32];
	line(f, " %sclaude-usage live%s  %s %s  %srefresh %ds, q to quit%s", col(f, BOLD),
	     col(f, RESET), v->now_text, cu_ctx_timezone(ctx), col(f, DIM), o->refresh_s,
	     col(f, RESET));
	line(f, "");
	if (!v->active) {
		if (v->last_activity)
			line(f, " No active block: the last activity was %s ago (%s).",
			     span(v->now - v->last_activity, a, sizeof a),
			     clock_of(ctx, v->last_activity, b, sizeof b));
		else
			line(f, " No active block: no usage recorded yet.");
	} else {
		line(f, " %sActive block%s  %s - %s   elapsed %s, resets in %s%s%s", col(f, BOLD),
		     col(f, RESET), clock_of(ctx, v->start, a, sizeof a),
		     clock_of(ctx, v->end, b, sizeof b), span(v->now - v->start, c, sizeof c),
		     col(f, CYAN), span(v->end - v->now, d, sizeof d), col(f, RESET));
		char tail[96];
		if (v->limit > 0) {
			snprintf(tail, sizeof tail, "%5.1f%%  %s / %s", 100.0 * (double)v->tokens / (double)v->limit,
			         grouped(v->tokens, a, sizeof a), grouped(v->limit, b, sizeof b));
			bar(f, "Tokens", (double)v->tokens / (double)v->limit, tail);
		} else if (v->plan) {
			int64_t io = v->input + v->output;
			snprintf(tail, sizeof tail, "%5.1f%%  %s / %s in+out (%s)",
			         100.0 * (double)io / (double)v->plan->tokens, grouped(io, a, sizeof a),
			         grouped(v->plan->tokens, b, sizeof b), v->plan->name);
			bar(f, "Tokens", (double)io / (double)v->plan->tokens, tail);
		} else {
			line(f, " %-8s %s tokens (no limit set: --token-limit or --plan)", "Tokens",
			     grouped(v->tokens, a, sizeof a));
		}
		if (v->budget > 0) {
			snprintf(tail, sizeof tail, "%5.1f%%  $%.2f / $%.2f", 100.0 * v->cost / v->budget,
			         v->cost, v->budget);
			bar(f, "Cost", v->cost / v->budget, tail);
		} else {
			line(f, " %-8s $%.2f", "Cost", v->cost);
		}
		line(f, " %-8s in %s  out %s  cache write %s  cache read %s  (%lld entries)", "",
		     grouped(v->input, a, sizeof a), grouped(v->output, b, sizeof b),
		     grouped(v->cache_create, c, sizeof c), grouped(v->cache_read, d, sizeof d),
		     (long long)v->entries);
		if (v->has_burn) {
			const char *lc = v->level == CU_BURN_HIGH ? RED : v->level == CU_BURN_MODERATE ? YELLOW : GREEN;
			line(f, " %-8s %s tokens/min  $%.2f/h  %s%s%s (in+out %s/min)", "Burn",
			     grouped((int64_t)(v->tpm + 0.5), a, sizeof a), v->usd_per_hour, col(f, lc),
			     level_name(v->level), col(f, RESET),
			     grouped((int64_t)(v->indicator_tpm + 0.5), b, sizeof b));
		} else {
			line(f, " %-8s not enough activity yet", "Burn");
		}
		if (v->has_projection) {
			line(f, " %-8s %s tokens  $%.2f at %s", "Project",
			     grouped(v->projected_tokens, a, sizeof a), v->projected_cost,
			     clock_of(ctx, v->end, b, sizeof b));
			int over_tokens = v->limit > 0 && v->projected_tokens > v->limit;
			int over_cost = v->budget > 0 && v->projected_cost > v->budget;
			if (over_tokens || over_cost)
				line(f, " %s%s!! at this rate the %s limit is passed before the block resets%s",
				     col(f, BOLD), col(f, RED), over_tokens ? "token" : "cost", col(f, RESET));
		}
		if (v->reset_ms)
			line(f, " %s%sUsage limit reached; it resets at %s%s", col(f, BOLD), col(f, RED),
			     clock_of(ctx, v->reset_ms, a, sizeof a), col(f, RESET));
		char shown[sizeof v->models];
		size_t k = 0;
		for (const char *m = v->models; *m;) /* "claude-" said once is enough */
			if (!strncmp(m, "claude-", 7))
				m += 7;
			else
				shown[k++] = *m++;
		shown[k] = '\0';
		line(f, " %-8s %s", "Models", k ? shown : "-");
	}
	line(f, "");
	line(f, " %sToday%s    %s tokens  $%.2f  (%lld entries)", col(f, BOLD), col(f, RESET),
	     grouped(v->today_tokens, a, sizeof a), v->today_cost, (long long)v->today_entries);
	if (v->nsources > 1)
		for (size_t i = 0; i < v->nsources; i++)
			line(f, "   %-14s %s tokens  $%.2f", v->sources[i].name,
			     grouped(v->sources[i].tokens, a, sizeof a), v->sources[i].cost);
	for (size_t i = 0; i < v->ntimings; i++) {
		const timing *t = &v->timings[i];
		if (t->error[0])
			line(f, " %s%s: ignored: %s%s", col(f, YELLOW), t->name, t->error, col(f, RESET));
		else
			line(f, " %-8s %s: %s - %s%s", i ? "" : "Timing", t->name,
			     clock_of(ctx, t->start, a, sizeof a), clock_of(ctx, t->end, b, sizeof b),
			     v->now >= t->start && v->now < t->end ? " (active)" : "");
	}
}

static void render_json(const view *v, buf *b)
{
	put(b, "{\n  \"now\": ");
	json_time(b, v->now);
	put(b, ",\n  \"activeBlock\": ");
	if (!v->active) {
		put(b, "null");
	} else {
		put(b, "{\n    \"startTime\": ");
		json_time(b, v->start);
		put(b, ",\n    \"endTime\": ");
		json_time(b, v->end);
		put(b, ",\n    \"actualEndTime\": ");
		json_time(b, v->last);
		put(b, ",\n    \"remainingMinutes\": %lld", (long long)((v->end - v->now) / 60000));
		put(b, ",\n    \"entries\": %lld", (long long)v->entries);
		put(b, ",\n    \"tokenCounts\": {\"inputTokens\": %lld, \"outputTokens\": %lld, "
		       "\"cacheCreationInputTokens\": %lld, \"cacheReadInputTokens\": %lld}",
		    (long long)v->input, (long long)v->output, (long long)v->cache_create,
		    (long long)v->cache_read);
		put(b, ",\n    \"totalTokens\": %lld,\n    \"costUSD\": %.10g", (long long)v->tokens, v->cost);
		put(b, ",\n    \"models\": [");
		for (const char *m = v->models; *m;) {
			const char *comma = strstr(m, ", ");
			size_t n = comma ? (size_t)(comma - m) : strlen(m);
			char name[128];
			snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), m);
			put(b, "%s", m == v->models ? "" : ", ");
			json_str(b, name);
			m += n + (comma ? 2 : 0);
		}
		put(b, "]");
		if (v->has_burn)
			put(b, ",\n    \"burnRate\": {\"tokensPerMinute\": %.10g, "
			       "\"tokensPerMinuteForIndicator\": %.10g, \"costPerHour\": %.10g, "
			       "\"indicator\": \"%s\"}",
			    v->tpm, v->indicator_tpm, v->usd_per_hour, level_name(v->level));
		else
			put(b, ",\n    \"burnRate\": null");
		if (v->has_projection)
			put(b, ",\n    \"projection\": {\"totalTokens\": %lld, \"totalCost\": %.10g, "
			       "\"remainingMinutes\": %lld}",
			    (long long)v->projected_tokens, v->projected_cost, (long long)v->remaining_min);
		else
			put(b, ",\n    \"projection\": null");
		if (v->reset_ms) {
			put(b, ",\n    \"usageLimitResetTime\": ");
			json_time(b, v->reset_ms);
		}
		put(b, "\n  }");
	}
	put(b, ",\n  \"limits\": {\"tokenLimit\": %lld, \"plan\": ", (long long)v->limit);
	if (v->plan)
		json_str(b, v->plan->name);
	else
		put(b, "null");
	put(b, ", \"budgetUSD\": %.10g", v->budget);
	if (v->active && v->limit > 0) {
		static const char *names[] = { "none", "ok", "warning", "exceeds" };
		put(b, ", \"percentUsed\": %.10g, \"status\": \"%s\"", v->percent,
		    names[v->status >= 0 && v->status <= 3 ? v->status : 0]);
	}
	put(b, "},\n  \"today\": {\"totalTokens\": %lld, \"costUSD\": %.10g, \"entries\": %lld, "
	       "\"sources\": [",
	    (long long)v->today_tokens, v->today_cost, (long long)v->today_entries);
	for (size_t i = 0; i < v->nsources; i++) {
		put(b, "%s{\"source\": ", i ? ", " : "");
		json_str(b, v->sources[i].name);
		put(b, ", \"totalTokens\": %lld, \"costUSD\": %.10g}", (long long)v->sources[i].tokens,
		    v->sources[i].cost);
	}
	put(b, "]},\n  \"sessionTimings\": [");
	for (size_t i = 0; i < v->ntimings; i++) {
		const timing *t = &v->timings[i];
		put(b, "%s{\"file\": ", i ? ", " : "");
		json_str(b, t->name);
		if (t->error[0]) {
			put(b, ", \"error\": ");
			json_str(b, t->error);
		} else {
			put(b, ", \"startTime\": ");
			json_time(b, t->start);
			put(b, ", \"endTime\": ");
			json_time(b, t->end);
			put(b, ", \"isActive\": %s", v->now >= t->start && v->now < t->end ? "true" : "false");
		}
		put(b, "}");
	}
	put(b, "]\n}\n");
}

/* ---- the terminal ---- */

static volatile sig_atomic_t stop_signal, resized;
static struct termios saved_tio;
static int tio_saved;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else
		stop_signal = sig;
}

static void screen_restore(void)
{
	static const char out[] = "\033[?25h\033[?1049l";
	if (write(STDOUT_FILENO, out, sizeof out - 1) < 0) {
		/* nothing more to do */
	}
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tio_saved = 0;
}

static void size_of(int *w, int *h)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS"), *lines = getenv("LINES");
	*w = cols && atoi(cols) > 0 ? atoi(cols) : 0;
	*h = lines && atoi(lines) > 0 ? atoi(lines) : 0;
	if ((!*w || !*h) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		*w = *w ? *w : ws.ws_col;
		*h = *h ? *h : ws.ws_row;
	}
	*w = *w ? *w : 80;
	*h = *h ? *h : 24;
}

static int write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = write(STDOUT_FILENO, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Milliseconds of a clock that moves even when "now" is fixed (CLAUDE_USAGE_NOW_MS). */
static int64_t ticks(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int load(cu_ctx *ctx)
{
	int rc = cu_ctx_load(ctx);
	if (rc != CU_OK)
		fprintf(stderr, "claude-usage: %s\n", cu_ctx_last_error(ctx));
	return rc;
}

int live_command(cu_ctx *ctx, const live_opts *o)
{
	view v;
	memset(&v, 0, sizeof v);
	if (load(ctx) != CU_OK)
		return 1;
	if (collect(ctx, o, &v) != CU_OK) {
		fprintf(stderr, "claude-usage: %s\n", cu_ctx_last_error(ctx));
		return 1;
	}
	if (o->snapshot) {
		buf b = { 0 };
		int w, h;
		size_of(&w, &h);
		if (o->json) {
			render_json(&v, &b);
		} else {
			frame f = { { 0 }, o->color, w, h };
			render(ctx, &v, o, &f);
			b = f.b;
		}
		int rc = b.p && write_all(b.p, b.n) == 0 ? 0 : 1;
		free(b.p);
		return rc;
	}
	if (!isatty(STDOUT_FILENO)) {
		fprintf(stderr, "claude-usage: live needs a terminal; use live --snapshot [--json]\n");
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		struct termios raw = saved_tio;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tio_saved = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	/* Diagnostics were printed with the first frame's data; the screen is ours now. */
	cu_ctx_set_diag_fn(ctx, NULL, NULL);
	atexit(screen_restore);
	static const char enter[] = "\033[?1049h\033[?25l";
	write_all(enter, sizeof enter - 1);
	int rc = 0;
	int64_t collected = ticks();
	int64_t files = cu_ctx_stat(ctx, CU_STAT_FILES);
	while (!stop_signal) {
		int w, h;
		size_of(&w, &h);
		frame f = { { 0 }, o->color, w, h - 1 };
		put(&f.b, "\033[H\033[2J");
		v.now = cu_ctx_now(ctx);
		cu_ctx_format_time(ctx, v.now, v.now_text, sizeof v.now_text);
		render(ctx, &v, o, &f);
		if (f.b.p)
			write_all(f.b.p, f.b.n);
		free(f.b.p);
		/* Wait for the next refresh, a key, a resize or a signal. */
		struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
		int64_t until = ticks() + o->refresh_s * 1000;
		int quit = 0;
		resized = 0;
		while (!stop_signal && !resized && !quit) {
			int64_t left = until - ticks();
			if (left <= 0)
				break;
			int n = poll(&pfd, 1, (int)left);
			if (n > 0 && (pfd.revents & POLLIN)) {
				char c;
				ssize_t r = read(STDIN_FILENO, &c, 1);
				if (r == 1 && (c == 'q' || c == 'Q' || c == 3))
					quit = 1;
				else if (r == 0)
					pfd.fd = -1; /* stdin closed: only the clock and signals */
			}
		}
		if (quit)
			break;
		if (resized)
			continue;
		if (load(ctx) != CU_OK) {
			rc = 1;
			break;
		}
		/* Rebuild when something was read, and each minute for "now". */
		int64_t now = ticks();
		if (cu_ctx_stat(ctx, CU_STAT_FILES_READ) > 0 || cu_ctx_stat(ctx, CU_STAT_FILES) != files ||
		    now - collected >= 60000) {
			files = cu_ctx_stat(ctx, CU_STAT_FILES);
			if (collect(ctx, o, &v) != CU_OK) {
				rc = 1;
				break;
			}
			collected = now;
		}
	}
	screen_restore();
	if (rc != 0)
		fprintf(stderr, "claude-usage: live stopped\n");
	return rc;
}
