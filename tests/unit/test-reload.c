/*
 * test-reload.c - reloading and the persistent index never change a result.
 *
 * Each case compares a context that reloads (or starts from an index) with
 * a fresh context that reads everything: the daily and session reports as
 * JSON, and every counter, must be identical. Runs on hand-made histories
 * and on generated data (examples/data, or $CU_DIFF_ROOT when set: the
 * differential e2e test points it at a larger generated set).
 */
#include <claudeusage/claudeusage.h>

#include "context-private.h"
#include "test-util.h"

#include <fcntl.h>
#include <sys/time.h>

static const int32_t stats[] = { CU_STAT_FILES,           CU_STAT_LINES,        CU_STAT_MALFORMED_LINES,
	                         CU_STAT_TORN_LINES,      CU_STAT_USAGE_LINES,  CU_STAT_ENTRIES,
	                         CU_STAT_DUPLICATES,      CU_STAT_UNPRICED_MODELS };

/* Diagnostics seen, one per line of text. */
typedef struct seen {
	char *text;
	size_t len, count;
} seen;

static void on_diag(int32_t kind, const char *path, int64_t line, const char *msg, void *ud)
{
	seen *s = ud;
	char buf[8192];
	int n = snprintf(buf, sizeof buf, "%d %s:%lld %s\n", (int)kind, path ? path : "-", (long long)line, msg);
	s->text = realloc(s->text, s->len + (size_t)n + 1);
	memcpy(s->text + s->len, buf, (size_t)n + 1);
	s->len += (size_t)n;
	s->count++;
}

static void seen_clear(seen *s)
{
	free(s->text);
	memset(s, 0, sizeof *s);
}

static cu_ctx *new_ctx(const char *root, seen *diags)
{
	cu_ctx *c;
	ck_assert_int_eq(cu_ctx_new(&c), CU_OK);
	ck_assert_int_eq(cu_ctx_add_root(c, root), CU_OK);
	ck_assert_int_eq(cu_ctx_set_timezone(c, "UTC"), CU_OK);
	ck_assert_int_eq(cu_ctx_set_offline(c, 1), CU_OK);
	if (diags)
		cu_ctx_set_diag_fn(c, on_diag, diags);
	return c;
}

static void append_report(cu_ctx *c, int32_t group, uint32_t flags, char **acc)
{
	cu_report *r;
	char *json;
	ck_assert_int_eq(cu_report_new(c, group, flags, 0, &r), CU_OK);
	ck_assert_int_eq(cu_report_to_json(r, CU_JSON_COMPACT, &json), CU_OK);
	size_t a = *acc ? strlen(*acc) : 0, b = strlen(json);
	*acc = realloc(*acc, a + b + 2);
	memcpy(*acc + a, json, b);
	(*acc)[a + b] = '\n';
	(*acc)[a + b + 1] = '\0';
	cu_free(json);
	cu_report_free(r);
}

/* Paths in the text (diagnostics name files) relative to the context's root. */
static void strip_root(char *s, const char *root)
{
	size_t k = strlen(root);
	if (k < 6) /* "<root>" must not be longer than what it replaces */
		return;
	char *w = s;
	for (const char *p = s; *p;) {
		if (strncmp(p, root, k) == 0) {
			memcpy(w, "<root>", 6);
			w += 6;
			p += k;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
}

/* Everything a load's result shows, as text. */
static char *snapshot(cu_ctx *c)
{
	char *s = NULL;
	append_report(c, CU_GROUP_DAILY, 0, &s);
	append_report(c, CU_GROUP_SESSION, 0, &s);
	append_report(c, CU_GROUP_MONTHLY, CU_REPORT_BY_PROJECT, &s);
	char buf[64];
	for (size_t i = 0; i < sizeof stats / sizeof *stats; i++) {
		snprintf(buf, sizeof buf, "stat %d = %lld\n", (int)stats[i], (long long)cu_ctx_stat(c, stats[i]));
		s = realloc(s, strlen(s) + strlen(buf) + 1);
		strcat(s, buf);
	}
	strip_root(s, cu_ctx_root(c, 0));
	return s;
}

/* A fresh context's view of root. */
static char *full_load(const char *root)
{
	cu_ctx *c = new_ctx(root, NULL);
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	char *s = snapshot(c);
	cu_ctx_free(c);
	return s;
}

static void assert_reload_matches(cu_ctx *inc, const char *root, const char *step)
{
	ck_assert_msg(cu_ctx_load(inc) == CU_OK, "%s: %s", step, cu_ctx_last_error(inc));
	char *a = snapshot(inc), *b = full_load(root);
	if (strcmp(a, b) != 0) {
		fprintf(stderr, "%s: reload:\n%s\nfull load:\n%s\n", step, a, b);
		ck_abort_msg("%s: the reload differs from a full load", step);
	}
	free(a);
	free(b);
}

static void append_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "ab");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Move a file's mtime, so that a rewrite in the same clock tick is seen as one. */
static void bump_mtime(const char *path, int seconds)
{
	struct timeval tv[2];
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec += seconds;
	tv[1] = tv[0];
	ck_assert_int_eq(utimes(path, tv), 0);
}

static char *line(const char *ts, const char *msg, const char *req, int in, int out)
{
	static char buf[8][600];
	static int next;
	char *b = buf[next++ % 8];
	usage_line(b, sizeof buf[0], ts, msg, req, "claude-sonnet-4-20250514", in, out, 3, 4);
	return b;
}

START_TEST(reload_equals_full_load)
{
	char *dir = make_tmpdir();
	char a[4200], b[4200], c[4200], tmp[4200];
	snprintf(a, sizeof a, "%s/projects/-p/a.jsonl", dir);
	snprintf(b, sizeof b, "%s/projects/-p/b.jsonl", dir);
	snprintf(c, sizeof c, "%s/projects/-q/c.jsonl", dir);
	put_file(dir, "projects/-p/a.jsonl", line("2025-06-01T10:00:00Z", "m1", "r1", 10, 1));
	append_text(a, line("2025-06-01T10:00:01Z", "m1", "r1", 10, 5)); /* a streamed copy */
	put_file(dir, "projects/-p/b.jsonl", line("2025-06-02T10:00:00Z", "m2", "r2", 20, 2));
	append_text(b, line("2025-06-02T11:00:00Z", "m3", "r3", 30, 3));
	cu_ctx *inc = new_ctx(dir, NULL);
	assert_reload_matches(inc, dir, "first load");
	assert_reload_matches(inc, dir, "nothing changed");

	/* Grown: a better copy of m1, a new message, a malformed line. */
	append_text(a, line("2025-06-01T10:00:02Z", "m1", "r1", 10, 50));
	append_text(a, "{not json\n");
	append_text(a, line("2025-06-03T09:00:00Z", "m4", "r4", 40, 4));
	assert_reload_matches(inc, dir, "appended");

	/* A torn last line, then its rest and more. */
	const char *l5 = line("2025-06-03T10:00:00Z", "m5", "r5", 50, 5);
	char half[600];
	snprintf(half, sizeof half, "%.*s", (int)(strlen(l5) / 2), l5);
	append_text(a, half);
	assert_reload_matches(inc, dir, "torn last line");
	append_text(a, l5 + strlen(half));
	append_text(a, line("2025-06-03T11:00:00Z", "m6", "r6", 60, 6));
	assert_reload_matches(inc, dir, "torn line completed");

	/* A complete last line without its newline, then the newline. */
	const char *l7 = line("2025-06-04T10:00:00Z", "m7", "r7", 70, 7);
	snprintf(half, sizeof half, "%.*s", (int)strlen(l7) - 1, l7);
	append_text(a, half);
	assert_reload_matches(inc, dir, "unterminated whole line");
	append_text(a, "\n");
	assert_reload_matches(inc, dir, "newline added");

	/* Shrunk, rewritten in place to the same size, replaced by rename, deleted, created. */
	write_text(b, line("2025-06-02T10:00:00Z", "m2", "r2", 21, 2));
	assert_reload_matches(inc, dir, "truncated and rewritten shorter");
	write_text(b, line("2025-06-02T10:00:00Z", "m2", "r2", 29, 2));
	bump_mtime(b, 5);
	assert_reload_matches(inc, dir, "rewritten in place, same size");
	snprintf(tmp, sizeof tmp, "%s/projects/-p/.b.tmp", dir);
	write_text(tmp, line("2025-06-05T10:00:00Z", "m8", "r8", 80, 8));
	append_text(tmp, line("2025-06-05T10:00:01Z", "m9", "r9", 90, 9));
	append_text(tmp, line("2025-06-05T10:00:02Z", "m10", "r10", 100, 10));
	ck_assert_int_eq(rename(tmp, b), 0);
	assert_reload_matches(inc, dir, "replaced by rename");
	put_file(dir, "projects/-q/c.jsonl", line("2025-06-01T10:00:02Z", "m1", "r1", 10, 99));
	assert_reload_matches(inc, dir, "new file with a better copy of m1");
	ck_assert_int_eq(unlink(c), 0);
	assert_reload_matches(inc, dir, "file deleted");
	ck_assert_int_eq(unlink(a), 0);
	assert_reload_matches(inc, dir, "another file deleted");
	cu_ctx_free(inc);
	remove_tree(dir);
	free(dir);
}
END_TEST

/* A sidechain line, or a line without message.id. */
static char *side_line(const char *ts, const char *msg, const char *req, int in, int out)
{
	static char buf[4][700];
	static int next;
	char *b = buf[next++ % 4];
	snprintf(b, sizeof buf[0],
	         "{\"type\":\"assistant\",\"isSidechain\":true,\"timestamp\":\"%s\",\"requestId\":\"%s\","
	         "\"message\":{\"id\":\"%s\",\"model\":\"claude-sonnet-4-20250514\",\"usage\":{"
	         "\"input_tokens\":%d,\"output_tokens\":%d}}}\n",
	         ts, req, msg, in, out);
	return b;
}

static char *anon_line(const char *ts, int in, int out)
{
	static char buf[700];
	snprintf(buf, sizeof buf,
	         "{\"type\":\"assistant\",\"timestamp\":\"%s\",\"message\":{\"model\":"
	         "\"claude-sonnet-4-20250514\",\"usage\":{\"input_tokens\":%d,\"output_tokens\":%d}}}\n",
	         ts, in, out);
	return buf;
}

/* Reload, compare with a full load, and check how the dedup was done. */
static void step_via(cu_ctx *inc, const char *root, const char *step, int want_incremental)
{
	uint64_t full = inc->dedup.full_runs, incr = inc->dedup.incremental_runs;
	assert_reload_matches(inc, root, step);
	if (want_incremental)
		ck_assert_msg(inc->dedup.incremental_runs == incr + 1 && inc->dedup.full_runs == full,
		              "%s: expected an incremental dedup", step);
	else
		ck_assert_msg(inc->dedup.full_runs == full + 1, "%s: expected a full dedup", step);
}

/*
 * Appends that the dedup carries on from, and those it must redo in full:
 * every step equals a full load either way.
 */
START_TEST(incremental_dedup_equals_full)
{
	char *dir = make_tmpdir();
	char a[4200], b[4200], z[4200];
	snprintf(a, sizeof a, "%s/projects/-p/s-a.jsonl", dir);
	snprintf(b, sizeof b, "%s/projects/-p/s-b.jsonl", dir);
	snprintf(z, sizeof z, "%s/projects/-p/s-0.jsonl", dir);
	put_file(dir, "projects/-p/s-a.jsonl", line("2025-06-01T10:00:00Z", "m1", "r1", 10, 1));
	append_text(a, line("2025-06-01T10:05:00Z", "m2", "r2", 20, 2));
	put_file(dir, "projects/-p/s-b.jsonl", line("2025-06-01T09:00:00Z", "m3", "r3", 30, 3));
	cu_ctx *inc = new_ctx(dir, NULL);
	step_via(inc, dir, "first load", 0);

	uint64_t runs = inc->dedup.full_runs + inc->dedup.incremental_runs;
	assert_reload_matches(inc, dir, "nothing changed");
	ck_assert_uint_eq(inc->dedup.full_runs + inc->dedup.incremental_runs, runs);

	append_text(a, line("2025-06-01T08:00:00Z", "m4", "r4", 40, 4));
	step_via(inc, dir, "a new message, earlier than all", 1);
	append_text(a, line("2025-06-01T11:00:00Z", "m1", "r1", 10, 100));
	step_via(inc, dir, "the kept copy improved in place, later in time", 1);
	append_text(b, line("2025-06-01T12:00:00Z", "m1", "r1", 10, 7));
	step_via(inc, dir, "a worse copy in another file", 1);
	append_text(b, line("2025-06-01T12:30:00Z", "m2", "r2", 20, 900));
	step_via(inc, dir, "a better copy in another file and session", 1);
	put_file(dir, "projects/-p/s-0.jsonl", line("2025-06-01T12:30:00Z", "m2", "r2", 20, 900));
	step_via(inc, dir, "a new file sorting first, with a tied copy", 1);
	append_text(b, anon_line("2025-06-01T13:00:00Z", 5, 5));
	append_text(b, anon_line("2025-06-01T13:00:00Z", 5, 5));
	step_via(inc, dir, "lines without message.id", 1);
	append_text(b, side_line("2025-06-01T13:10:00Z", "m3", "r3-replay", 33, 3));
	step_via(inc, dir, "a sidechain replay of a kept message", 1);
	append_text(b, side_line("2025-06-01T13:20:00Z", "m5", "r5", 50, 5));
	step_via(inc, dir, "a sidechain message of its own", 1);
	append_text(b, side_line("2025-06-01T13:25:00Z", "m5", "r5", 50, 55));
	step_via(inc, dir, "the sidechain copy improved in place", 1);
	append_text(b, line("2025-06-01T13:30:00Z", "m5", "r5-main", 1, 1));
	step_via(inc, dir, "a main-chain copy that makes a sidechain one a replay", 0);
	append_text(a, side_line("2025-06-01T13:40:00Z", "m4", "r4", 40, 400));
	step_via(inc, dir, "a sidechain copy beating a main-chain one", 0);
	append_text(a, line("2025-06-01T13:50:00Z", "m6", "r6", 1, 1));
	step_via(inc, dir, "after full runs, incremental again", 1);

	/* A last line without its newline is kept apart; when it completes, a full run. */
	const char *l7 = line("2025-06-01T14:00:00Z", "m7", "r7", 70, 7);
	char part[700];
	snprintf(part, sizeof part, "%.*s", (int)strlen(l7) - 1, l7);
	append_text(a, part);
	step_via(inc, dir, "an unterminated last line", 1);
	append_text(a, "\n");
	step_via(inc, dir, "its newline", 0);
	ck_assert_int_eq(unlink(z), 0);
	step_via(inc, dir, "a file deleted", 0);
	cu_ctx_free(inc);
	remove_tree(dir);
	free(dir);
}
END_TEST

/*
 * A copy priced, then outdone, then a pricing setting changed, then kept
 * again (its rival's file deleted): it is priced by the setting in force,
 * as a fresh context with that setting prices it.
 */
START_TEST(copy_kept_again_priced_by_current_setting)
{
	char *dir = make_tmpdir();
	char b[4200];
	snprintf(b, sizeof b, "%s/projects/-p/s-b.jsonl", dir);
	put_file(dir, "projects/-p/s-a.jsonl", line("2025-06-01T10:00:00Z", "m1", "r1", 1000, 10));
	cu_ctx *inc = new_ctx(dir, NULL);
	ck_assert_int_eq(cu_ctx_set_cost_mode(inc, CU_COST_CALCULATE), CU_OK);
	ck_assert_int_eq(cu_ctx_load(inc), CU_OK);
	put_file(dir, "projects/-p/s-b.jsonl", line("2025-06-01T10:01:00Z", "m1", "r1", 1000, 100));
	ck_assert_int_eq(cu_ctx_load(inc), CU_OK);
	ck_assert_int_eq(cu_ctx_set_cost_mode(inc, CU_COST_DISPLAY), CU_OK);
	ck_assert_int_eq(unlink(b), 0);
	ck_assert_int_eq(cu_ctx_load(inc), CU_OK);

	cu_ctx *fresh = new_ctx(dir, NULL);
	ck_assert_int_eq(cu_ctx_set_cost_mode(fresh, CU_COST_DISPLAY), CU_OK);
	ck_assert_int_eq(cu_ctx_load(fresh), CU_OK);
	char *x = snapshot(inc), *y = snapshot(fresh);
	ck_assert_str_eq(x, y);
	ck_assert_ptr_nonnull(strstr(x, "\"totalCost\":0"));
	free(x);
	free(y);
	cu_ctx_free(fresh);
	cu_ctx_free(inc);
	remove_tree(dir);
	free(dir);
}
END_TEST

START_TEST(append_reads_only_new_bytes)
{
	char *dir = make_tmpdir();
	char a[4200], b[4200];
	snprintf(a, sizeof a, "%s/projects/-p/a.jsonl", dir);
	snprintf(b, sizeof b, "%s/projects/-p/b.jsonl", dir);
	put_file(dir, "projects/-p/a.jsonl", line("2025-06-01T10:00:00Z", "m1", "r1", 10, 1));
	put_file(dir, "projects/-p/b.jsonl", line("2025-06-01T11:00:00Z", "m2", "r2", 10, 1));
	cu_ctx *c = new_ctx(dir, NULL);
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_FILES_READ), 2);
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_FILES_READ), 0);
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_BYTES), 0);
	const char *more = line("2025-06-01T12:00:00Z", "m3", "r3", 10, 1);
	append_text(a, more);
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_FILES_READ), 1);
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_BYTES), (int64_t)strlen(more));
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_ENTRIES), 3);
	cu_ctx_free(c);
	remove_tree(dir);
	free(dir);
}
END_TEST

START_TEST(diagnostics_reported_once)
{
	char *dir = make_tmpdir();
	char a[4200];
	snprintf(a, sizeof a, "%s/projects/-p/a.jsonl", dir);
	put_file(dir, "projects/-p/a.jsonl", "{bad\n");
	append_text(a, line("2025-06-01T10:00:00Z", "m1", "r1", 10, 1));
	seen d = { 0 };
	cu_ctx *c = new_ctx(dir, &d);
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	ck_assert_uint_eq(d.count, 1);
	ck_assert_ptr_nonnull(strstr(d.text, "a.jsonl:1 "));
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	ck_assert_uint_eq(d.count, 1);
	append_text(a, "also bad\n");
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	ck_assert_uint_eq(d.count, 2);
	ck_assert_ptr_nonnull(strstr(d.text, "a.jsonl:3 "));
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_MALFORMED_LINES), 2);
	cu_ctx_free(c);
	seen_clear(&d);
	remove_tree(dir);
	free(dir);
}
END_TEST

/* A context with the index in cache; its load's snapshot, diagnostics and files read. */
/* How the last indexed_load() deduplicated: full and incremental runs. */
static uint64_t last_dedup_runs;

static char *indexed_load(const char *root, const char *cache, seen *d, int64_t *files_read)
{
	cu_ctx *c = new_ctx(root, d);
	ck_assert_int_eq(cu_ctx_set_cache_dir(c, cache), CU_OK);
	ck_assert_int_eq(cu_ctx_set_index(c, 1), CU_OK);
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	*files_read = cu_ctx_stat(c, CU_STAT_FILES_READ);
	last_dedup_runs = c->dedup.full_runs + c->dedup.incremental_runs;
	char *s = snapshot(c);
	cu_ctx_free(c);
	return s;
}

static char *index_file(const char *cache)
{
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "ls %s/index-*.bin 2>/dev/null", cache);
	FILE *p = popen(cmd, "r");
	static char path[4300];
	path[0] = '\0';
	if (p && fgets(path, sizeof path, p))
		path[strcspn(path, "\n")] = '\0';
	if (p)
		pclose(p);
	return path;
}

/* Overwrite bytes of a file at an offset. */
static void poke(const char *path, long at, const char *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, bytes, n, at), (ssize_t)n);
	close(fd);
}

static void assert_index_agrees(const char *root)
{
	char *cache = make_tmpdir();
	char *want = full_load(root);
	seen d0 = { 0 }, d1 = { 0 }, d2 = { 0 };
	cu_ctx *plain = new_ctx(root, &d0);
	ck_assert_int_eq(cu_ctx_load(plain), CU_OK);
	int64_t nfiles = cu_ctx_stat(plain, CU_STAT_FILES);
	cu_ctx_free(plain);

	int64_t read;
	char *cold = indexed_load(root, cache, &d1, &read);
	ck_assert_int_eq(read, nfiles);
	ck_assert_str_eq(cold, want);
	char *idx = index_file(cache);
	ck_assert_msg(idx[0], "no index written in %s", cache);
	char *warm = indexed_load(root, cache, &d2, &read);
	ck_assert_int_eq(read, 0); /* nothing changed: no transcript opened */
	ck_assert_uint_eq(last_dedup_runs, 0); /* and the saved dedup result used */
	ck_assert_str_eq(warm, want);
	ck_assert_str_eq(d2.text ? d2.text : "", d0.text ? d0.text : "");
	free(cold);
	free(warm);

	/* Corrupt, truncated, foreign: ignored, the result unchanged, a good index rewritten. */
	struct stat sb;
	ck_assert_int_eq(stat(idx, &sb), 0);
	const long spots[] = { 0, 20, 70, (long)sb.st_size / 2, (long)sb.st_size - 3 };
	for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
		poke(idx, spots[i], "\xff\x7f\x00", 3);
		seen d = { 0 };
		char *s = indexed_load(root, cache, &d, &read);
		ck_assert_msg(strcmp(s, want) == 0, "corrupt index at %ld changed the result", spots[i]);
		ck_assert_int_eq(read, nfiles);
		free(s);
		seen_clear(&d);
		s = indexed_load(root, cache, &d, &read);
		ck_assert_int_eq(read, 0);
		free(s);
		seen_clear(&d);
	}
	ck_assert_int_eq(truncate(idx, sb.st_size / 3), 0);
	seen d = { 0 };
	char *s = indexed_load(root, cache, &d, &read);
	ck_assert_str_eq(s, want);
	ck_assert_int_eq(read, nfiles);
	free(s);
	seen_clear(&d);
	write_text(idx, "not an index at all");
	s = indexed_load(root, cache, &d, &read);
	ck_assert_str_eq(s, want);
	free(s);
	seen_clear(&d);
	free(want);
	seen_clear(&d0);
	seen_clear(&d1);
	seen_clear(&d2);
	remove_tree(cache);
	free(cache);
}

START_TEST(index_never_changes_a_result)
{
	char *dir = make_tmpdir();
	char a[4200];
	snprintf(a, sizeof a, "%s/projects/-p/a.jsonl", dir);
	put_file(dir, "projects/-p/a.jsonl", line("2025-06-01T10:00:00Z", "m1", "r1", 10, 1));
	append_text(a, "{bad\n");
	append_text(a, line("2025-06-01T10:00:01Z", "m1", "r1", 10, 7));
	append_text(a, "{\"torn\":");
	put_file(dir, "projects/-p/b.jsonl", line("2025-06-02T10:00:00Z", "m2", "r2", 20, 2));
	assert_index_agrees(dir);

	/* Files that change between runs are read again; the rest come from the index. */
	char *cache = make_tmpdir();
	seen d = { 0 };
	int64_t read;
	free(indexed_load(dir, cache, &d, &read));
	append_text(a, "\n");
	append_text(a, line("2025-06-03T10:00:00Z", "m3", "r3", 30, 3));
	char *s = indexed_load(dir, cache, &d, &read);
	ck_assert_int_eq(read, 1);
	char *want = full_load(dir);
	ck_assert_str_eq(s, want);
	free(s);
	free(want);

	/* Costs saved in the index under other pricing rules are not used. */
	cu_ctx *c = new_ctx(dir, NULL);
	ck_assert_int_eq(cu_ctx_set_cost_mode(c, CU_COST_DISPLAY), CU_OK);
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	want = snapshot(c);
	cu_ctx_free(c);
	c = new_ctx(dir, NULL);
	ck_assert_int_eq(cu_ctx_set_cache_dir(c, cache), CU_OK);
	ck_assert_int_eq(cu_ctx_set_index(c, 1), CU_OK);
	ck_assert_int_eq(cu_ctx_set_cost_mode(c, CU_COST_DISPLAY), CU_OK);
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_FILES_READ), 0);
	s = snapshot(c);
	ck_assert_str_eq(s, want);
	char *by_default = full_load(dir);
	ck_assert_str_ne(s, by_default); /* the rule changes the costs here */
	free(by_default);
	free(s);
	free(want);
	cu_ctx_free(c);
	seen_clear(&d);
	remove_tree(cache);
	free(cache);
	remove_tree(dir);
	free(dir);
}
END_TEST

/* Generated data: fast scanner, jansson, thread counts, reloads and the index agree. */
static const char *generated_root(char *buf, size_t size)
{
	const char *diff = getenv("CU_DIFF_ROOT");
	if (diff && *diff)
		return diff;
	snprintf(buf, size, "%s/examples/data", getenv("CU_SOURCE_ROOT"));
	return buf;
}

static char *load_with(const char *root, uint32_t threads, int oracle)
{
	cu_ctx *c = new_ctx(root, NULL);
	cu_ctx_set_threads(c, threads);
	c->oracle = oracle;
	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	char *s = snapshot(c);
	cu_ctx_free(c);
	return s;
}

START_TEST(generated_all_paths_agree)
{
	char buf[4096];
	const char *root = generated_root(buf, sizeof buf);
	char *one = load_with(root, 1, 0);
	char *many = load_with(root, 3, 0);
	char *oracle = load_with(root, 2, 1);
	ck_assert_str_eq(one, many);
	ck_assert_str_eq(one, oracle);
	free(many);
	free(oracle);
	free(one);
	assert_index_agrees(root);
}
END_TEST

/*
 * Generated data, grown in three steps cut at arbitrary bytes (mid-line,
 * mid-string): every reload equals a full load of the same bytes.
 */
START_TEST(generated_growing_history)
{
	char buf[4096];
	const char *root = generated_root(buf, sizeof buf);
	char *dir = make_tmpdir();
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "cd '%s' && find . -name '*.jsonl' -type f > '%s/list'", root, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "(cd '%s' && find . -type d) | (cd '%s' && xargs mkdir -p)", root, dir);
	ck_assert_int_eq(system(cmd), 0);
	char list[4200];
	snprintf(list, sizeof list, "%s/list", dir);
	cu_ctx *inc = new_ctx(dir, NULL);
	for (int step = 1; step <= 3; step++) {
		FILE *l = fopen(list, "r");
		ck_assert_ptr_nonnull(l);
		char rel[4096];
		while (fgets(rel, sizeof rel, l)) {
			rel[strcspn(rel, "\n")] = '\0';
			char src[8400], dst[8400];
			snprintf(src, sizeof src, "%s/%s", root, rel);
			snprintf(dst, sizeof dst, "%s/%s", dir, rel);
			FILE *in = fopen(src, "rb");
			ck_assert_ptr_nonnull(in);
			fseek(in, 0, SEEK_END);
			long size = ftell(in);
			/* Step k holds the first k/3 of each file, cut at an odd byte. */
			long upto = step == 3 ? size : (size * step / 3) | 1;
			long from = 0;
			struct stat sb;
			if (stat(dst, &sb) == 0)
				from = (long)sb.st_size;
			char *chunk = malloc((size_t)(upto - from) + 1);
			fseek(in, from, SEEK_SET);
			size_t got = fread(chunk, 1, (size_t)(upto - from), in);
			fclose(in);
			FILE *out = fopen(dst, "ab");
			ck_assert_ptr_nonnull(out);
			fwrite(chunk, 1, got, out);
			fclose(out);
			free(chunk);
		}
		fclose(l);
		unlink(list);
		char step_name[32];
		snprintf(step_name, sizeof step_name, "step %d", step);
		assert_reload_matches(inc, dir, step_name);
		snprintf(cmd, sizeof cmd, "cd '%s' && find . -name '*.jsonl' -type f > '%s/list'", root, dir);
		ck_assert_int_eq(system(cmd), 0);
	}
	/* All the bytes, grown in steps under another root: what the original gives. */
	char *whole = full_load(root), *grown = snapshot(inc);
	ck_assert_str_eq(grown, whole);
	ck_assert_int_gt(cu_ctx_stat(inc, CU_STAT_ENTRIES), 10);
	free(whole);
	free(grown);
	cu_ctx_free(inc);
	remove_tree(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reload");
	TCase *tc = tcase_create("reload");
	tcase_add_test(tc, reload_equals_full_load);
	tcase_add_test(tc, incremental_dedup_equals_full);
	tcase_add_test(tc, copy_kept_again_priced_by_current_setting);
	tcase_add_test(tc, append_reads_only_new_bytes);
	tcase_add_test(tc, diagnostics_reported_once);
	tcase_add_test(tc, index_never_changes_a_result);
	tcase_add_test(tc, generated_all_paths_agree);
	tcase_add_test(tc, generated_growing_history);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
