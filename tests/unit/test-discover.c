/*
 * test-discover.c - finding transcripts: projects/, subagents, VMs, sorting,
 * loops and odd entries.
 */
#include "discover-private.h"
#include "test-util.h"

#include <errno.h>

static void names(const char *rel, const char *project, const char *session)
{
	const char *p, *s;
	size_t pn, sn;
	cu__discover_names(rel, &p, &pn, &s, &sn);
	ck_assert_msg(pn == strlen(project) && !memcmp(p, project, pn), "%s: project %.*s", rel, (int)pn, p);
	ck_assert_msg(sn == strlen(session) && !memcmp(s, session, sn), "%s: session %.*s", rel, (int)sn, s);
}

START_TEST(session_and_project_names)
{
	names("-home-u-app/0b1c.jsonl", "-home-u-app", "0b1c");
	names("-home-u-app/agent-a1b2.jsonl", "-home-u-app", "agent-a1b2");
	names("-home-u-app/0b1c/subagents/agent-a1b2.jsonl", "-home-u-app", "0b1c");
	names("C--Users-me-src/s.jsonl", "C--Users-me-src", "s");
	names("loose.jsonl", "-", "loose");
}
END_TEST

static const char *session_of(const cu__discover_out *o, size_t i)
{
	return cu__pool_str(&o->sessions, o->files.v[i].session);
}

START_TEST(tree)
{
	char *dir = make_tmpdir();
	put_file(dir, "projects/-p1/s1.jsonl", "{}\n");
	put_file(dir, "projects/-p1/s1/subagents/agent-a.jsonl", "{}\n");
	put_file(dir, "projects/-p2/s2.jsonl", "{}\n");
	put_file(dir, "projects/-p2/notes.txt", "x\n");
	put_file(dir, "projects/-p2/dir.jsonl/inner.jsonl", "{}\n"); /* a directory named x.jsonl */
	put_file(dir, "vms/vm-b/projects/-p1/s1.jsonl", "{}\n");
	put_file(dir, "vms/vm-a/projects/-w/s3.jsonl", "{}\n");
	char link[4200], target[4200];
	snprintf(link, sizeof link, "%s/projects/-p1/loop", dir);
	snprintf(target, sizeof target, "%s/projects", dir);
	ck_assert_int_eq(symlink(target, link), 0);

	char *roots[2] = { dir, "/nonexistent/claude" };
	cu__discover_out o;
	cu__diags d = { 0 };
	memset(&o, 0, sizeof o);
	ck_assert_int_eq(cu__discover(roots, 2, 0, _i, &o, &d), 0);
	ck_assert_uint_eq(o.roots_found, 1);
	ck_assert_int_eq(o.unstated, 0); /* a link was met */
	/* The loop is reported, not followed; everything is found once. */
	ck_assert_uint_eq(o.files.n, 6);
	for (size_t i = 1; i < o.files.n; i++)
		ck_assert(strcmp(o.files.v[i - 1].path, o.files.v[i].path) < 0);
	int subagent = 0, vms = 0;
	for (size_t i = 0; i < o.files.n; i++) {
		const char *p = o.files.v[i].path;
		if (strstr(p, "subagents")) {
			subagent = 1;
			ck_assert_str_eq(session_of(&o, i), "s1");
		}
		const char *src = cu__pool_str(&o.sources, o.files.v[i].source);
		if (strstr(p, "/vms/")) {
			vms++;
			ck_assert(strcmp(src, "vm-a") == 0 || strcmp(src, "vm-b") == 0);
		} else {
			ck_assert_str_eq(src, "main");
		}
	}
	ck_assert(subagent);
	ck_assert_int_eq(vms, 2);
	int loop_reported = 0;
	for (size_t i = 0; i < d.n; i++)
		loop_reported |= strstr(d.v[i].msg, "loop") != NULL;
	ck_assert(loop_reported);
	cu__discover_clear(&o);
	cu__diags_clear(&d);

	/* Without the VMs. */
	ck_assert_int_eq(cu__discover(roots, 1, 1, _i, &o, &d), 0);
	ck_assert_uint_eq(o.files.n, 4);
	cu__discover_clear(&o);
	cu__diags_clear(&d);
	remove_tree(dir);
	free(dir);
}
END_TEST

START_TEST(same_file_twice)
{
	/* A root reachable under two names is read once. */
	char *dir = make_tmpdir();
	put_file(dir, "a/projects/-p/s.jsonl", "{}\n");
	char link[4200], target[4200];
	snprintf(link, sizeof link, "%s/b", dir);
	snprintf(target, sizeof target, "%s/a", dir);
	ck_assert_int_eq(symlink(target, link), 0);
	char *roots[2] = { target, link };
	cu__discover_out o;
	cu__diags d = { 0 };
	memset(&o, 0, sizeof o);
	ck_assert_int_eq(cu__discover(roots, 2, 0, _i, &o, &d), 0);
	ck_assert_uint_eq(o.roots_found, 2);
	ck_assert_uint_eq(o.files.n, 1);
	cu__discover_clear(&o);
	cu__diags_clear(&d);
	remove_tree(dir);
	free(dir);
}
END_TEST

/* Lazy: plain files are listed unstated, and stated (or dropped) on demand. */
START_TEST(lazy_states_later)
{
	char *dir = make_tmpdir();
	put_file(dir, "projects/-p/a.jsonl", "{}\n");
	put_file(dir, "projects/-p/b.jsonl", "{\"x\":1}\n");
	put_file(dir, "projects/-p/c.jsonl", "");
	put_file(dir, "projects/-p/notes.txt", "x\n");
	char *roots[1] = { dir };
	cu__discover_out o;
	cu__diags d = { 0 };
	memset(&o, 0, sizeof o);
	ck_assert_int_eq(cu__discover(roots, 1, 0, 1, &o, &d), 0);
	ck_assert_int_eq(o.unstated, 1);
	ck_assert_uint_eq(o.files.n, 3);
	for (size_t i = 0; i < o.files.n; i++)
		ck_assert_int_eq(o.files.v[i].unstated, 1);
	ck_assert(strstr(o.files.v[1].path, "/b.jsonl") != NULL);

	/* A file gone before it is stated is reported and dropped. */
	char gone[4200];
	snprintf(gone, sizeof gone, "%s/projects/-p/c.jsonl", dir);
	ck_assert_int_eq(unlink(gone), 0);
	cu__discover_state(&o, &d);
	ck_assert_int_eq(o.unstated, 0);
	ck_assert_uint_eq(o.files.n, 2);
	ck_assert_int_eq(o.files.v[0].unstated, 0);
	ck_assert_int_eq(o.files.v[0].size, 3);
	ck_assert_int_eq(o.files.v[1].size, 8);
	ck_assert(o.files.v[1].ino != 0 && o.files.v[1].mtime_ns > 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert(strstr(d.v[0].msg, "cannot stat") != NULL);
	cu__discover_clear(&o);
	cu__diags_clear(&d);
	remove_tree(dir);
	free(dir);
}
END_TEST

START_TEST(states_many_in_pieces)
{
	/*
	 * 1,500 transcripts stated by 1 thread or in pieces at once: the same
	 * files with the same sizes, and the same reports, in order, for the
	 * five that went away in between.
	 */
	char *dir = make_tmpdir();
	char rel[64], text[64];
	for (int i = 0; i < 1500; i++) {
		snprintf(rel, sizeof rel, "projects/-p%d/%04d.jsonl", i % 3, i);
		snprintf(text, sizeof text, "%*s\n", i % 50, "");
		put_file(dir, rel, text);
	}
	char *roots[1] = { dir };
	cu__discover_out o[2];
	cu__diags d[2] = { { 0 }, { 0 } };
	for (int t = 0; t < 2; t++) {
		memset(&o[t], 0, sizeof o[t]);
		o[t].threads = t ? 3 : 1;
		ck_assert_int_eq(cu__discover(roots, 1, 0, 1, &o[t], &d[t]), 0);
		ck_assert_uint_eq(o[t].files.n, 1500);
	}
	for (int i = 7; i < 1500; i += 300) {
		char gone[4200];
		snprintf(gone, sizeof gone, "%s/projects/-p%d/%04d.jsonl", dir, i % 3, i);
		ck_assert_int_eq(unlink(gone), 0);
	}
	for (int t = 0; t < 2; t++) {
		cu__discover_state(&o[t], &d[t]);
		ck_assert_int_eq(o[t].unstated, 0);
		ck_assert_uint_eq(o[t].files.n, 1495);
		ck_assert_uint_eq(d[t].n, 5);
	}
	for (size_t i = 0; i < 1495; i++) {
		const cu__file *a = &o[0].files.v[i], *b = &o[1].files.v[i];
		ck_assert_str_eq(a->path, b->path);
		ck_assert_int_eq(b->unstated, 0);
		ck_assert_int_eq(a->size, b->size);
		ck_assert_int_eq(b->size, atoi(strrchr(b->path, '/') + 1) % 50 + 1);
		ck_assert(a->ino == b->ino && b->ino != 0);
	}
	for (size_t i = 0; i < 5; i++) {
		ck_assert_str_eq(d[0].v[i].path, d[1].v[i].path);
		ck_assert(strstr(d[1].v[i].msg, "cannot stat") != NULL);
	}
	for (int t = 0; t < 2; t++) {
		cu__discover_clear(&o[t]);
		cu__diags_clear(&d[t]);
	}
	remove_tree(dir);
	free(dir);
}
END_TEST

START_TEST(root_is_a_file)
{
	char *dir = make_tmpdir();
	put_file(dir, "file", "x");
	char root[4200];
	snprintf(root, sizeof root, "%s/file", dir);
	char *roots[1] = { root };
	cu__discover_out o;
	cu__diags d = { 0 };
	memset(&o, 0, sizeof o);
	ck_assert_int_eq(cu__discover(roots, 1, 0, 0, &o, &d), 0);
	ck_assert_uint_eq(o.roots_found, 0);
	ck_assert_uint_eq(d.n, 1);
	ck_assert(strstr(d.v[0].msg, "not a directory") != NULL);
	cu__discover_clear(&o);
	cu__diags_clear(&d);
	remove_tree(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("discover");
	TCase *tc = tcase_create("discover");
	tcase_add_test(tc, session_and_project_names);
	tcase_add_loop_test(tc, tree, 0, 2); /* _i: lazy */
	tcase_add_loop_test(tc, same_file_twice, 0, 2);
	tcase_add_test(tc, lazy_states_later);
	tcase_add_test(tc, states_many_in_pieces);
	tcase_add_test(tc, root_is_a_file);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
