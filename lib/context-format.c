/*
 * context-format.c - times in the context's timezone, for display
 * (cu_ctx_format_time). Kept apart from context.c, which holds loading.
 */
#include "context-private.h"

#include <claudeusage/cu-status.h>

#include <string.h>

int cu_ctx_format_time(const cu_ctx *ctx, int64_t unix_ms, char *buf, size_t size)
{
	if (!ctx || !buf || size < 20)
		return CU_EINVALID;
	int64_t offset = cu__tz_offset(ctx->tz, cu__floor_div(unix_ms, 1000));
	char ts[25];
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" of the local wall clock, cut to the second. */
	cu__format_timestamp(unix_ms + offset * 1000, ts);
	memcpy(buf, ts, 19);
	buf[10] = ' ';
	buf[19] = '\0';
	return CU_OK;
}
