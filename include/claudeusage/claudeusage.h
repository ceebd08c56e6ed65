/*
 * claudeusage.h - the one header users of libclaudeusage include.
 *
 * libclaudeusage reads the JSONL transcripts Claude Code writes, deduplicates
 * them, prices the tokens per model and aggregates the result by day, week,
 * month, session and project, and into 5-hour billing blocks. See README.md.
 */
#ifndef CLAUDEUSAGE_H
#define CLAUDEUSAGE_H

#include "cu-common.h"
#include "cu-version.h"
#include "cu-status.h"
#include "cu-context.h"
#include "cu-pricing.h"
#include "cu-report.h"
#include "cu-blocks.h"
#include "cu-entry.h"

#endif /* CLAUDEUSAGE_H */
