/*
 * today-cost.c - what today cost so far (in the local timezone), using only
 * the public API.
 *
 *   today-cost [DATA_DIR [YYYY-MM-DD]]
 *
 * A date instead of today shows that day. No usage prints zeros.
 */
#include <claudeusage/claudeusage.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	cu_ctx *ctx = NULL;
	cu_report *rep = NULL;
	char day[16];
	int rc = cu_ctx_new(&ctx);
	if (rc != CU_OK) {
		fprintf(stderr, "today-cost: %s\n", cu_last_error());
		return 1;
	}
	if (argc > 1)
		rc = cu_ctx_add_root(ctx, argv[1]);
	/* Today, as a local date: the day the report's range starts and ends. */
	if (rc == CU_OK)
		rc = argc > 2 ? (snprintf(day, sizeof day, "%s", argv[2]), CU_OK)
		              : cu_ctx_format_date(ctx, cu_ctx_now(ctx), day, sizeof day);
	if (rc == CU_OK)
		rc = cu_ctx_set_since(ctx, day);
	if (rc == CU_OK)
		rc = cu_ctx_set_until(ctx, day);
	if (rc == CU_OK)
		rc = cu_ctx_load(ctx);
	if (rc == CU_OK)
		rc = cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &rep);
	if (rc != CU_OK) {
		fprintf(stderr, "today-cost: %s: %s\n", cu_status_str(rc), cu_ctx_last_error(ctx));
		cu_ctx_free(ctx);
		return 1;
	}
	/* The totals of a one-day report are that day (zero when it has no row). */
	const cu_row *t = cu_report_totals(rep);
	printf("%s: %lld tokens, $%.4f, %lld requests\n", day, (long long)cu_row_total_tokens(t),
	       cu_row_cost_usd(t), (long long)cu_row_entries(t));
	cu_report_free(rep);
	cu_ctx_free(ctx);
	return 0;
}
