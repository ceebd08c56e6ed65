/*
 * test-util.h - small helpers for the unit tests: temporary trees and files.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Run a suite as every test program does; the exit status for meson. */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* mkdir -p of dir/rel's parent, then write text to dir/rel. */
static inline void put_file(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static inline char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/cu-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(d);
	return strdup(d);
}

static inline void remove_tree(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* An assistant usage line. */
static inline void usage_line(char *buf, size_t size, const char *ts, const char *msg,
                              const char *req, const char *model, int in, int out, int cc, int cr)
{
	snprintf(buf, size,
	         "{\"type\":\"assistant\",\"timestamp\":\"%s\",\"requestId\":\"%s\",\"cwd\":\"/home/u/p\","
	         "\"message\":{\"id\":\"%s\",\"model\":\"%s\",\"usage\":{\"input_tokens\":%d,"
	         "\"output_tokens\":%d,\"cache_creation_input_tokens\":%d,\"cache_read_input_tokens\":%d}}}\n",
	         ts, req, msg, model, in, out, cc, cr);
}

#endif
