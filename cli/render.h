/*
 * render.h - a report as a terminal table or as JSON on stdout.
 */
#ifndef CLI_RENDER_H
#define CLI_RENDER_H

#include <claudeusage/claudeusage.h>

typedef struct render_opts {
	int breakdown;
	int color;
	const cu_ctx *ctx; /* for dates in the report's timezone */
} render_opts;

/* Return the process exit code. */
int render_json(const cu_report *rep);
int render_table(const cu_report *rep, const render_opts *o);

#endif
