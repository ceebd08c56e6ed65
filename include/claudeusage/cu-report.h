/*
 * cu-report.h - reports: usage grouped by day, week, month, session, project or source.
 *
 * A report is built from a loaded context and is immutable: it may be read
 * from any thread and outlives later changes to the context. Rows are
 * borrowed from their report and live as long as it.
 */
#ifndef CLAUDEUSAGE_CU_REPORT_H
#define CLAUDEUSAGE_CU_REPORT_H

#include "cu-common.h"
#include "cu-context.h"

CU_BEGIN_DECLS

typedef struct cu_report cu_report;
typedef struct cu_row cu_row;

/** Report groupings (carried as int32_t). */
enum cu_group {
	CU_GROUP_DAILY = 1,   /**< key "YYYY-MM-DD" */
	CU_GROUP_WEEKLY = 2,  /**< key: the first day of the week, "YYYY-MM-DD" */
	CU_GROUP_MONTHLY = 3, /**< key "YYYY-MM" */
	CU_GROUP_SESSION = 4, /**< key: the session id */
	CU_GROUP_PROJECT = 5, /**< key: the project folder name */
	CU_GROUP_SOURCE = 6   /**< key: where the transcripts are, "main" or a VM's name */
};

/** Report flags (carried as uint32_t). */
enum cu_report_flag {
	CU_REPORT_DESC = 1u << 0,       /**< newest period first (default: oldest first) */
	CU_REPORT_BY_PROJECT = 1u << 1  /**< rows per (project, period); see cu_row_project() */
};

/** Flags for cu_report_to_json() (carried as uint32_t). */
enum cu_json_flag {
	CU_JSON_COMPACT = 1u << 0 /**< one line instead of indented text */
};

/**
 * Build a report from the entries of the last cu_ctx_load(), filtered by the
 * context's date range and project.
 * @param group  one of enum cu_group
 * @param flags  enum cu_report_flag bits
 * @param limit  keep only the most recent N periods (0: all)
 * @param[out] out  the report; free it with cu_report_free()
 * @return CU_OK, CU_EINVALID, CU_ESTATE (nothing loaded) or CU_ENOMEM
 * @since 0.1
 */
CU_API int cu_report_new(cu_ctx *ctx, int32_t group, uint32_t flags, uint32_t limit,
                         cu_report **out);

/** Free a report. Accepts NULL. @since 0.1 */
CU_API void cu_report_free(cu_report *report);

/** The grouping the report was built with. @since 0.1 */
CU_API int32_t cu_report_group(const cu_report *report);

/** Number of rows. @since 0.1 */
CU_API size_t cu_report_count(const cu_report *report);

/** Row i (borrowed), or NULL when out of range. @since 0.1 */
CU_API const cu_row *cu_report_row(const cu_report *report, size_t i);

/** The totals row (borrowed); its key is "Total". @since 0.1 */
CU_API const cu_row *cu_report_totals(const cu_report *report);

/** Number of distinct models in the report that the price table does not know. @since 0.1 */
CU_API size_t cu_report_unpriced_count(const cu_report *report);

/** Unpriced model i (borrowed), or NULL. @since 0.1 */
CU_API const char *cu_report_unpriced(const cu_report *report, size_t i);

/**
 * Serialise the report as JSON, in ccusage's shape: {"daily": [...],
 * "totals": {...}} (or "weekly", "monthly", "sessions", "projects", "sources"), and
 * {"projects": {name: [...]}, "totals": ...} for CU_REPORT_BY_PROJECT; then
 * "unpricedModels", "pricing" {"source", "longContext"} and "diagnostics":
 * {"files", "unreadable", "lines", "usageLines", "duplicates", "entries",
 * "malformedLines", "incompleteLastLines", "problems": [{"kind", "path",
 * "line", "message"}] (the first 20 unreadable files and skipped lines),
 * "problemsNotListed"}, describing the data loaded when the report was made.
 * @param flags  enum cu_json_flag bits
 * @param[out] out  NUL-terminated text; release it with cu_free()
 * @since 0.1
 */
CU_API int cu_report_to_json(const cu_report *report, uint32_t flags, char **out);

/** Row key: date, week start, month, session id, project or model name (borrowed). @since 0.1 */
CU_API const char *cu_row_key(const cu_row *row);

/**
 * Project folder name of the row (session rows and by-project rows), else
 * NULL. Claude Code names the folder after the working directory with every
 * character outside [A-Za-z0-9] replaced by '-'.
 * @since 0.1
 */
CU_API const char *cu_row_project(const cu_row *row);

/** Working directory recorded in the transcript lines of the row's project, or NULL. @since 0.1 */
CU_API const char *cu_row_project_path(const cu_row *row);

/** Token counts. @since 0.1 */
CU_API int64_t cu_row_input_tokens(const cu_row *row);
/** @since 0.1 */
CU_API int64_t cu_row_output_tokens(const cu_row *row);
/** @since 0.1 */
CU_API int64_t cu_row_cache_creation_tokens(const cu_row *row);
/** @since 0.1 */
CU_API int64_t cu_row_cache_read_tokens(const cu_row *row);
/** Sum of the four token counts. @since 0.1 */
CU_API int64_t cu_row_total_tokens(const cu_row *row);

/** Cost in USD. @since 0.1 */
CU_API double cu_row_cost_usd(const cu_row *row);
/** Cost in micro-USD, rounded to nearest, for bindings that want integers. @since 0.1 */
CU_API int64_t cu_row_cost_micro_usd(const cu_row *row);

/** Number of deduplicated entries in the row. @since 0.1 */
CU_API int64_t cu_row_entries(const cu_row *row);

/** Time of the first and last entry, Unix milliseconds (0 for an empty row). @since 0.1 */
CU_API int64_t cu_row_first_time(const cu_row *row);
/** @since 0.1 */
CU_API int64_t cu_row_last_time(const cu_row *row);

/** Number of models used in the row (sorted by name, <synthetic> excluded). @since 0.1 */
CU_API size_t cu_row_model_count(const cu_row *row);
/** Model i (borrowed), or NULL. @since 0.1 */
CU_API const char *cu_row_model(const cu_row *row, size_t i);

/**
 * Per-model breakdown: one row per model, key = model name, most costly
 * first. Breakdown rows have no breakdown of their own.
 * @since 0.1
 */
CU_API size_t cu_row_breakdown_count(const cu_row *row);
/** Breakdown row i (borrowed), or NULL. @since 0.1 */
CU_API const cu_row *cu_row_breakdown(const cu_row *row, size_t i);

CU_END_DECLS

#endif /* CLAUDEUSAGE_CU_REPORT_H */
