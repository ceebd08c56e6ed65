/*
 * live.h - claude-usage live: a full-screen monitor of the active 5-hour
 * block, refreshed from what was appended since the last refresh.
 */
#ifndef CLI_LIVE_H
#define CLI_LIVE_H

#include <claudeusage/claudeusage.h>

typedef struct live_opts {
	int refresh_s;          /* 1..60 */
	int64_t token_limit;    /* 0: none; CU_TOKEN_LIMIT_MAX: the largest finished block */
	const char *plan;       /* pro, max5, max20, custom, or NULL */
	double budget;          /* USD per block, 0: none */
	int64_t block_ms;       /* 0: 5 hours */
	int snapshot, json, color;
} live_opts;

/* Known plans: name, tokens (input + output) and USD per 5-hour window. */
typedef struct live_plan {
	const char *name;
	int64_t tokens;
	double usd;
} live_plan;

/* The plan called name, or NULL. */
const live_plan *live_find_plan(const char *name);

/*
 * Run the monitor on a configured (not yet loaded) context: one frame (or
 * its JSON) with snapshot, else until q, Ctrl-C or SIGTERM. Returns the exit
 * status.
 */
int live_command(cu_ctx *ctx, const live_opts *o);

#endif
