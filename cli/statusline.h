/*
 * statusline.h - claude-usage statusline, for Claude Code's statusLine hook.
 */
#ifndef CLI_STATUSLINE_H
#define CLI_STATUSLINE_H

#include <claudeusage/claudeusage.h>

#include <stdio.h>

/*
 * Read the hook's JSON object from in and print one line: model, this
 * session's cost, today's, the active block's with its time left, the burn
 * rate and the context window use. ctx is configured, not loaded. Returns
 * the exit status: 1 with a one-line error on empty or invalid input.
 */
int statusline_command(cu_ctx *ctx, FILE *in, int color);

#endif
