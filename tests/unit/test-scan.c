/*
 * test-scan.c - splitting files into lines, skipping and counting bad ones,
 * and the same entries whatever the thread count or parser.
 */
#include "dedup-private.h"
#include "scan-private.h"
#include "test-util.h"

#include <claudeusage/claudeusage.h>

START_TEST(bad_lines_counted)
{
	char good1[512], good2[512], text[2048];
	usage_line(good1, sizeof good1, "2025-06-01T10:00:00Z", "m1", "r1", "claude-sonnet-4-20250514", 1, 2, 3, 4);
	usage_line(good2, sizeof good2, "2025-06-01T11:00:00Z", "m2", "r2", "claude-sonnet-4-20250514", 10, 20, 30, 40);
	good2[strlen(good2) - 1] = '\0'; /* ended by CRLF below */
	snprintf(text, sizeof text, "%s   \n{not json\n%s\r\n{\"type\":\"user\"}\n%.*s", good1, good2,
	         (int)(strlen(good1) / 2), good1);
	cu__fstate f;
	cu__pool models = { 0 };
	memset(&f, 0, sizeof f);
	ck_assert_int_eq(cu__scan_buffer(text, strlen(text), 0, &f, &models), 0);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_int_eq(f.e[0].input + f.e[1].input, 11);
	ck_assert_int_eq(f.malformed, 1);
	ck_assert_int_eq(f.tail_state, CU__TAIL_TORN);
	ck_assert_int_eq(f.lines, 5); /* and the torn sixth */
	ck_assert_int_eq(f.offset, (int64_t)(strlen(text) - strlen(good1) / 2));
	ck_assert_uint_eq(f.diags.n, 1);
	ck_assert_int_eq(f.diags.v[0].line, 3);
	ck_assert_str_eq(cu__pool_str(&models, f.e[0].model), "claude-sonnet-4-20250514");
	cu__fstate_reset(&f);
	cu__pool_clear(&models);
}
END_TEST

START_TEST(unterminated_good_last_line)
{
	char good[512];
	usage_line(good, sizeof good, "2025-06-01T10:00:00Z", "m1", "r1", "claude-sonnet-4-20250514", 1, 2, 3, 4);
	good[strlen(good) - 1] = '\0'; /* no newline: still a whole object */
	cu__fstate f;
	cu__pool models = { 0 };
	memset(&f, 0, sizeof f);
	ck_assert_int_eq(cu__scan_buffer(good, strlen(good), 0, &f, &models), 0);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_int_eq(f.tail_state, CU__TAIL_ENTRY);
	ck_assert_int_eq(f.tail.input, 1);
	ck_assert_int_eq(f.offset, 0); /* read again next time */
	cu__fstate_reset(&f);
	cu__pool_clear(&models);
}
END_TEST

/* Each entry names its own model, however the models alternate. */
START_TEST(models_named_per_entry)
{
	static const char *const names[] = { "model-a", "model-a", "model-b", "model-ab", "", "model-a" };
	enum { N = sizeof names / sizeof names[0] };
	char text[N * 512] = "";
	for (size_t i = 0; i < N; i++) {
		char line[512], msg[16], req[16];
		snprintf(msg, sizeof msg, "m%zu", i);
		snprintf(req, sizeof req, "r%zu", i);
		usage_line(line, sizeof line, "2025-06-01T10:00:00Z", msg, req, names[i], 1, 1, 0, 0);
		strcat(text, line);
	}
	cu__fstate f;
	cu__pool models = { 0 };
	memset(&f, 0, sizeof f);
	ck_assert_int_eq(cu__scan_buffer(text, strlen(text), 0, &f, &models), 0);
	ck_assert_uint_eq(f.n, N);
	for (size_t i = 0; i < N; i++)
		ck_assert_str_eq(cu__pool_str(&models, f.e[i].model), names[i]);
	ck_assert_uint_eq(models.count, 4);
	cu__fstate_reset(&f);
	cu__pool_clear(&models);
}
END_TEST

/* The streaming copies of a message: one entry per key in the file, the best. */
START_TEST(copies_within_a_file_kept_once)
{
	char l1[512], l2[512], l3[512], l4[512], text[4096];
	usage_line(l1, sizeof l1, "2025-06-01T10:00:00Z", "m1", "r1", "claude-sonnet-4-20250514", 5, 1, 0, 0);
	usage_line(l2, sizeof l2, "2025-06-01T10:00:01Z", "m1", "r1", "claude-sonnet-4-20250514", 5, 90, 0, 0);
	usage_line(l3, sizeof l3, "2025-06-01T10:00:02Z", "m1", "r1", "claude-sonnet-4-20250514", 5, 40, 0, 0);
	usage_line(l4, sizeof l4, "2025-06-01T10:00:03Z", "m2", "r2", "claude-sonnet-4-20250514", 7, 7, 0, 0);
	snprintf(text, sizeof text, "%s%s%s%s", l1, l2, l3, l4);
	cu__fstate f;
	cu__pool models = { 0 };
	memset(&f, 0, sizeof f);
	ck_assert_int_eq(cu__scan_buffer(text, strlen(text), 0, &f, &models), 0);
	ck_assert_int_eq(f.usage_lines, 4);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_int_eq(f.e[0].output, 90);
	ck_assert_int_eq(f.e[0].line, 2);
	ck_assert_int_eq(f.e[1].output, 7);
	cu__fstate_reset(&f);
	cu__pool_clear(&models);
}
END_TEST

/*
 * The line event is the first of a newline and the needle, at every offset
 * and length, with near misses everywhere, by the AVX2 search (where the
 * CPU has it) and the SSE2 one.
 */
START_TEST(find_line_event_first_of_both)
{
	char buf[300];
	for (cu__scan_sse2_only = 0; cu__scan_sse2_only < 2; cu__scan_sse2_only++) {
		for (size_t at = 0; at + 7 <= sizeof buf; at += 5) {
			for (size_t nl = 0; nl < sizeof buf + 37; nl += 37) {
				for (size_t i = 0; i < sizeof buf; i++)
					buf[i] = "\"usagx\"g"[i % 8];
				memcpy(buf + at, "\"usage\"", 7);
				/* before, after, or none (inside the needle, or past the end) */
				if (nl < sizeof buf && (nl < at || nl >= at + 7))
					buf[nl] = '\n';
				if (at % 2 && at + 70 + 7 <= sizeof buf)
					memcpy(buf + at + 70, "\"usage\"", 7); /* the first one counts */
				for (size_t n = 0; n <= sizeof buf; n += 3) {
					const char *u = memmem(buf, n, "\"usage\"", 7);
					const char *l = memchr(buf, '\n', n);
					const char *want = !u ? l : !l ? u : u < l ? u : l;
					ck_assert_ptr_eq(cu__find_line_event(buf, n), want);
				}
			}
		}
	}
	cu__scan_sse2_only = 0;
}
END_TEST

typedef struct scanned {
	cu__discover_out disc;
	cu__store store;
	cu__entry **kept;
	size_t n;
	int64_t lines, malformed, file_errors;
} scanned;

/* Discover and scan a tree, then keep one entry per message. */
static void scan_tree(const char *root, uint32_t threads, int oracle, scanned *s)
{
	char *roots[1] = { (char *)root };
	cu__diags d = { 0 };
	memset(s, 0, sizeof *s);
	ck_assert_int_eq(cu__discover(roots, 1, 0, 0, &s->disc, &d), 0);
	cu__job *jobs;
	size_t njobs, dropped;
	ck_assert_int_eq(cu__store_plan(&s->store, &s->disc.files, INT64_MIN, &jobs, &njobs, &dropped), 0);
	ck_assert_uint_eq(njobs, s->disc.files.n);
	cu__scan_opts opts = { threads, oracle };
	cu__scan_stats stats;
	ck_assert_int_eq(cu__scan(&s->store, jobs, njobs, &opts, &stats, &d), 0);
	free(jobs);
	cu__diags_clear(&d);
	s->file_errors = stats.file_errors;
	for (size_t i = 0; i < s->store.n; i++) {
		cu__fstate *f = &s->store.v[i];
		s->lines += f->lines + (f->tail_state != CU__TAIL_NONE);
		s->malformed += f->malformed;
	}
	cu__dedup_state ds;
	memset(&ds, 0, sizeof ds);
	ck_assert_int_eq(cu__dedup_store(&ds, &s->store, s->disc.files.v, 1, &s->kept, &s->n), 0);
	cu__dedup_state_clear(&ds);
}

static void scanned_clear(scanned *s)
{
	cu__discover_clear(&s->disc);
	cu__store_clear(&s->store);
	free(s->kept);
}

static void assert_same(const scanned *a, const scanned *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const cu__entry *x = a->kept[i], *y = b->kept[i];
		ck_assert_int_eq(x->ts_ms, y->ts_ms);
		ck_assert_int_eq(x->file, y->file);
		ck_assert_int_eq(x->line, y->line);
		ck_assert_int_eq(x->input, y->input);
		ck_assert_int_eq(x->output, y->output);
		ck_assert_int_eq(x->cache_create, y->cache_create);
		ck_assert_int_eq(x->cache_read, y->cache_read);
		ck_assert(x->key[0] == y->key[0] && x->key[1] == y->key[1]);
		ck_assert_int_eq(x->flags, y->flags);
		ck_assert_str_eq(cu__pool_str(&a->store.models, x->model),
		                 cu__pool_str(&b->store.models, y->model));
	}
	ck_assert_int_eq(a->lines, b->lines);
	ck_assert_int_eq(a->malformed, b->malformed);
}

/* The bundled example data is generated: the same entries by every path. */
START_TEST(threads_and_oracle_agree)
{
	const char *src = getenv("CU_SOURCE_ROOT");
	ck_assert_ptr_nonnull(src);
	char root[4096];
	snprintf(root, sizeof root, "%s/examples/data", src);
	scanned s1, s4, sj;
	scan_tree(root, 1, 0, &s1);
	scan_tree(root, 4, 0, &s4);
	scan_tree(root, 2, 1, &sj);
	ck_assert_uint_gt(s1.n, 10);
	assert_same(&s1, &s4);
	assert_same(&s1, &sj);
	scanned_clear(&s1);
	scanned_clear(&s4);
	scanned_clear(&sj);
}
END_TEST

START_TEST(long_lines_and_chunks)
{
	/* Lines longer than the read chunk, and a usage line after them. */
	char *dir = make_tmpdir();
	size_t big = (size_t)3 << 20;
	char *text = malloc(big + 1024);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "{\"type\":\"user\",\"message\":{\"content\":\"");
	size_t at = strlen(text);
	memset(text + at, 'x', big);
	at += big;
	strcpy(text + at, "\"}}\n");
	at += 4;
	usage_line(text + at, 1000, "2025-06-01T10:00:00Z", "m1", "r1", "claude-sonnet-4-20250514", 1, 2, 3, 4);
	put_file(dir, "projects/-p/s.jsonl", text);
	free(text);
	scanned sc;
	scan_tree(dir, 1, 0, &sc);
	ck_assert_uint_eq(sc.n, 1);
	ck_assert_int_eq(sc.lines, 2);
	ck_assert_int_eq(sc.malformed, 0);
	ck_assert_str_eq(sc.store.v[0].cwd, "/home/u/p");
	scanned_clear(&sc);
	remove_tree(dir);
	free(dir);
}
END_TEST

START_TEST(unreadable_file_reported)
{
	if (geteuid() == 0)
		return; /* root reads anything: nothing to test */
	char *dir = make_tmpdir();
	char good[512];
	usage_line(good, sizeof good, "2025-06-01T10:00:00Z", "m1", "r1", "claude-sonnet-4-20250514", 1, 2, 3, 4);
	put_file(dir, "projects/-p/a.jsonl", good);
	put_file(dir, "projects/-p/b.jsonl", good);
	char path[4200];
	snprintf(path, sizeof path, "%s/projects/-p/b.jsonl", dir);
	ck_assert_int_eq(chmod(path, 0), 0);
	scanned sc;
	scan_tree(dir, 1, 0, &sc);
	ck_assert_uint_eq(sc.n, 1);
	ck_assert_int_eq(sc.file_errors, 1);
	scanned_clear(&sc);
	remove_tree(dir);
	free(dir);
}
END_TEST

/* ---- files changed while they are read ---- */

enum { CHANGE_TRUNCATE, CHANGE_REPLACE, CHANGE_DELETE, CHANGE_APPEND };
#define CHANGE_LINES 20000

static struct {
	const char *path; /* the file to change */
	int what, done;
} change;

static void write_lines(const char *path, const char *mode, int from, int to)
{
	FILE *f = fopen(path, mode);
	ck_assert_ptr_nonnull(f);
	char line[512], id[32];
	for (int i = from; i < to; i++) {
		snprintf(id, sizeof id, "m%d", i);
		usage_line(line, sizeof line, "2025-06-01T10:00:00Z", id, id, "claude-sonnet-4-20250514",
		           i, 1, 0, 0);
		fputs(line, f);
	}
	fclose(f);
}

/* Called between two reads of a file: change it, once. */
static void change_file(const char *path, int64_t bytes_read)
{
	if (change.done || strcmp(path, change.path) != 0)
		return;
	change.done = 1;
	ck_assert_int_gt(bytes_read, 0);
	char tmp[4300];
	switch (change.what) {
	case CHANGE_TRUNCATE: {
		struct stat sb;
		ck_assert_int_eq(stat(path, &sb), 0);
		ck_assert_int_eq(truncate(path, sb.st_size / 2 + 7), 0); /* inside a line */
		break;
	}
	case CHANGE_REPLACE:
		snprintf(tmp, sizeof tmp, "%s.new", path);
		write_lines(tmp, "wb", 100000, 100100);
		ck_assert_int_eq(rename(tmp, path), 0);
		break;
	case CHANGE_DELETE:
		ck_assert_int_eq(unlink(path), 0);
		break;
	default:
		write_lines(path, "ab", CHANGE_LINES, CHANGE_LINES + 100);
		break;
	}
}

static char *daily_json(cu_ctx *c)
{
	cu_report *r;
	char *json;
	ck_assert_int_eq(cu_report_new(c, CU_GROUP_DAILY, 0, 0, &r), CU_OK);
	ck_assert_int_eq(cu_report_to_json(r, CU_JSON_COMPACT, &json), CU_OK);
	cu_report_free(r);
	return json;
}

static cu_ctx *change_ctx(const char *dir)
{
	cu_ctx *c;
	ck_assert_int_eq(cu_ctx_new(&c), CU_OK);
	ck_assert_int_eq(cu_ctx_add_root(c, dir), CU_OK);
	ck_assert_int_eq(cu_ctx_set_timezone(c, "UTC"), CU_OK);
	ck_assert_int_eq(cu_ctx_set_offline(c, 1), CU_OK);
	ck_assert_int_eq(cu_ctx_set_index(c, 0), CU_OK);
	ck_assert_int_eq(cu_ctx_set_threads(c, 1), CU_OK);
	return c;
}

/*
 * A file truncated, replaced, deleted or appended to in the middle of its
 * scan: the load succeeds with what it could read, and the next load gives
 * exactly what a fresh load of the files as they now are gives.
 */
START_TEST(file_changed_during_scan)
{
	static const char *const names[] = { "truncated", "replaced", "deleted", "appended" };
	char *dir = make_tmpdir();
	char path[4200], other[4200];
	snprintf(path, sizeof path, "%s/projects/-p/a.jsonl", dir);
	snprintf(other, sizeof other, "%s/projects/-q/b.jsonl", dir);
	put_file(dir, "projects/-p/a.jsonl", "");
	put_file(dir, "projects/-q/b.jsonl", "");
	write_lines(path, "wb", 0, CHANGE_LINES);
	write_lines(other, "wb", 50000, 50010);

	change.path = path;
	change.what = _i;
	change.done = 0;
	cu_ctx *c = change_ctx(dir);
	cu__scan_read_hook = change_file;
	ck_assert_msg(cu_ctx_load(c) == CU_OK, "%s: %s", names[_i], cu_ctx_last_error(c));
	cu__scan_read_hook = NULL;
	ck_assert_msg(change.done, "%s: the file was read in more than one piece", names[_i]);
	int64_t first = cu_ctx_stat(c, CU_STAT_ENTRIES);
	int64_t kept = 0; /* complete lines left by the truncation */
	if (_i == CHANGE_TRUNCATE) {
		FILE *f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		for (int ch; (ch = getc(f)) != EOF;)
			kept += ch == '\n';
		fclose(f);
	}
	switch (_i) {
	case CHANGE_TRUNCATE:
		ck_assert_int_ge(first, 10);
		ck_assert_int_le(first, kept + 10);
		break;
	case CHANGE_REPLACE:
	case CHANGE_DELETE:
		/* the open file is still the old one, read to its end */
		ck_assert_int_eq(first, CHANGE_LINES + 10);
		break;
	default:
		ck_assert_int_ge(first, CHANGE_LINES + 10);
		ck_assert_int_le(first, CHANGE_LINES + 110);
		break;
	}
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_MALFORMED_LINES), 0);

	ck_assert_int_eq(cu_ctx_load(c), CU_OK);
	cu_ctx *fresh = change_ctx(dir);
	ck_assert_int_eq(cu_ctx_load(fresh), CU_OK);
	char *a = daily_json(c), *b = daily_json(fresh);
	ck_assert_msg(strcmp(a, b) == 0, "%s: reload\n%s\nfresh load\n%s", names[_i], a, b);
	const int64_t want[] = { kept + 10, 100 + 10, 10, CHANGE_LINES + 100 + 10 };
	ck_assert_int_eq(cu_ctx_stat(c, CU_STAT_ENTRIES), want[_i]);
	cu_free(a);
	cu_free(b);
	cu_ctx_free(fresh);
	cu_ctx_free(c);
	remove_tree(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("scan");
	tcase_add_test(tc, bad_lines_counted);
	tcase_add_test(tc, unterminated_good_last_line);
	tcase_add_test(tc, copies_within_a_file_kept_once);
	tcase_add_test(tc, find_line_event_first_of_both);
	tcase_add_test(tc, models_named_per_entry);
	tcase_add_test(tc, threads_and_oracle_agree);
	tcase_add_test(tc, long_lines_and_chunks);
	tcase_add_test(tc, unreadable_file_reported);
	tcase_add_loop_test(tc, file_changed_during_scan, CHANGE_TRUNCATE, CHANGE_APPEND + 1);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
