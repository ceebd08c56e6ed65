/*
 * month-models.c - one month's cost per model, using only the public API.
 *
 *   month-models [DATA_DIR [YYYY-MM]]
 *
 * With no month it shows the latest month with usage; with no directory it
 * reads the default Claude data directories.
 */
#include <claudeusage/claudeusage.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *month = argc > 2 ? argv[2] : NULL;
	cu_ctx *ctx = NULL;
	cu_report *rep = NULL;
	int rc = cu_ctx_new(&ctx);
	if (rc != CU_OK) {
		fprintf(stderr, "month-models: %s\n", cu_last_error());
		return 1;
	}
	if (argc > 1)
		rc = cu_ctx_add_root(ctx, argv[1]);
	if (rc == CU_OK)
		rc = cu_ctx_set_timezone(ctx, "UTC");
	if (rc == CU_OK)
		rc = cu_ctx_load(ctx);
	/* Newest month first, so that row 0 is the latest one. */
	if (rc == CU_OK)
		rc = cu_report_new(ctx, CU_GROUP_MONTHLY, CU_REPORT_DESC, 0, &rep);
	if (rc != CU_OK) {
		fprintf(stderr, "month-models: %s: %s\n", cu_status_str(rc), cu_ctx_last_error(ctx));
		cu_ctx_free(ctx);
		return 1;
	}

	const cu_row *row = NULL;
	for (size_t i = 0; i < cu_report_count(rep) && !row; i++)
		if (!month || strcmp(cu_row_key(cu_report_row(rep, i)), month) == 0)
			row = cu_report_row(rep, i);
	if (!row) {
		fprintf(stderr, "month-models: no usage in %s\n", month ? month : "any month");
		cu_report_free(rep);
		cu_ctx_free(ctx);
		return 1;
	}

	/* The breakdown has one row per model, the most costly first. */
	printf("%s\n", cu_row_key(row));
	for (size_t m = 0; m < cu_row_breakdown_count(row); m++) {
		const cu_row *b = cu_row_breakdown(row, m);
		printf("  %-32s %14lld tokens  $%10.4f\n", cu_row_key(b),
		       (long long)cu_row_total_tokens(b), cu_row_cost_usd(b));
	}
	printf("  %-32s %14lld tokens  $%10.4f\n", "all models", (long long)cu_row_total_tokens(row),
	       cu_row_cost_usd(row));
	cu_report_free(rep);
	cu_ctx_free(ctx);
	return 0;
}
