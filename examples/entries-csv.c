/*
 * entries-csv.c - every deduplicated entry as a CSV line, streamed through
 * a callback with cu_ctx_foreach_entry(); an optional count stops early.
 *
 *   entries-csv [DATA_DIR [MAX_ENTRIES]]
 */
#include <claudeusage/claudeusage.h>

#include <stdio.h>
#include <stdlib.h>

typedef struct state {
	long long printed, max;
} state;

/* Fields with commas or quotes would need quoting: ids and model names have none. */
static int32_t print_entry(const cu_entry *e, void *userdata)
{
	state *st = userdata;
	printf("%lld,%s,%s,%s,%s,%lld,%lld,%lld,%lld,%.10f,%s\n", (long long)e->time_ms, e->source,
	       e->project, e->session, e->model, (long long)e->input_tokens,
	       (long long)e->output_tokens, (long long)e->cache_creation_tokens,
	       (long long)e->cache_read_tokens, e->cost_usd,
	       (e->flags & CU_ENTRY_SIDECHAIN) ? "subagent" : "main");
	st->printed++;
	return st->max > 0 && st->printed >= st->max; /* nonzero: stop */
}

int main(int argc, char **argv)
{
	state st = { 0, argc > 2 ? atoll(argv[2]) : 0 };
	cu_ctx *ctx = NULL;
	int rc = cu_ctx_new(&ctx);
	if (rc != CU_OK) {
		fprintf(stderr, "entries-csv: %s\n", cu_last_error());
		return 1;
	}
	if (argc > 1)
		rc = cu_ctx_add_root(ctx, argv[1]);
	if (rc == CU_OK)
		rc = cu_ctx_load(ctx);
	if (rc == CU_OK) {
		printf("time_ms,source,project,session,model,input,output,cache_creation,cache_read,"
		       "cost_usd,chain\n");
		rc = cu_ctx_foreach_entry(ctx, print_entry, &st);
		if (rc == CU_EUSER) /* we asked it to stop */
			rc = CU_OK;
	}
	if (rc != CU_OK)
		fprintf(stderr, "entries-csv: %s: %s\n", cu_status_str(rc), cu_ctx_last_error(ctx));
	cu_ctx_free(ctx);
	return rc == CU_OK ? 0 : 1;
}
