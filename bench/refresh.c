/*
 * refresh.c - time a full load, then a re-load after new lines were appended.
 *
 * Usage: refresh SET [MB_TO_APPEND=1]
 *
 * SET is a Claude data directory (holding projects/). Nothing is written
 * into it: the new lines go to a transcript in a private temp directory,
 * $TMPDIR/cu-refresh-XXXXXX/projects/-bench-refresh/, which is added as a
 * second root. The program
 *   1. times the first cu_ctx_load() (full),
 *   2. appends about MB_TO_APPEND MB of assistant usage lines to the temp
 *      transcript,
 *   3. times a second cu_ctx_load() (refresh),
 *   4. times building a daily report,
 *   5. checks that CU_STAT_ENTRIES grew by the number of lines appended and
 *      that the report totals grew by the appended token sums,
 * prints the figures and PASS or FAIL, removes the temp directory and exits
 * 1 on FAIL.
 *
 * Only the public API is used.
 */
#define _POSIX_C_SOURCE 200809L

#include <claudeusage/claudeusage.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MODEL "claude-sonnet-4-5-20250929"
#define SESSION "bench-refresh-0000-0000-0000-000000000000"
#define LINE_TARGET 2048 /* bytes per appended line, roughly */

/* One assistant usage line; %.*s is the filler text. */
#define LINE_FMT \
	"{\"parentUuid\":null,\"isSidechain\":false,\"userType\":\"external\"," \
	"\"cwd\":\"/bench/refresh\",\"sessionId\":\"" SESSION "\",\"version\":\"2.0.14\"," \
	"\"message\":{\"id\":\"msg_bench_%" PRId64 "\",\"type\":\"message\"," \
	"\"role\":\"assistant\",\"model\":\"" MODEL "\"," \
	"\"content\":[{\"type\":\"text\",\"text\":\"%.*s\"}]," \
	"\"stop_reason\":\"end_turn\",\"stop_sequence\":null," \
	"\"usage\":{\"input_tokens\":%" PRId64 ",\"output_tokens\":%" PRId64 "," \
	"\"cache_creation_input_tokens\":%" PRId64 ",\"cache_read_input_tokens\":%" PRId64 "}}," \
	"\"requestId\":\"req_bench_%" PRId64 "\",\"type\":\"assistant\"," \
	"\"uuid\":\"bench-%" PRId64 "\",\"timestamp\":\"%s\"}\n"

struct tokens {
	int64_t input, output, cache_creation, cache_read;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die_cu(cu_ctx *ctx, const char *what, int rc)
{
	fprintf(stderr, "refresh: %s: %s (%s)\n", what, cu_status_str(rc),
	        ctx ? cu_ctx_last_error(ctx) : cu_last_error());
	exit(2);
}

static struct tokens report_totals(cu_ctx *ctx)
{
	cu_report *rep = NULL;
	int rc = cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &rep);
	if (rc != CU_OK)
		die_cu(ctx, "cu_report_new", rc);
	const cu_row *t = cu_report_totals(rep);
	struct tokens s = {
		cu_row_input_tokens(t), cu_row_output_tokens(t),
		cu_row_cache_creation_tokens(t), cu_row_cache_read_tokens(t)
	};
	cu_report_free(rep);
	return s;
}

/* Current time as RFC 3339 UTC with milliseconds: 2025-01-02T03:04:05.678Z */
static void timestamp_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000L);
}

/*
 * Append lines to path until at least `target` bytes were written. Line n
 * carries known token counts that are added to *sum. Returns the number of
 * lines; *bytes receives the number of bytes.
 */
static int64_t append_lines(const char *path, double target, struct tokens *sum, int64_t *bytes)
{
	char ts[64], filler[LINE_TARGET], line[2 * LINE_TARGET];
	static const char words[] = "parse the usage line and add its tokens to the daily total ";
	size_t i;

	for (i = 0; i + 1 < sizeof filler; i++)
		filler[i] = words[i % (sizeof words - 1)];
	filler[i] = '\0';
	timestamp_now(ts, sizeof ts);

	FILE *f = fopen(path, "a");
	if (!f) {
		perror(path);
		exit(2);
	}
	int64_t n = 0;
	*bytes = 0;
	while (*bytes < target) {
		struct tokens t = { 100 + n % 7, 50 + n % 11, 1000 + n % 13, 20000 + n % 17 };
		/* Length of everything but the filler, to size the filler. */
		int bare = snprintf(NULL, 0, LINE_FMT, n, 0, "", t.input, t.output,
		                    t.cache_creation, t.cache_read, n, n, ts);
		int fill = bare < LINE_TARGET ? LINE_TARGET - bare : 0;
		int len = snprintf(line, sizeof line, LINE_FMT, n, fill, filler, t.input, t.output,
		                   t.cache_creation, t.cache_read, n, n, ts);
		if (fwrite(line, 1, (size_t)len, f) != (size_t)len) {
			perror(path);
			exit(2);
		}
		sum->input += t.input;
		sum->output += t.output;
		sum->cache_creation += t.cache_creation;
		sum->cache_read += t.cache_read;
		*bytes += len;
		n++;
	}
	if (fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	return n;
}

static int check(const char *what, int64_t got, int64_t want)
{
	if (got == want)
		return 1;
	printf("FAIL: %s grew by %" PRId64 ", expected %" PRId64 "\n", what, got, want);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s SET [MB_TO_APPEND=1]\n", argv[0]);
		return 2;
	}
	const char *set = argv[1];
	double mb = argc == 3 ? strtod(argv[2], NULL) : 1.0;
	if (!(mb > 0)) {
		fprintf(stderr, "refresh: MB_TO_APPEND must be a positive number\n");
		return 2;
	}

	/* The temp root: TMP/projects/-bench-refresh/SESSION.jsonl */
	const char *tmpdir = getenv("TMPDIR");
	char root[4096], projects[4200], folder[4300], file[4400];
	snprintf(root, sizeof root, "%s/cu-refresh-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(root)) {
		perror(root);
		return 2;
	}
	snprintf(projects, sizeof projects, "%s/projects", root);
	snprintf(folder, sizeof folder, "%s/-bench-refresh", projects);
	snprintf(file, sizeof file, "%s/" SESSION ".jsonl", folder);
	if (mkdir(projects, 0700) != 0 || mkdir(folder, 0700) != 0) {
		perror(folder);
		return 2;
	}
	/* The transcript starts with one user line (no usage). */
	FILE *f = fopen(file, "w");
	if (!f) {
		perror(file);
		return 2;
	}
	fprintf(f, "{\"type\":\"user\",\"sessionId\":\"" SESSION "\",\"cwd\":\"/bench/refresh\","
	           "\"message\":{\"role\":\"user\",\"content\":\"start\"}}\n");
	fclose(f);

	cu_ctx *ctx = NULL;
	int rc = cu_ctx_new(&ctx);
	if (rc != CU_OK)
		die_cu(NULL, "cu_ctx_new", rc);
	if ((rc = cu_ctx_add_root(ctx, set)) != CU_OK ||
	    (rc = cu_ctx_add_root(ctx, root)) != CU_OK ||
	    (rc = cu_ctx_set_exclude_vms(ctx, 1)) != CU_OK ||
	    (rc = cu_ctx_set_offline(ctx, 1)) != CU_OK)
		die_cu(ctx, "setting up the context", rc);

	/* 1. Full load. */
	double t0 = now_ms();
	if ((rc = cu_ctx_load(ctx)) != CU_OK)
		die_cu(ctx, "cu_ctx_load (full)", rc);
	double full_ms = now_ms() - t0;
	int64_t entries_before = cu_ctx_stat(ctx, CU_STAT_ENTRIES);
	struct tokens before = report_totals(ctx);

	/* 2. Append. */
	struct tokens added = { 0, 0, 0, 0 };
	int64_t bytes = 0;
	int64_t lines = append_lines(file, mb * 1e6, &added, &bytes);

	/* 3. Refresh load. */
	t0 = now_ms();
	if ((rc = cu_ctx_load(ctx)) != CU_OK)
		die_cu(ctx, "cu_ctx_load (refresh)", rc);
	double refresh_ms = now_ms() - t0;
	int64_t entries_after = cu_ctx_stat(ctx, CU_STAT_ENTRIES);

	/* 4. Daily report. */
	cu_report *rep = NULL;
	t0 = now_ms();
	if ((rc = cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &rep)) != CU_OK)
		die_cu(ctx, "cu_report_new", rc);
	double report_ms = now_ms() - t0;
	const cu_row *t = cu_report_totals(rep);
	struct tokens after = {
		cu_row_input_tokens(t), cu_row_output_tokens(t),
		cu_row_cache_creation_tokens(t), cu_row_cache_read_tokens(t)
	};
	cu_report_free(rep);

	/* 5. Checks. */
	int ok = 1;
	ok &= check("entries", entries_after - entries_before, lines);
	ok &= check("inputTokens", after.input - before.input, added.input);
	ok &= check("outputTokens", after.output - before.output, added.output);
	ok &= check("cacheCreationTokens", after.cache_creation - before.cache_creation,
	            added.cache_creation);
	ok &= check("cacheReadTokens", after.cache_read - before.cache_read, added.cache_read);

	printf("full load ms:     %.1f\n", full_ms);
	printf("refresh load ms:  %.1f\n", refresh_ms);
	printf("report ms:        %.1f\n", report_ms);
	printf("bytes appended:   %" PRId64 " (%" PRId64 " lines)\n", bytes, lines);
	printf("entries:          %" PRId64 " -> %" PRId64 "\n", entries_before, entries_after);
	printf("%s\n", ok ? "PASS" : "FAIL");

	cu_ctx_free(ctx);
	if (unlink(file) != 0 || rmdir(folder) != 0 || rmdir(projects) != 0 || rmdir(root) != 0)
		fprintf(stderr, "refresh: could not remove %s: %s\n", root, strerror(errno));
	return ok ? 0 : 1;
}
