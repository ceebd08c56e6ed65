/*
 * report-json.c - a report as JSON, in ccusage's field names and shape so
 * that existing jq scripts keep working.
 */
#include "report-private.h"
#include "json-private.h"
#include "time-private.h"

#include <claudeusage/cu-pricing.h>
#include <claudeusage/cu-status.h>

#include <jansson.h>
#include <string.h>

static const char *array_name(int32_t group)
{
	switch (group) {
	case CU_GROUP_DAILY: return "daily";
	case CU_GROUP_WEEKLY: return "weekly";
	case CU_GROUP_MONTHLY: return "monthly";
	case CU_GROUP_SESSION: return "sessions";
	case CU_GROUP_SOURCE: return "sources";
	default: return "projects";
	}
}

static const char *key_name(int32_t group)
{
	switch (group) {
	case CU_GROUP_DAILY: return "date";
	case CU_GROUP_WEEKLY: return "week";
	case CU_GROUP_MONTHLY: return "month";
	case CU_GROUP_SESSION: return "sessionId";
	case CU_GROUP_SOURCE: return "source";
	default: return "project";
	}
}

static int put_tokens(json_t *o, const cu_row *r, const char *cost_name)
{
	int rc = 0;
	rc |= cu__json_put(o, "inputTokens", json_integer(r->input));
	rc |= cu__json_put(o, "outputTokens", json_integer(r->output));
	rc |= cu__json_put(o, "cacheCreationTokens", json_integer(r->cache_create));
	rc |= cu__json_put(o, "cacheReadTokens", json_integer(r->cache_read));
	if (strcmp(cost_name, "cost") != 0)
		rc |= cu__json_put(o, "totalTokens",
		          json_integer(r->input + r->output + r->cache_create + r->cache_read));
	rc |= cu__json_put(o, cost_name, json_real(r->cost));
	return rc;
}

static json_t *time_value(int64_t ms)
{
	char buf[25];
	cu__format_timestamp(ms, buf);
	return json_string(buf);
}

static json_t *row_json(const cu_report *rep, const cu_row *r)
{
	json_t *o = json_object();
	json_t *models = json_array();
	json_t *bd = json_array();
	int rc = o && models && bd ? 0 : -1;

	if (rc == 0)
		rc |= cu__json_put(o, key_name(rep->group), json_string(r->key));
	if (rc == 0 && rep->group == CU_GROUP_SESSION) {
		rc |= cu__json_put(o, "projectPath", json_string(r->project ? r->project : ""));
		if (r->project_path)
			rc |= cu__json_put(o, "cwd", json_string(r->project_path));
	} else if (rc == 0 && r->project) {
		if (rep->group != CU_GROUP_PROJECT)
			rc |= cu__json_put(o, "project", json_string(r->project));
		if (r->project_path)
			rc |= cu__json_put(o, "projectPath", json_string(r->project_path));
	}
	if (rc == 0)
		rc |= put_tokens(o, r, "totalCost");
	if (rc == 0 && (rep->group == CU_GROUP_SESSION || rep->group == CU_GROUP_PROJECT)) {
		rc |= cu__json_put(o, "firstActivity", time_value(r->first_ms));
		rc |= cu__json_put(o, "lastActivity", time_value(r->last_ms));
	}
	for (size_t i = 0; rc == 0 && i < r->nmodels; i++)
		rc |= json_array_append_new(models, json_string(r->models[i]));
	for (size_t i = 0; rc == 0 && i < r->nbreakdown; i++) {
		const cu_row *b = &r->breakdown[i];
		json_t *m = json_object();
		rc |= m ? 0 : -1;
		if (rc == 0) {
			rc |= cu__json_put(m, "modelName", json_string(b->key));
			rc |= put_tokens(m, b, "cost");
		}
		rc |= json_array_append_new(bd, m);
	}
	if (rc == 0) {
		rc |= cu__json_put(o, "modelsUsed", models);
		models = NULL;
		rc |= cu__json_put(o, "modelBreakdowns", bd);
		bd = NULL;
	}
	json_decref(models);
	json_decref(bd);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *diag_kind_name(int32_t kind)
{
	switch (kind) {
	case CU_DIAG_MALFORMED_LINE: return "malformed-line";
	case CU_DIAG_TORN_LINE: return "incomplete-last-line";
	case CU_DIAG_FILE_ERROR: return "unreadable";
	default: return "note";
	}
}

json_t *cu__diag_summary_json(const cu__diag_summary *s)
{
	json_t *o = json_object(), *list = json_array();
	int rc = o && list ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < s->listed.n; i++) {
		const cu__diag *d = &s->listed.v[i];
		json_t *p = json_object();
		rc |= p ? 0 : -1;
		if (rc == 0) {
			rc |= cu__json_put(p, "kind", json_string(diag_kind_name(d->kind)));
			rc |= cu__json_put(p, "path", d->path ? json_string(d->path) : json_null());
			if (d->line > 0)
				rc |= cu__json_put(p, "line", json_integer(d->line));
			rc |= cu__json_put(p, "message", json_string(d->msg));
		}
		rc |= json_array_append_new(list, p);
	}
	if (rc == 0) {
		rc |= cu__json_put(o, "files", json_integer(s->files));
		rc |= cu__json_put(o, "unreadable", json_integer(s->file_errors));
		rc |= cu__json_put(o, "lines", json_integer(s->lines));
		rc |= cu__json_put(o, "usageLines", json_integer(s->usage_lines));
		rc |= cu__json_put(o, "duplicates", json_integer(s->duplicates));
		rc |= cu__json_put(o, "entries", json_integer(s->entries));
		rc |= cu__json_put(o, "malformedLines", json_integer(s->malformed));
		rc |= cu__json_put(o, "incompleteLastLines", json_integer(s->torn));
		rc |= cu__json_put(o, "problems", list);
		list = NULL;
		rc |= cu__json_put(o, "problemsNotListed", json_integer(s->not_listed));
	}
	json_decref(list);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *report_json(const cu_report *rep)
{
	json_t *root = json_object();
	json_t *totals = json_object();
	json_t *unpriced = cu__json_strings(rep->unpriced, rep->nunpriced);
	json_t *rows = NULL;
	int rc = root && totals && unpriced ? 0 : -1;

	if (rep->flags & CU_REPORT_BY_PROJECT && rep->group != CU_GROUP_PROJECT) {
		/* {"projects": {name: [rows]}}: rows are sorted by project already. */
		rows = json_object();
		for (size_t i = 0; rc == 0 && rows && i < rep->n; i++) {
			const cu_row *r = &rep->rows[i];
			json_t *list = json_object_get(rows, r->project);
			if (!list) {
				list = json_array();
				rc |= cu__json_put(rows, r->project, list);
			}
			rc |= json_array_append_new(list, row_json(rep, r));
		}
		rc |= cu__json_put(root, "projects", rows);
	} else {
		rows = json_array();
		for (size_t i = 0; rc == 0 && rows && i < rep->n; i++)
			rc |= json_array_append_new(rows, row_json(rep, &rep->rows[i]));
		rc |= cu__json_put(root, array_name(rep->group), rows);
	}
	if (rc == 0) {
		rc |= put_tokens(totals, &rep->totals, "totalCost");
		rc |= cu__json_put(root, "totals", totals);
		totals = NULL;
	}
	if (rc == 0) {
		rc |= cu__json_put(root, "unpricedModels", unpriced);
		unpriced = NULL;
		rc |= cu__json_put(root, "pricing",
		          json_pack("{s:s, s:s}", "source", rep->pricing_source, "longContext",
		                    rep->long_context == CU_LONG_CONTEXT_ANTHROPIC ? "anthropic"
		                                                                   : "ccusage"));
		rc |= cu__json_put(root, "diagnostics", cu__diag_summary_json(&rep->diag));
	}
	json_decref(totals);
	json_decref(unpriced);
	if (rc != 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int cu_report_to_json(const cu_report *report, uint32_t flags, char **out)
{
	if (!report || !out)
		return CU_EINVALID;
	*out = NULL;
	json_t *root = report_json(report);
	return cu__json_text(root, flags, out);
}
