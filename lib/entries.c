/*
 * entries.c - the entries of a load, handed out one at a time
 * (cu_ctx_foreach_entry): the same entries the reports add up.
 */
#include "context-private.h"

#include <claudeusage/cu-entry.h>
#include <claudeusage/cu-status.h>

static uint32_t public_flags(uint32_t f)
{
	return ((f & CU__E_SIDECHAIN) ? CU_ENTRY_SIDECHAIN : 0u) |
	       ((f & CU__E_API_ERROR) ? CU_ENTRY_API_ERROR : 0u) |
	       ((f & CU__E_HAS_COST) ? CU_ENTRY_LINE_COST : 0u) |
	       ((f & CU__E_UNPRICED) ? CU_ENTRY_UNPRICED : 0u) |
	       ((f & CU__E_FAST) ? CU_ENTRY_FAST : 0u);
}

int cu_ctx_foreach_entry(cu_ctx *ctx, cu_entry_fn fn, void *userdata)
{
	if (!ctx || !fn)
		return ctx ? cu__ctx_error(ctx, CU_EINVALID, "fn is NULL") : CU_EINVALID;
	if (!ctx->loaded)
		return cu__ctx_error(ctx, CU_ESTATE, "nothing loaded: call cu_ctx_load() first");
	if (ctx->iterating)
		return cu__ctx_error(ctx, CU_ESTATE, "already iterating over the entries");

	int rc = CU_OK;
	ctx->iterating = 1;
	for (size_t i = 0; i < ctx->n; i++) {
		const cu__entry *e = ctx->entries[i];
		if ((e->flags & CU__E_SYNTHETIC) || !cu__ctx_entry_selected(ctx, e))
			continue;
		const cu__file *f = &ctx->disc.files.v[e->file];
		cu_entry out = {
			.size = (uint32_t)sizeof out,
			.flags = public_flags(e->flags),
			.time_ms = e->ts_ms,
			.input_tokens = e->input,
			.output_tokens = e->output,
			.cache_creation_tokens = e->cache_create,
			.cache_read_tokens = e->cache_read,
			.cost_usd = e->cost,
			.model = cu__pool_str(&ctx->store.models, e->model),
			.session = cu__pool_str(&ctx->disc.sessions, f->session),
			.project = cu__pool_str(&ctx->disc.projects, f->project),
			.source = cu__pool_str(&ctx->disc.sources, f->source),
			.path = f->path,
			.line = e->line,
		};
		if (fn(&out, userdata) != 0) {
			rc = cu__ctx_error(ctx, CU_EUSER, "the entry callback stopped the iteration");
			break;
		}
	}
	ctx->iterating = 0;
	if (rc == CU_OK)
		ctx->err[0] = '\0';
	return rc;
}
