/*
 * test-scan.c - splitting files into lines, skipping and counting bad ones,
 * and the same entries whatever the thread count or parser.
 */
#include "dedup-private.h"
#include "scan-private.h"
#include "test-util.h"

START_TEST(bad_lines_counted)
{
	char good1[512], good2[512], text[2048];
	usage_line(good1, sizeof good1, "2025-06-01T10:00:00Z", "m1", "r1", "claude-sonnet-4-20250514", 1, 2, 3, 4);
	usage_line(good2, sizeof good2, "2025-06-01T11:00:00Z", "m2", "r2", "claude-sonnet-4-20250514", 10, 20, 30, 40);
	good2[strlen(good2) - 1] = '\0'; /* ended by CRLF below */
	snprintf(text, sizeof text, "%s   \n{not json\n%s\r\n{\"type\":\"user\"}\n%.*s", good1, good2,
	         (int)(strlen(good1) / 2), good1);
	cu__scan_out out;
	cu__diags d = { 0 };
	memset(&out, 0, sizeof out);
	ck_assert_int_eq(cu__scan_buffer(text, strlen(text), 0, 0, &out, &d), 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_int_eq(out.entries[0].input + out.entries[1].input, 11);
	ck_assert_int_eq(out.stats.malformed, 1);
	ck_assert_int_eq(out.stats.torn, 1);
	ck_assert_int_eq(out.stats.lines, 6);
	ck_assert_uint_eq(d.n, 2);
	ck_assert_int_eq(d.v[0].line, 3);
	ck_assert_int_eq(d.v[1].line, 6);
	cu__scan_clear(&out);
	cu__diags_clear(&d);
}
END_TEST

START_TEST(unterminated_good_last_line)
{
	char good[512];
	usage_line(good, sizeof good, "2025-06-01T10:00:00Z", "m1", "r1", "claude-sonnet-4-20250514", 1, 2, 3, 4);
	good[strlen(good) - 1] = '\0'; /* no newline: still a whole object */
	cu__scan_out out;
	cu__diags d = { 0 };
	memset(&out, 0, sizeof out);
	ck_assert_int_eq(cu__scan_buffer(good, strlen(good), 0, 0, &out, &d), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_int_eq(out.stats.torn, 0);
	cu__scan_clear(&out);
	cu__diags_clear(&d);
}
END_TEST

/* Scan a tree into deduplicated entries. */
static size_t scan_tree(const char *root, uint32_t threads, int oracle, cu__discover_out *disc,
                        cu__scan_out *out)
{
	char *roots[1] = { (char *)root };
	cu__diags d = { 0 };
	memset(disc, 0, sizeof *disc);
	memset(out, 0, sizeof *out);
	ck_assert_int_eq(cu__discover(roots, 1, 0, disc, &d), 0);
	cu__scan_opts opts = { INT64_MIN, threads, oracle };
	ck_assert_int_eq(cu__scan(&disc->files, &opts, out, &d), 0);
	cu__diags_clear(&d);
	return cu__dedup(out->entries, out->n, disc->files.v);
}

static void assert_same(const cu__scan_out *a, size_t na, const cu__scan_out *b, size_t nb)
{
	ck_assert_uint_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		const cu__entry *x = &a->entries[i], *y = &b->entries[i];
		ck_assert_int_eq(x->ts_ms, y->ts_ms);
		ck_assert_int_eq(x->file, y->file);
		ck_assert_int_eq(x->line, y->line);
		ck_assert_int_eq(x->input, y->input);
		ck_assert_int_eq(x->output, y->output);
		ck_assert_int_eq(x->cache_create, y->cache_create);
		ck_assert_int_eq(x->cache_read, y->cache_read);
		ck_assert(x->key[0] == y->key[0] && x->key[1] == y->key[1]);
		ck_assert_int_eq(x->flags, y->flags);
		ck_assert_str_eq(cu__pool_str(&a->models, x->model), cu__pool_str(&b->models, y->model));
	}
}

/* The bundled example data is generated: the same entries by every path. */
START_TEST(threads_and_oracle_agree)
{
	const char *src = getenv("CU_SOURCE_ROOT");
	ck_assert_ptr_nonnull(src);
	char root[4096];
	snprintf(root, sizeof root, "%s/examples/data", src);
	cu__discover_out d1, d4, dj;
	cu__scan_out s1, s4, sj;
	size_t n1 = scan_tree(root, 1, 0, &d1, &s1);
	size_t n4 = scan_tree(root, 4, 0, &d4, &s4);
	size_t nj = scan_tree(root, 2, 1, &dj, &sj);
	ck_assert_uint_gt(n1, 10);
	assert_same(&s1, n1, &s4, n4);
	assert_same(&s1, n1, &sj, nj);
	ck_assert_int_eq(s1.stats.lines, sj.stats.lines);
	ck_assert_int_eq(s1.stats.malformed, sj.stats.malformed);
	cu__discover_clear(&d1);
	cu__discover_clear(&d4);
	cu__discover_clear(&dj);
	cu__scan_clear(&s1);
	cu__scan_clear(&s4);
	cu__scan_clear(&sj);
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
	cu__discover_out disc;
	cu__scan_out out;
	size_t n = scan_tree(dir, 1, 0, &disc, &out);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(out.stats.lines, 2);
	ck_assert_int_eq(out.stats.malformed, 0);
	ck_assert_str_eq(disc.files.v[0].cwd, "/home/u/p");
	cu__discover_clear(&disc);
	cu__scan_clear(&out);
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
	cu__discover_out disc;
	cu__scan_out out;
	size_t n = scan_tree(dir, 1, 0, &disc, &out);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(out.stats.file_errors, 1);
	cu__discover_clear(&disc);
	cu__scan_clear(&out);
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
	tcase_add_test(tc, threads_and_oracle_agree);
	tcase_add_test(tc, long_lines_and_chunks);
	tcase_add_test(tc, unreadable_file_reported);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
