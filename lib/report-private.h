/*
 * report-private.h - the report object: rows built by the aggregate stage,
 * read through cu-report.h, serialised by report-json.c.
 */
#ifndef CU_REPORT_PRIVATE_H
#define CU_REPORT_PRIVATE_H

#include "diag-private.h"

#include <claudeusage/cu-report.h>

struct cu_row {
	char *key;             /* owned */
	const char *project;   /* borrowed from the report's strings, or NULL */
	const char *project_path;
	int64_t input, output, cache_create, cache_read;
	double cost;
	int64_t entries, first_ms, last_ms;
	const char **models;   /* owned array of borrowed names */
	size_t nmodels;
	struct cu_row *breakdown; /* owned */
	size_t nbreakdown;
};

struct cu_report {
	int32_t group;
	uint32_t flags;
	cu_row *rows;
	size_t n;
	cu_row totals;
	char **strings;        /* owned copies of model, project and path names */
	size_t nstrings;
	const char **unpriced; /* borrowed from strings */
	size_t nunpriced;
	char *timezone;        /* owned */
	char *pricing_source;  /* owned */
	int32_t long_context;  /* enum cu_long_context */
	cu__diag_summary diag; /* what the loaded data held that was not counted */
};

void cu__row_clear(cu_row *row);

#endif
