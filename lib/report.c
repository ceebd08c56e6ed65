/*
 * report.c - reading a report: rows, totals and their fields.
 */
#include "report-private.h"

#include <math.h>
#include <stdlib.h>

void cu__row_clear(cu_row *row)
{
	if (!row)
		return;
	for (size_t i = 0; i < row->nbreakdown; i++)
		cu__row_clear(&row->breakdown[i]);
	free(row->breakdown);
	free(row->models);
	free(row->key);
}

void cu_report_free(cu_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->n; i++)
		cu__row_clear(&report->rows[i]);
	free(report->rows);
	cu__row_clear(&report->totals);
	for (size_t i = 0; i < report->nstrings; i++)
		free(report->strings[i]);
	free(report->strings);
	free(report->unpriced);
	free(report->timezone);
	free(report->pricing_source);
	cu__diag_summary_clear(&report->diag);
	free(report);
}

int32_t cu_report_group(const cu_report *report)
{
	return report ? report->group : 0;
}

size_t cu_report_count(const cu_report *report)
{
	return report ? report->n : 0;
}

const cu_row *cu_report_row(const cu_report *report, size_t i)
{
	return report && i < report->n ? &report->rows[i] : NULL;
}

const cu_row *cu_report_totals(const cu_report *report)
{
	return report ? &report->totals : NULL;
}

size_t cu_report_unpriced_count(const cu_report *report)
{
	return report ? report->nunpriced : 0;
}

const char *cu_report_unpriced(const cu_report *report, size_t i)
{
	return report && i < report->nunpriced ? report->unpriced[i] : NULL;
}

const char *cu_row_key(const cu_row *row)
{
	return row ? row->key : NULL;
}

const char *cu_row_project(const cu_row *row)
{
	return row ? row->project : NULL;
}

const char *cu_row_project_path(const cu_row *row)
{
	return row ? row->project_path : NULL;
}

int64_t cu_row_input_tokens(const cu_row *row)
{
	return row ? row->input : 0;
}

int64_t cu_row_output_tokens(const cu_row *row)
{
	return row ? row->output : 0;
}

int64_t cu_row_cache_creation_tokens(const cu_row *row)
{
	return row ? row->cache_create : 0;
}

int64_t cu_row_cache_read_tokens(const cu_row *row)
{
	return row ? row->cache_read : 0;
}

int64_t cu_row_total_tokens(const cu_row *row)
{
	return row ? row->input + row->output + row->cache_create + row->cache_read : 0;
}

double cu_row_cost_usd(const cu_row *row)
{
	return row ? row->cost : 0.0;
}

int64_t cu_row_cost_micro_usd(const cu_row *row)
{
	return row ? (int64_t)llround(row->cost * 1e6) : 0;
}

int64_t cu_row_entries(const cu_row *row)
{
	return row ? row->entries : 0;
}

int64_t cu_row_first_time(const cu_row *row)
{
	return row ? row->first_ms : 0;
}

int64_t cu_row_last_time(const cu_row *row)
{
	return row ? row->last_ms : 0;
}

size_t cu_row_model_count(const cu_row *row)
{
	return row ? row->nmodels : 0;
}

const char *cu_row_model(const cu_row *row, size_t i)
{
	return row && i < row->nmodels ? row->models[i] : NULL;
}

size_t cu_row_breakdown_count(const cu_row *row)
{
	return row ? row->nbreakdown : 0;
}

const cu_row *cu_row_breakdown(const cu_row *row, size_t i)
{
	return row && i < row->nbreakdown ? &row->breakdown[i] : NULL;
}
