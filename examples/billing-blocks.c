/*
 * billing-blocks.c - print the 5-hour billing blocks of a history, using
 * only the public API.
 *
 *   billing-blocks [DATA_DIR]
 *
 * With no argument it reads the default Claude data directories.
 */
#include <claudeusage/claudeusage.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	cu_ctx *ctx = NULL;
	cu_blocks *blocks = NULL;
	int rc = cu_ctx_new(&ctx);
	if (rc != CU_OK) {
		fprintf(stderr, "billing-blocks: %s\n", cu_last_error());
		return 1;
	}
	if (argc > 1)
		rc = cu_ctx_add_root(ctx, argv[1]);
	if (rc == CU_OK)
		rc = cu_ctx_set_timezone(ctx, "UTC");
	if (rc == CU_OK)
		rc = cu_ctx_load(ctx);
	if (rc == CU_OK)
		rc = cu_blocks_new(ctx, 0 /* 5 hours */, 0, &blocks);
	if (rc != CU_OK) {
		fprintf(stderr, "billing-blocks: %s: %s\n", cu_status_str(rc), cu_ctx_last_error(ctx));
		cu_ctx_free(ctx);
		return 1;
	}
	size_t used = 0;
	for (size_t i = 0; i < cu_blocks_count(blocks); i++) {
		const cu_block *b = cu_blocks_at(blocks, i);
		char start[20], end[20];
		cu_ctx_format_time(ctx, cu_block_start(b), start, sizeof start);
		cu_ctx_format_time(ctx, cu_block_end(b), end, sizeof end);
		if (cu_block_is_gap(b)) {
			printf("%s .. %s  idle\n", start, end);
			continue;
		}
		used++;
		printf("%s .. %s  %12lld tokens  $%9.4f  %zu model(s)%s\n", start, end,
		       (long long)cu_block_total_tokens(b), cu_block_cost_usd(b), cu_block_model_count(b),
		       cu_block_is_active(b) ? "  ACTIVE" : "");
	}
	printf("largest finished block: %lld tokens\n", (long long)cu_blocks_max_tokens(blocks));
	rc = used > 0 ? 0 : 1; /* the bundled data is not empty */
	cu_blocks_free(blocks);
	cu_ctx_free(ctx);
	return rc;
}
