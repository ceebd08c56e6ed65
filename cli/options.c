/*
 * options.c - parsing claude-usage's command line. Errors name the flag and
 * exit 2 with the usage, as the README promises.
 */
#include "options.h"

#include <claudeusage/claudeusage.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const commands[] = { "daily", "weekly", "monthly", "session", "blocks",
	                                 "live", "statusline", "pricing" };

/* blocks and live share the block flags. */
static int blocky(const options *o)
{
	return !strcmp(o->command, "blocks") || !strcmp(o->command, "live");
}

static const char *const months[] = { "january", "february", "march",     "april",
	                              "may",     "june",     "july",      "august",
	                              "september", "october", "november", "december" };

static const char *const weekdays[] = { "sunday",   "monday", "tuesday", "wednesday",
	                                "thursday", "friday", "saturday" };

/* The date options every report command shares with blocks. */
static const char date_options[] =
	"  -s, --since DATE         from DATE (YYYY-MM-DD or YYYYMMDD), inclusive\n"
	"  -u, --until DATE         until DATE, inclusive\n"
	"  -o, --order asc|desc     oldest first (default) or newest first\n";

/* The options of every command that reads the history. */
static const char common_options[] =
	"  -m, --mode MODE          auto (costUSD when present, else computed),\n"
	"                           calculate (always computed), display (costUSD only)\n"
	"  -p, --project NAME       only this project (folder name or path)\n"
	"      --exclude-vms        skip vms/*/projects under each data directory\n"
	"  -d, --data-dir DIR       read DIR instead of the default directories (repeatable)\n"
	"  -O, --offline            never use the network for prices (also CLAUDE_USAGE_OFFLINE=1)\n"
	"      --no-cache           neither read nor write the history index (which lets a\n"
	"                           run read only the transcripts that changed)\n"
	"      --pricing-url URL    download prices from URL (also CLAUDE_USAGE_PRICING_URL)\n"
	"      --pricing-file PATH  use a local LiteLLM-format price table\n"
	"      --long-context RULE  ccusage (default: the tokens above 200k of each kind at the\n"
	"                           higher price) or anthropic (the whole request when its\n"
	"                           input exceeds 200k)\n"
	"      --threads N          reader threads (default: one per CPU)\n"
	"      --color, --no-color  force or disable colour (also FORCE_COLOR, NO_COLOR)\n"
	"  -h, --help               this help\n"
	"\n"
	"Data directories: each entry of $CLAUDE_CONFIG_DIR (comma-separated), else\n"
	"~/.config/claude and ~/.claude.\n";

static void blocks_usage(FILE *f)
{
	fputs("Usage: claude-usage blocks [options]\n"
	      "\n"
	      "Usage by 5-hour billing block. A block starts at the hour (UTC) of its first\n"
	      "message; a message more than the block length after the block's start, or after\n"
	      "the message before it, starts the next one; longer idle times show as gaps.\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json               print JSON (ccusage's field names)\n"
	      "      --active             only the active block, in detail\n"
	      "      --recent             blocks of the last 3 days, and the active one\n"
	      "  -t, --token-limit N|max  compare with N tokens, or with the largest finished\n"
	      "                           block (max, the default of the table)\n"
	      "      --session-length H   block length in hours (default 5)\n"
	      "  -z, --timezone TZ        IANA zone for the times shown (default: local); blocks\n"
	      "                           start on the UTC hour whatever the zone\n"
	      "      --week | --month | --year    this week, month or year so far\n"
	      "      --january ... --december     that month of this year\n"
	      "  -w, --start-of-week DAY  for --week: sunday (default) ... saturday\n",
	      f);
	fputs(date_options, f);
	fputs(common_options, f);
}

void options_usage(const char *command, int to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;
	if (!command) {
		fputs("Usage: claude-usage <command> [options]\n"
		      "\n"
		      "Commands:\n"
		      "  daily      usage by day (the last 30 days unless a date option or --all)\n"
		      "  weekly     usage by week\n"
		      "  monthly    usage by month\n"
		      "  session    usage by session\n"
		      "  blocks     usage by 5-hour billing block (the windows Claude subscriptions meter)\n"
		      "  live       a live monitor of the active block (--snapshot: one frame)\n"
		      "  statusline one line for Claude Code's statusLine hook (JSON on stdin)\n"
		      "  pricing    the price table in use; 'pricing MODEL' shows how a model is priced\n"
		      "\n"
		      "Run 'claude-usage <command> --help' for the options.\n"
		      "  -V, --version  print the version\n",
		      f);
		return;
	}
	if (!strcmp(command, "pricing")) {
		fputs("Usage: claude-usage pricing [MODEL] [options]\n"
		      "\n"
		      "Shows the price table in use (its source and age, and USD per million tokens),\n"
		      "or how MODEL, as written in the logs, resolves to a table entry.\n"
		      "\n"
		      "Options:\n"
		      "  -j, --json               print JSON\n"
		      "  -O, --offline            never use the network: the cached or embedded table\n"
		      "      --pricing-url URL    download the table from URL (http, https, file)\n"
		      "      --pricing-file PATH  use a local LiteLLM-format table\n"
		      "  -h, --help               this help\n",
		      f);
		return;
	}
	if (!strcmp(command, "blocks")) {
		blocks_usage(f);
		return;
	}
	if (!strcmp(command, "live")) {
		fputs("Usage: claude-usage live [options]\n"
		      "\n"
		      "A full-screen monitor of the active 5-hour block: tokens and cost against a\n"
		      "limit, time left, burn rate, projection, today's totals per source. Each\n"
		      "refresh reads only what was appended since the last. q or Ctrl-C quits.\n"
		      "\n"
		      "Options:\n"
		      "      --refresh S          seconds between refreshes, 1 to 60 (default 1)\n"
		      "  -t, --token-limit N|max  tokens per block (all kinds), or the largest\n"
		      "                           finished block\n"
		      "      --plan NAME          pro, max5, max20: input+output tokens and USD per\n"
		      "                           5 h (19k/$18, 88k/$35, 220k/$140: community\n"
		      "                           estimates); custom: use --token-limit/--budget\n"
		      "      --budget USD         cost limit per block\n"
		      "      --session-length H   block length in hours (default 5)\n"
		      "      --snapshot           print one frame and exit (COLUMNS and LINES set\n"
		      "                           its size); with --json, the same data as JSON\n"
		      "  -z, --timezone TZ        IANA zone for the times shown (default: local)\n",
		      f);
		fputs(common_options, f);
		return;
	}
	if (!strcmp(command, "statusline")) {
		fputs("Usage: claude-usage statusline [options] < hook.json\n"
		      "\n"
		      "For Claude Code's statusLine hook: reads the hook's JSON on stdin and prints\n"
		      "one line: model, this session's cost, today's, the active block's with its\n"
		      "time left, the burn rate and the context window use. Figures are cached per\n"
		      "session for $CLAUDE_USAGE_STATUSLINE_TTL_MS (default 15000) under\n"
		      "$XDG_RUNTIME_DIR, so that calls are cheap and never pile up.\n",
		      f);
		fputs(common_options, f);
		return;
	}
	fprintf(f, "Usage: claude-usage %s [options]\n", command);
	fputs("\n"
	      "Options:\n"
	      "  -j, --json               print JSON (ccusage's field names)\n"
	      "  -a, --all                the whole history (daily defaults to 30 days)\n"
	      "  -l, --last N             only the most recent N periods (also --limit)\n"
	      "      --week | --month | --year    this week, month or year so far\n"
	      "      --january ... --december     that month of this year\n"
	      "  -z, --timezone TZ        IANA zone for days, weeks and months (default: local)\n"
	      "  -w, --start-of-week DAY  sunday (default) ... saturday\n"
	      "  -b, --breakdown          per-model rows\n"
	      "  -i, --instances          per-project breakdown\n",
	      f);
	fputs(date_options, f);
	fputs(common_options, f);
}

static int usage_error(const options *o, const char *fmt, const char *arg)
{
	fputs("claude-usage: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n\n", stderr);
	options_usage(o->command, 1);
	return 2;
}

static int parse_uint(const char *s, uint32_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Is arg "--name" or, when short is given, "-short"? */
static int is(const char *arg, const char *name, const char *shrt)
{
	return strcmp(arg, name) == 0 || (shrt && strcmp(arg, shrt) == 0);
}

/* --token-limit: "max" or a positive whole number of tokens. */
static int parse_token_limit(const char *v, int64_t *out)
{
	char *end;
	if (!strcmp(v, "max")) {
		*out = -1;
		return 0;
	}
	if (!*v || *v < '0' || *v > '9')
		return -1;
	long long n = strtoll(v, &end, 10);
	if (*end || n <= 0 || n > INT64_C(1000000000000000))
		return -1;
	*out = n;
	return 0;
}

/* --session-length: hours, a number above 0 and at most a year; at least 1 ms. */
static int parse_hours(const char *v, int64_t *ms)
{
	char *end;
	if (!*v || !((*v >= '0' && *v <= '9') || *v == '.'))
		return -1;
	double h = strtod(v, &end);
	if (*end || !isfinite(h) || h <= 0 || h > 8760)
		return -1;
	*ms = llround(h * 3600000.0);
	return *ms > 0 ? 0 : -1;
}

static int parse_value_flag(options *o, const char *flag, const char *v)
{
	if (blocky(o) && is(flag, "--token-limit", "-t")) {
		if (parse_token_limit(v, &o->token_limit) != 0)
			return usage_error(o, "--token-limit needs a positive number of tokens or 'max', not '%s'", v);
	} else if (blocky(o) && is(flag, "--session-length", NULL)) {
		if (parse_hours(v, &o->block_ms) != 0)
			return usage_error(o, "--session-length needs a number of hours above 0 (at most 8760), not '%s'", v);
	} else if (!strcmp(o->command, "live") && is(flag, "--refresh", NULL)) {
		uint32_t r;
		if (parse_uint(v, &r) != 0 || r < 1 || r > 60)
			return usage_error(o, "--refresh needs a number of seconds from 1 to 60, not '%s'", v);
		o->refresh_s = (int)r;
	} else if (!strcmp(o->command, "live") && is(flag, "--plan", NULL)) {
		if (strcmp(v, "pro") && strcmp(v, "max5") && strcmp(v, "max20") && strcmp(v, "custom"))
			return usage_error(o, "--plan must be pro, max5, max20 or custom, not '%s'", v);
		o->plan = v;
	} else if (!strcmp(o->command, "live") && is(flag, "--budget", NULL)) {
		char *end;
		o->budget = strtod(v, &end);
		if (!*v || *end || !isfinite(o->budget) || o->budget <= 0)
			return usage_error(o, "--budget needs an amount of USD above 0, not '%s'", v);
	} else if (is(flag, "--since", "-s"))
		o->since = v;
	else if (is(flag, "--until", "-u"))
		o->until = v;
	else if (is(flag, "--last", "-l") || is(flag, "--limit", NULL)) {
		if (parse_uint(v, &o->last) != 0 || o->last == 0)
			return usage_error(o, "--last needs a positive whole number, not '%s'", v);
	} else if (is(flag, "--order", "-o")) {
		if (strcmp(v, "asc") && strcmp(v, "desc"))
			return usage_error(o, "--order must be asc or desc, not '%s'", v);
		o->desc = strcmp(v, "desc") == 0;
		o->order_set = 1;
	} else if (is(flag, "--mode", "-m")) {
		if (!strcmp(v, "auto"))
			o->mode = CU_COST_AUTO;
		else if (!strcmp(v, "calculate"))
			o->mode = CU_COST_CALCULATE;
		else if (!strcmp(v, "display"))
			o->mode = CU_COST_DISPLAY;
		else
			return usage_error(o, "--mode must be auto, calculate or display, not '%s'", v);
	} else if (is(flag, "--timezone", "-z")) {
		o->timezone = v;
	} else if (is(flag, "--start-of-week", "-w")) {
		int found = -1;
		for (int i = 0; i < 7; i++)
			if (!strcmp(v, weekdays[i]) || (v[0] == '0' + i && !v[1]))
				found = i;
		if (found < 0)
			return usage_error(o, "--start-of-week must be a day name (sunday ... saturday), not '%s'", v);
		o->week_start = found;
	} else if (is(flag, "--project", "-p")) {
		o->project = v;
	} else if (is(flag, "--data-dir", "-d")) {
		if (o->ndata_dirs == MAX_DATA_DIRS)
			return usage_error(o, "too many --data-dir options (at most %s)", "32");
		o->data_dirs[o->ndata_dirs++] = v;
	} else if (is(flag, "--pricing-url", NULL)) {
		o->pricing_url = v;
	} else if (is(flag, "--pricing-file", NULL)) {
		o->pricing_file = v;
	} else if (is(flag, "--long-context", NULL)) {
		if (!strcmp(v, "ccusage"))
			o->long_context = CU_LONG_CONTEXT_CCUSAGE;
		else if (!strcmp(v, "anthropic"))
			o->long_context = CU_LONG_CONTEXT_ANTHROPIC;
		else
			return usage_error(o, "--long-context must be ccusage or anthropic, not '%s'", v);
	} else if (is(flag, "--threads", NULL)) {
		if (parse_uint(v, &o->threads) != 0 || o->threads > 256)
			return usage_error(o, "--threads needs a number from 0 to 256, not '%s'", v);
	} else {
		return -1;
	}
	return 0;
}

static int parse_bool_flag(options *o, const char *a)
{
	if (is(a, "--json", "-j"))
		o->json = 1;
	else if (is(a, "--all", "-a"))
		o->all = 1;
	else if (is(a, "--breakdown", "-b"))
		o->breakdown = 1;
	else if (is(a, "--instances", "-i"))
		o->instances = 1;
	else if (is(a, "--exclude-vms", NULL))
		o->exclude_vms = 1;
	else if (is(a, "--offline", "-O"))
		o->offline = 1;
	else if (is(a, "--no-cache", NULL))
		o->no_cache = 1;
	else if (is(a, "--color", NULL))
		o->color = 1;
	else if (is(a, "--no-color", NULL))
		o->color = 0;
	else if (is(a, "--week", NULL))
		o->period = 'w';
	else if (is(a, "--month", NULL))
		o->period = 'm';
	else if (is(a, "--year", NULL))
		o->period = 'y';
	else if (!strcmp(o->command, "live") && is(a, "--snapshot", NULL))
		o->snapshot = 1;
	else if (!strcmp(o->command, "blocks") && is(a, "--active", NULL))
		o->active = 1;
	else if (!strcmp(o->command, "blocks") && is(a, "--recent", NULL))
		o->recent = 1;
	else {
		for (int i = 0; i < 12; i++) {
			if (strncmp(a, "--", 2) == 0 && strcmp(a + 2, months[i]) == 0) {
				o->month = i + 1;
				return 0;
			}
		}
		return -1;
	}
	return 0;
}

static const char *const value_flags[] = { "--since", "-s", "--until", "-u", "--last", "-l",
	                                   "--limit", "--order", "-o", "--mode", "-m",
	                                   "--timezone", "-z", "--start-of-week", "-w",
	                                   "--project", "-p", "--data-dir", "-d", "--threads",
	                                   "--pricing-url", "--pricing-file", "--long-context" };

static int takes_value(const options *o, const char *flag)
{
	for (size_t i = 0; i < sizeof value_flags / sizeof value_flags[0]; i++)
		if (!strcmp(flag, value_flags[i]))
			return 1;
	if (!strcmp(o->command, "live") &&
	    (is(flag, "--refresh", NULL) || is(flag, "--plan", NULL) || is(flag, "--budget", NULL)))
		return 1;
	return blocky(o) && (is(flag, "--token-limit", "-t") || is(flag, "--session-length", NULL));
}

int options_parse(int argc, char **argv, options *o)
{
	memset(o, 0, sizeof *o);
	o->color = -1;
	o->mode = CU_COST_AUTO;
	if (argc < 2) {
		options_usage(NULL, 1);
		return 2;
	}
	const char *cmd = argv[1];
	if (is(cmd, "--help", "-h") || !strcmp(cmd, "help")) {
		options_usage(NULL, 0);
		return 1;
	}
	if (is(cmd, "--version", "-V")) {
		printf("claude-usage %s\n", cu_version_string());
		return 1;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(cmd, commands[i]))
			o->command = commands[i];
	if (!o->command) {
		fprintf(stderr, "claude-usage: unknown command '%s'\n\n", cmd);
		options_usage(NULL, 1);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		char flag[64];
		const char *a = argv[i], *v = NULL;
		const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
		if (eq && (size_t)(eq - a) < sizeof flag) {
			/* --flag=value */
			memcpy(flag, a, (size_t)(eq - a));
			flag[eq - a] = '\0';
			a = flag;
			v = eq + 1;
		}
		if (is(a, "--help", "-h")) {
			options_usage(o->command, 0);
			return 1;
		}
		if (takes_value(o, a)) {
			if (!v) {
				if (i + 1 >= argc)
					return usage_error(o, "%s needs a value", a);
				v = argv[++i];
			}
			int rc = parse_value_flag(o, a, v);
			if (rc != 0)
				return rc;
			continue;
		}
		if (a[0] != '-' && !strcmp(o->command, "pricing") && !o->model) {
			o->model = a;
			continue;
		}
		if (a[0] != '-')
			return usage_error(o, "unexpected argument '%s'", a);
		if (v || parse_bool_flag(o, a) != 0)
			return usage_error(o, "unknown option '%s'", argv[i]);
	}
	if (o->all + (o->period != 0) + (o->month != 0) > 1)
		return usage_error(o, "%s", "--all, --week/--month/--year and --<month> exclude each other");
	if ((o->all || o->period || o->month) && (o->since || o->until))
		return usage_error(o, "%s", "--since/--until cannot be combined with --all, --week/--month/--year or --<month>");
	if (!strcmp(o->command, "live") && o->json && !o->snapshot)
		return usage_error(o, "%s", "--json needs --snapshot: the live screen is not JSON");
	if ((!strcmp(o->command, "live") || !strcmp(o->command, "statusline")) &&
	    (o->last || o->breakdown || o->instances || o->all || o->period || o->month ||
	     o->since || o->until))
		return usage_error(o, "%s", "date and report options are not options of this command");
	if (!strcmp(o->command, "blocks") && (o->last || o->breakdown || o->instances))
		return usage_error(o, "%s", "--last, --breakdown and --instances are not options of blocks");
	return 0;
}
