/*
 * json-export.c - a report as JSON (the shape `claude-usage <command> --json`
 * prints), written to stdout.
 *
 *   json-export [daily|weekly|monthly|session|project|source] [DATA_DIR]
 */
#include <claudeusage/claudeusage.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	static const struct { const char *name; int32_t group; } groups[] = {
		{ "daily", CU_GROUP_DAILY },     { "weekly", CU_GROUP_WEEKLY },
		{ "monthly", CU_GROUP_MONTHLY }, { "session", CU_GROUP_SESSION },
		{ "project", CU_GROUP_PROJECT }, { "source", CU_GROUP_SOURCE },
	};
	int32_t group = CU_GROUP_DAILY;
	if (argc > 1) {
		group = 0;
		for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
			if (strcmp(argv[1], groups[i].name) == 0)
				group = groups[i].group;
		if (!group) {
			fprintf(stderr, "usage: json-export [daily|weekly|monthly|session|project|source] [DATA_DIR]\n");
			return 2;
		}
	}

	cu_ctx *ctx = NULL;
	cu_report *rep = NULL;
	char *json = NULL;
	int rc = cu_ctx_new(&ctx);
	if (rc != CU_OK) {
		fprintf(stderr, "json-export: %s\n", cu_last_error());
		return 1;
	}
	if (argc > 2)
		rc = cu_ctx_add_root(ctx, argv[2]);
	if (rc == CU_OK)
		rc = cu_ctx_load(ctx);
	if (rc == CU_OK)
		rc = cu_report_new(ctx, group, 0, 0, &rep);
	if (rc == CU_OK)
		rc = cu_report_to_json(rep, 0, &json);
	if (rc == CU_OK)
		fputs(json, stdout);
	else
		fprintf(stderr, "json-export: %s: %s\n", cu_status_str(rc), cu_ctx_last_error(ctx));
	cu_free(json); /* strings the library returns are freed with cu_free() */
	cu_report_free(rep);
	cu_ctx_free(ctx);
	return rc == CU_OK ? 0 : 1;
}
