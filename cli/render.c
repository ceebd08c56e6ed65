/*
 * render.c - report tables in the reference tool's layout (banner, boxed
 * table, totals row), with a compact layout for narrow terminals.
 */
#include "render.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int render_json(const cu_report *rep)
{
	char *text = NULL;
	if (cu_report_to_json(rep, 0, &text) != CU_OK) {
		fprintf(stderr, "claude-usage: cannot produce JSON: out of memory\n");
		return 1;
	}
	puts(text);
	cu_free(text);
	return 0;
}

static size_t terminal_columns(void)
{
	const char *c = getenv("COLUMNS");
	long v = c ? strtol(c, NULL, 10) : 0;
	return v > 0 ? (size_t)v : 120;
}

static const char *row_model(const void *r, size_t i)
{
	return cu_row_model(r, i);
}

/* "- sonnet-4\n- opus-4-1" */
static char *models_cell(const cu_row *r)
{
	return fmt_model_list(r, cu_row_model_count(r), row_model, "");
}

/* The label column of a row: date, week, month, or session and project. */
static void label_of(const cu_report *rep, const cu_row *r, char *buf, size_t size)
{
	if (cu_report_group(rep) == CU_GROUP_SESSION) {
		const char *p = cu_row_project_path(r) ? cu_row_project_path(r) : cu_row_project(r);
		snprintf(buf, size, "%.8s\n%s", cu_row_key(r), p ? p : "");
	} else {
		snprintf(buf, size, "%s", cu_row_key(r));
	}
}

typedef struct layout {
	int compact;
	int session;
} layout;

static int add_row(table *t, const layout *l, const char *label, const char *models,
                   const cu_row *r, const char *extra)
{
	char in[32], out[32], cc[32], cr[32], tot[32], cost[32];
	fmt_int(cu_row_input_tokens(r), in, sizeof in);
	fmt_int(cu_row_output_tokens(r), out, sizeof out);
	fmt_int(cu_row_cache_creation_tokens(r), cc, sizeof cc);
	fmt_int(cu_row_cache_read_tokens(r), cr, sizeof cr);
	fmt_int(cu_row_total_tokens(r), tot, sizeof tot);
	fmt_cost(cu_row_cost_usd(r), cost, sizeof cost);
	if (l->compact) {
		const char *cells[] = { label, models, in, out, cost, extra };
		return table_add(t, cells);
	}
	const char *cells[] = { label, models, in, out, cc, cr, tot, cost, extra };
	return table_add(t, cells);
}

static table *make_table(const cu_report *rep, const layout *l)
{
	const char *first = "Date";
	switch (cu_report_group(rep)) {
	case CU_GROUP_WEEKLY: first = "Week"; break;
	case CU_GROUP_MONTHLY: first = "Month"; break;
	case CU_GROUP_SESSION: first = "Session"; break;
	default: break;
	}
	if (l->compact) {
		const char *h[] = { first, "Models", "Input", "Output", "Cost (USD)", "Last Activity" };
		return table_new(l->session ? 6 : 5, h, "llrrrl");
	}
	const char *h[] = { first,          "Models",       "Input",      "Output",       "Cache Create",
		            "Cache Read",   "Total Tokens", "Cost (USD)", "Last Activity" };
	return table_new(l->session ? 9 : 8, h, "llrrrrrrl");
}

static int fill(table *t, const cu_report *rep, const layout *l, const render_opts *o,
                int by_project)
{
	const char *last_project = NULL;
	for (size_t i = 0; i < cu_report_count(rep); i++) {
		const cu_row *r = cu_report_row(rep, i);
		if (by_project && (!last_project || strcmp(last_project, cu_row_project(r)) != 0)) {
			last_project = cu_row_project(r);
			const char *p = cu_row_project_path(r) ? cu_row_project_path(r) : last_project;
			char head[512];
			snprintf(head, sizeof head, "📁 %s", p);
			const char *cells[TABLE_MAX_COLS] = { head };
			for (size_t c = 1; c < TABLE_MAX_COLS; c++)
				cells[c] = "";
			table_separate(t);
			if (table_add(t, cells) != 0)
				return -1;
			table_style_last(t, 2);
		}
		char label[512], last[16] = "";
		label_of(rep, r, label, sizeof label);
		if (l->session)
			cu_ctx_format_date(o->ctx, cu_row_last_time(r), last, sizeof last);
		char *models = models_cell(r);
		table_separate(t);
		int rc = models ? add_row(t, l, label, models, r, last) : -1;
		free(models);
		if (rc != 0)
			return -1;
		for (size_t k = 0; o->breakdown && k < cu_row_breakdown_count(r); k++) {
			const cu_row *b = cu_row_breakdown(r, k);
			char name[140];
			fmt_model(cu_row_key(b), name, sizeof name);
			char lab[160];
			snprintf(lab, sizeof lab, "  └─ %s", name);
			if (add_row(t, l, lab, "", b, "") != 0)
				return -1;
			table_style_last(t, 1);
		}
	}
	table_separate(t);
	if (add_row(t, l, "Total", "", cu_report_totals(rep), "") != 0)
		return -1;
	table_style_last(t, 2);
	return 0;
}

static const char *title_of(int32_t group, int by_project)
{
	switch (group) {
	case CU_GROUP_WEEKLY: return "📊 Claude Code Token Usage Report - Weekly";
	case CU_GROUP_MONTHLY: return "📊 Claude Code Token Usage Report - Monthly";
	case CU_GROUP_SESSION: return "📊 Claude Code Token Usage Report - By Session";
	default: return by_project ? "📊 Claude Code Token Usage Report - Daily, by Project"
	                           : "📊 Claude Code Token Usage Report - Daily";
	}
}

int render_table(const cu_report *rep, const render_opts *o)
{
	int32_t group = cu_report_group(rep);
	int by_project = 0;
	for (size_t i = 0; i < cu_report_count(rep) && !by_project; i++)
		by_project = group != CU_GROUP_SESSION && cu_row_project(cu_report_row(rep, i)) != NULL;

	if (cu_report_count(rep) == 0) {
		printf("No Claude Code usage data found for the selected period.\n");
		return 0;
	}
	layout l = { 0, group == CU_GROUP_SESSION };
	table *t = make_table(rep, &l);
	if (!t || fill(t, rep, &l, o, by_project) != 0) {
		table_free(t);
		fprintf(stderr, "claude-usage: out of memory\n");
		return 1;
	}
	/* Too wide for the terminal: fall back to the compact columns. */
	if (table_width(t) > terminal_columns()) {
		table_free(t);
		l.compact = 1;
		t = make_table(rep, &l);
		if (!t || fill(t, rep, &l, o, by_project) != 0) {
			table_free(t);
			fprintf(stderr, "claude-usage: out of memory\n");
			return 1;
		}
	}
	print_banner(title_of(group, by_project), o->color);
	table_print(t, o->color);
	if (l.compact)
		printf("\n(compact view: widen the terminal to see cache columns)\n");
	for (size_t i = 0; i < cu_report_unpriced_count(rep); i++)
		printf("%sNote: no price for model %s; its cost is not included.\n", i ? "" : "\n",
		       cu_report_unpriced(rep, i));
	table_free(t);
	return 0;
}
