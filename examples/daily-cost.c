/*
 * daily-cost.c - print what each day cost, using only the public API.
 *
 *   daily-cost [DATA_DIR]
 *
 * With no argument it reads the default Claude data directories.
 */
#include <claudeusage/claudeusage.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	cu_ctx *ctx = NULL;
	cu_report *rep = NULL;
	int rc = cu_ctx_new(&ctx);
	if (rc != CU_OK) {
		fprintf(stderr, "daily-cost: %s\n", cu_last_error());
		return 1;
	}
	if (argc > 1)
		rc = cu_ctx_add_root(ctx, argv[1]);
	if (rc == CU_OK)
		rc = cu_ctx_set_timezone(ctx, "UTC");
	if (rc == CU_OK)
		rc = cu_ctx_load(ctx);
	if (rc == CU_OK)
		rc = cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &rep);
	if (rc != CU_OK) {
		fprintf(stderr, "daily-cost: %s: %s\n", cu_status_str(rc), cu_ctx_last_error(ctx));
		cu_ctx_free(ctx);
		return 1;
	}
	for (size_t i = 0; i < cu_report_count(rep); i++) {
		const cu_row *row = cu_report_row(rep, i);
		printf("%s  %12lld tokens  $%10.4f\n", cu_row_key(row),
		       (long long)cu_row_total_tokens(row), cu_row_cost_usd(row));
	}
	const cu_row *t = cu_report_totals(rep);
	printf("total       %12lld tokens  $%10.4f  (%lld entries)\n",
	       (long long)cu_row_total_tokens(t), cu_row_cost_usd(t), (long long)cu_row_entries(t));
	rc = cu_row_entries(t) > 0 ? 0 : 1; /* the bundled data is not empty */
	cu_report_free(rep);
	cu_ctx_free(ctx);
	return rc;
}
