/*
 * main.c - claude-usage: the command-line face of libclaudeusage.
 *
 * Uses only the public API, exactly as an outside program would.
 * Exit codes: 0 success (also when lines were skipped), 1 runtime failure,
 * 2 usage error.
 */
#include "blocks.h"
#include "live.h"
#include "options.h"
#include "pricing.h"
#include "render.h"
#include "statusline.h"

#include <claudeusage/claudeusage.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* Diagnostics: a few are shown, the rest counted, and a summary is printed. */
typedef struct diag_state {
	int64_t shown_lines;
	int64_t file_errors;
} diag_state;

#define MAX_LINE_DIAGS 3

static void on_diag(int32_t kind, const char *path, int64_t line, const char *message, void *ud)
{
	diag_state *st = ud;
	switch (kind) {
	case CU_DIAG_MALFORMED_LINE:
	case CU_DIAG_TORN_LINE:
		if (st->shown_lines++ < MAX_LINE_DIAGS)
			fprintf(stderr, "claude-usage: %s:%lld: %s\n", path ? path : "?", (long long)line,
			        message);
		break;
	case CU_DIAG_FILE_ERROR:
		st->file_errors++;
		fprintf(stderr, "claude-usage: %s: %s\n", path ? path : "?", message);
		break;
	default:
		fprintf(stderr, "claude-usage: warning: %s\n", message);
		break;
	}
}

static void summarize(const cu_ctx *ctx)
{
	int64_t malformed = cu_ctx_stat(ctx, CU_STAT_MALFORMED_LINES);
	int64_t torn = cu_ctx_stat(ctx, CU_STAT_TORN_LINES);
	if (malformed || torn)
		fprintf(stderr,
		        "claude-usage: skipped %lld malformed line%s and %lld incomplete last line%s "
		        "(the rest is counted)\n",
		        (long long)malformed, malformed == 1 ? "" : "s", (long long)torn,
		        torn == 1 ? "" : "s");
}

/* Civil date arithmetic for the date flags (days since 1970-01-01). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void format_day(int64_t days, char *buf, size_t size)
{
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* Turn --week/--month/--year/--<month> and daily's 30-day default into a range. */
static int set_range(cu_ctx *ctx, const options *o)
{
	char today_s[16], since[32] = "", until[32] = "";
	cu_ctx_format_date(ctx, cu_ctx_now(ctx), today_s, sizeof today_s);
	int y = atoi(today_s), mo = atoi(today_s + 5), d = atoi(today_s + 8);
	int64_t today = days_from_civil(y, mo, d);

	if (o->period == 'w') {
		int64_t wd = ((today % 7) + 11) % 7; /* 1970-01-01 was a Thursday */
		format_day(today - (wd - o->week_start + 7) % 7, since, sizeof since);
	} else if (o->period == 'm') {
		format_day(days_from_civil(y, mo, 1), since, sizeof since);
	} else if (o->period == 'y') {
		format_day(days_from_civil(y, 1, 1), since, sizeof since);
	} else if (o->month) {
		format_day(days_from_civil(y, o->month, 1), since, sizeof since);
		int64_t next = o->month == 12 ? days_from_civil(y + 1, 1, 1)
		                              : days_from_civil(y, o->month + 1, 1);
		format_day(next - 1, until, sizeof until);
	} else if (!strcmp(o->command, "daily") && !o->all && !o->since && !o->until && !o->last) {
		format_day(today - 29, since, sizeof since);
	}
	const char *s = o->since ? o->since : since;
	const char *u = o->until ? o->until : until;
	if (cu_ctx_set_since(ctx, s) != CU_OK || cu_ctx_set_until(ctx, u) != CU_OK) {
		fprintf(stderr, "claude-usage: %s\n\n", cu_ctx_last_error(ctx));
		options_usage(o->command, 1);
		return 2;
	}
	return 0;
}

static int use_color(const options *o)
{
	if (o->color >= 0)
		return o->color;
	const char *force = getenv("FORCE_COLOR");
	if (force && *force && strcmp(force, "0") != 0)
		return 1;
	const char *no = getenv("NO_COLOR");
	if (no && *no)
		return 0;
	return isatty(STDOUT_FILENO);
}

static int configure(cu_ctx *ctx, const options *o)
{
	for (size_t i = 0; i < o->ndata_dirs; i++)
		if (cu_ctx_add_root(ctx, o->data_dirs[i]) != CU_OK)
			return 1;
	if (o->timezone && cu_ctx_set_timezone(ctx, o->timezone) != CU_OK) {
		fprintf(stderr, "claude-usage: %s\n\n", cu_ctx_last_error(ctx));
		options_usage(o->command, 1);
		return 2;
	}
	const char *fixed_now = getenv("CLAUDE_USAGE_NOW_MS"); /* reproducible runs and tests */
	if (fixed_now && *fixed_now)
		cu_ctx_set_now(ctx, strtoll(fixed_now, NULL, 10));
	cu_ctx_set_exclude_vms(ctx, o->exclude_vms);
	cu_ctx_set_cost_mode(ctx, o->mode);
	cu_ctx_set_week_start(ctx, o->week_start);
	cu_ctx_set_project(ctx, o->project);
	cu_ctx_set_threads(ctx, o->threads);
	cu_ctx_set_index(ctx, !o->no_cache);
	/* $CLAUDE_USAGE_OFFLINE and $CLAUDE_USAGE_PRICING_URL are read by cu_ctx_new(). */
	if (o->offline)
		cu_ctx_set_offline(ctx, 1);
	if (o->pricing_url)
		cu_ctx_set_pricing_url(ctx, o->pricing_url);
	if (o->pricing_file)
		cu_ctx_set_pricing_file(ctx, o->pricing_file);
	cu_ctx_set_long_context(ctx, o->long_context);
	const char *timeout = getenv("CLAUDE_USAGE_HTTP_TIMEOUT_MS");
	if (timeout && *timeout)
		cu_ctx_set_network_timeout(ctx, (uint32_t)strtoul(timeout, NULL, 10));
	if (!strcmp(o->command, "pricing") || !strcmp(o->command, "live") ||
	    !strcmp(o->command, "statusline"))
		return 0;
	int rc = set_range(ctx, o);
	if (rc != 0 || strcmp(o->command, "blocks") != 0)
		return rc;
	/*
	 * blocks: the range is checked now but applied after the load, which
	 * then reads every file: the `max` token limit is over the whole history.
	 */
	cu_ctx_set_since(ctx, NULL);
	cu_ctx_set_until(ctx, NULL);
	return 0;
}

static int32_t group_of(const char *command)
{
	if (!strcmp(command, "weekly"))
		return CU_GROUP_WEEKLY;
	if (!strcmp(command, "monthly"))
		return CU_GROUP_MONTHLY;
	if (!strcmp(command, "session"))
		return CU_GROUP_SESSION;
	return CU_GROUP_DAILY;
}

/*
 * A run allocates a few tens of MiB in large arrays, frees them and
 * allocates again (per file, then per stage). By default glibc hands large
 * blocks back to the kernel at once and takes fresh ones for the next, so
 * pages are faulted in and zeroed again: ~11,000 faults in a cold run over
 * 1 GB, ~9,500 with these settings, and about 50 ms less system time.
 * Keeping freed memory in the process costs nothing here: the process is
 * short-lived, and live/statusline keep a steady size.
 */
static void tune_malloc(void)
{
#if defined(__GLIBC__)
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
#endif
}

int main(int argc, char **argv)
{
	options o;
	tune_malloc();
	int rc = options_parse(argc, argv, &o);
	if (rc != 0)
		return rc == 1 ? 0 : rc;

	cu_ctx *ctx = NULL;
	if (cu_ctx_new(&ctx) != CU_OK) {
		fprintf(stderr, "claude-usage: %s\n", cu_last_error());
		return 1;
	}
	diag_state diags = { 0, 0 };
	cu_ctx_set_diag_fn(ctx, on_diag, &diags);
	rc = configure(ctx, &o);
	if (rc != 0) {
		cu_ctx_free(ctx);
		return rc;
	}
	if (!strcmp(o.command, "pricing")) {
		rc = pricing_command(ctx, o.model, o.json, use_color(&o));
		cu_ctx_free(ctx);
		return rc;
	}
	if (!strcmp(o.command, "statusline")) {
		cu_ctx_set_diag_fn(ctx, NULL, NULL); /* one line, nothing else */
		rc = statusline_command(ctx, stdin, use_color(&o));
		cu_ctx_free(ctx);
		return rc;
	}
	if (!strcmp(o.command, "live")) {
		live_opts lo = { o.refresh_s ? o.refresh_s : 1, o.token_limit, o.plan, o.budget,
			         o.block_ms, o.snapshot, o.json, use_color(&o) };
		rc = live_command(ctx, &lo);
		cu_ctx_free(ctx);
		return rc;
	}
	if (cu_ctx_load(ctx) != CU_OK) {
		fprintf(stderr, "claude-usage: %s\n", cu_ctx_last_error(ctx));
		cu_ctx_free(ctx);
		return 1;
	}
	if (diags.shown_lines)
		summarize(ctx);
	if (!strcmp(o.command, "blocks")) {
		rc = set_range(ctx, &o);
		if (rc == 0)
			rc = blocks_command(ctx, &o, use_color(&o));
		cu_ctx_free(ctx);
		return rc;
	}

	uint32_t flags = (o.desc ? CU_REPORT_DESC : 0u) | (o.instances ? CU_REPORT_BY_PROJECT : 0u);
	cu_report *rep = NULL;
	if (cu_report_new(ctx, group_of(o.command), flags, o.last, &rep) != CU_OK) {
		fprintf(stderr, "claude-usage: %s\n", cu_ctx_last_error(ctx));
		cu_ctx_free(ctx);
		return 1;
	}
	render_opts ro = { o.breakdown, use_color(&o), ctx };
	rc = o.json ? render_json(rep) : render_table(rep, &ro);
	cu_report_free(rep);
	cu_ctx_free(ctx);
	return rc;
}
