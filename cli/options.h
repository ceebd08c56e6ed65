/*
 * options.h - the command line of claude-usage.
 */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define MAX_DATA_DIRS 32

typedef struct options {
	const char *command;   /* daily, weekly, monthly, session, blocks, pricing */
	int json, all, breakdown, instances, exclude_vms, offline;
	int no_cache;          /* --no-cache: no history index */
	int color;             /* -1 auto, 0 never, 1 always */
	int desc;              /* --order desc */
	int order_set;
	uint32_t last;         /* --last/--limit N, 0 = all */
	const char *since, *until;
	int period;            /* 0, 'w' (--week), 'm' (--month), 'y' (--year) */
	int month;             /* 1-12 for --january ... --december, else 0 */
	int32_t mode;          /* enum cu_cost_mode */
	int32_t week_start;
	const char *timezone;
	const char *project;
	const char *data_dirs[MAX_DATA_DIRS];
	size_t ndata_dirs;
	uint32_t threads;
	const char *pricing_url, *pricing_file;
	int32_t long_context;  /* enum cu_long_context */
	const char *model;     /* pricing MODEL */
	/* blocks */
	int active, recent;    /* --active, --recent */
	int64_t token_limit;   /* --token-limit: tokens, -1 for max, 0 when not given */
	int64_t block_ms;      /* --session-length in ms, 0 for the default */
	/* live */
	int snapshot;          /* --snapshot */
	int refresh_s;         /* --refresh S, 1..60 (default 1) */
	const char *plan;      /* --plan */
	double budget;         /* --budget USD */
} options;

/*
 * Parse argv. Returns 0 to go on, 1 when --help or --version was handled
 * (exit 0), 2 on a usage error (message and usage printed on stderr).
 */
int options_parse(int argc, char **argv, options *o);

/* Print the usage text of a command (NULL: the general one) to a stream. */
void options_usage(const char *command, int to_stderr);

#endif
