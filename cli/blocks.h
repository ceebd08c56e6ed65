/*
 * blocks.h - the blocks command: 5-hour billing blocks of a loaded context.
 */
#ifndef CLI_BLOCKS_H
#define CLI_BLOCKS_H

#include "options.h"

#include <claudeusage/claudeusage.h>

/* Build and print the blocks (table, active detail or JSON); returns the exit code. */
int blocks_command(cu_ctx *ctx, const options *o, int color);

#endif
