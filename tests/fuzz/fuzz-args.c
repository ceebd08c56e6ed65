/*
 * fuzz-args.c - the CLI's command line (options_parse, cli/options.c).
 *
 * The input split on NUL bytes is argv[1..] (at most 63 arguments, each an
 * exact-size copy: ASan sees a read past its NUL), after "claude-usage".
 * options_parse must return 0, 1 or 2 and never exit; the same arguments
 * give the same options again (no state kept between calls). With 1, an
 * argument asked for help or the version. With 0, the options are among
 * the values the flags allow, every string points into an argument, the
 * command-specific options belong to their command, and the combinations
 * options_parse refuses are absent.
 */
#include "options.h"

#include <claudeusage/claudeusage.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

static const char *const commands[] = { "daily", "weekly", "monthly", "session", "blocks",
	                                 "live", "statusline", "pricing" };

static FILE *devnull;

static void fail(const char *what, int argc, char **argv)
{
	fprintf(stderr, "fuzz-args: %s:", what);
	for (int i = 1; i < argc; i++)
		fprintf(stderr, " '%s'", argv[i]);
	fputc('\n', stderr);
	abort();
}

/*
 * options_parse prints usage texts on stdout and stderr. glibc documents
 * stdout and stderr as variables a program may set: pointing them at
 * /dev/null during the call keeps the fuzzer fast and the replay's log
 * short, while sanitizer reports still reach file descriptor 2.
 */
static int parse_quietly(int argc, char **argv, options *o)
{
#if defined(__GLIBC__)
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	FILE *out = stdout, *err = stderr;
	stdout = devnull;
	stderr = devnull;
	int rc = options_parse(argc, argv, o);
	stdout = out;
	stderr = err;
	return rc;
#else
	return options_parse(argc, argv, o);
#endif
}

/* Is p NULL or inside one of the arguments (its NUL included)? */
static int in_args(const char *p, int argc, char **argv)
{
	if (!p)
		return 1;
	for (int i = 1; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

static int is_command(const char *c)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (c == commands[i] || (c && strcmp(c, commands[i]) == 0))
			return 1;
	return 0;
}

/* Did an argument ask for help or the version? */
static int asked_help(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--version") ||
	                 !strcmp(argv[1], "-V")))
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
		    !strncmp(argv[i], "--help=", 7))
			return 1;
	return 0;
}

/* What must hold of options options_parse accepted; NULL or what does not. */
static const char *odd_options(const options *o, int argc, char **argv)
{
	if (!is_command(o->command))
		return "no known command";
	int live = !strcmp(o->command, "live"), blocks = !strcmp(o->command, "blocks");
	int statusline = !strcmp(o->command, "statusline");
	const char *strs[] = { o->since, o->until, o->timezone, o->project, o->pricing_url,
		               o->pricing_file, o->model, o->plan };
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (!in_args(strs[i], argc, argv))
			return "a string that is not in the arguments";
	if (o->ndata_dirs > MAX_DATA_DIRS)
		return "too many data directories";
	for (size_t i = 0; i < o->ndata_dirs; i++)
		if (!o->data_dirs[i] || !in_args(o->data_dirs[i], argc, argv))
			return "a data directory that is not in the arguments";
	const int flags[] = { o->json, o->all, o->breakdown, o->instances, o->exclude_vms,
		              o->offline, o->no_cache, o->desc, o->order_set, o->active,
		              o->recent, o->snapshot };
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (flags[i] != 0 && flags[i] != 1)
			return "a flag that is neither 0 nor 1";
	if (o->color < -1 || o->color > 1)
		return "color";
	if (o->desc && !o->order_set)
		return "desc without --order";
	if (o->mode != CU_COST_AUTO && o->mode != CU_COST_CALCULATE && o->mode != CU_COST_DISPLAY)
		return "mode";
	if (o->long_context != CU_LONG_CONTEXT_CCUSAGE && o->long_context != CU_LONG_CONTEXT_ANTHROPIC)
		return "long context rule";
	if (o->week_start < 0 || o->week_start > 6)
		return "start of week";
	if (o->month < 0 || o->month > 12)
		return "month";
	if (o->period != 0 && o->period != 'w' && o->period != 'm' && o->period != 'y')
		return "period";
	if (o->threads > 256)
		return "threads";
	if (o->token_limit < -1 || o->token_limit > INT64_C(1000000000000000))
		return "token limit";
	if (o->block_ms < 0 || o->block_ms > INT64_C(8760) * 3600000)
		return "session length";
	if (o->refresh_s != 0 && (o->refresh_s < 1 || o->refresh_s > 60))
		return "refresh";
	if (o->budget != 0 && !(isfinite(o->budget) && o->budget > 0))
		return "budget";
	if (o->plan && strcmp(o->plan, "pro") && strcmp(o->plan, "max5") &&
	    strcmp(o->plan, "max20") && strcmp(o->plan, "custom"))
		return "plan";
	if ((o->token_limit || o->block_ms) && !live && !blocks)
		return "block options outside blocks and live";
	if ((o->refresh_s || o->plan || o->budget != 0 || o->snapshot) && !live)
		return "live options outside live";
	if ((o->active || o->recent) && !blocks)
		return "--active/--recent outside blocks";
	if (o->model && strcmp(o->command, "pricing"))
		return "a model outside pricing";
	if (o->all + (o->period != 0) + (o->month != 0) > 1)
		return "--all, a period and a month together";
	if ((o->all || o->period || o->month) && (o->since || o->until))
		return "--since/--until with --all, a period or a month";
	if (live && o->json && !o->snapshot)
		return "live --json without --snapshot";
	if ((live || statusline) && (o->last || o->breakdown || o->instances || o->all ||
	                             o->period || o->month || o->since || o->until))
		return "report options for live or statusline";
	if (blocks && (o->last || o->breakdown || o->instances))
		return "--last/--breakdown/--instances for blocks";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char prog[] = "claude-usage";
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	argv[argc++] = prog;
	/* Each NUL ends an argument; bytes after the last NUL are one more. */
	size_t start = 0;
	for (size_t i = 0; i <= size && argc < MAX_ARGS; i++) {
		if (i < size && data[i] != '\0')
			continue;
		if (i == size && start == size)
			break;
		size_t n = i - start;
		char *a = malloc(n + 1);
		if (!a)
			abort();
		memcpy(a, data + start, n);
		a[n] = '\0';
		argv[argc++] = a;
		start = i + 1;
	}
	argv[argc] = NULL;

	options o, again;
	int rc = parse_quietly(argc, argv, &o);
	if (rc != 0 && rc != 1 && rc != 2)
		fail("options_parse returned neither 0, 1 nor 2", argc, argv);
	if (parse_quietly(argc, argv, &again) != rc || memcmp(&o, &again, sizeof o) != 0)
		fail("the same arguments parsed twice gave different options", argc, argv);
	if (rc == 1 && !asked_help(argc, argv))
		fail("1 (help or version handled) without --help or --version", argc, argv);
	if (rc == 0) {
		const char *why = odd_options(&o, argc, argv);
		if (why)
			fail(why, argc, argv);
	}
	for (int i = 1; i < argc; i++)
		free(argv[i]);
	return 0;
}
