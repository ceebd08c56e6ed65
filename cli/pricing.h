/*
 * pricing.h - the `pricing` command.
 */
#ifndef CLI_PRICING_H
#define CLI_PRICING_H

#include <claudeusage/claudeusage.h>

/* Load the price table per ctx's settings and show it (or one model). Returns the exit code. */
int pricing_command(cu_ctx *ctx, const char *model, int json, int color);

#endif
