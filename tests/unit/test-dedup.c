/*
 * test-dedup.c - the dedup rule: most tokens wins, ties by sidechain then
 * (file, line), no message id never merged, sidechain replays dropped, and
 * the result independent of input order.
 */
#include "dedup-private.h"
#include "hash-private.h"

#include "test-util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cu__file files[3]; /* sessions 0, 0, 1 */

static cu__entry mk(const char *msg, const char *req, int64_t out, uint32_t file, uint32_t line,
                    int64_t ts, uint32_t flags)
{
	cu__entry e;
	memset(&e, 0, sizeof e);
	e.ts_ms = ts;
	e.input = 5;
	e.output = out;
	e.file = file;
	e.line = line;
	e.flags = flags;
	if (msg) {
		e.flags |= CU__E_HAS_MSG_ID;
		cu__dedup_key(msg, strlen(msg), req, strlen(req), e.key);
		uint64_t k[2];
		cu__dedup_key(msg, strlen(msg), "", 0, k);
		e.msg_hash = k[0] ^ k[1];
	}
	return e;
}

static void setup(void)
{
	memset(files, 0, sizeof files);
	files[2].session = 1;
	files[2].session_key = 1;
}

/* A store of 3 files and the dedup state kept over it. */
typedef struct three {
	cu__fstate fs[3];
	cu__store st;
	cu__dedup_state ds;
} three;

static void three_init(three *t)
{
	memset(t, 0, sizeof *t);
	t->st.v = t->fs;
	t->st.n = 3;
}

/* Append e to the file its file field names. */
static void three_put(three *t, cu__entry e)
{
	cu__fstate *x = &t->fs[e.file];
	ck_assert_int_eq(cu__fstate_grow(x), 0);
	x->e[x->n++] = e;
}

static void three_free(three *t)
{
	cu__dedup_state_clear(&t->ds);
	for (int i = 0; i < 3; i++)
		free(t->fs[i].e);
}

/*
 * cu__dedup_store over entries put in a store of 3 files by their file
 * field, in the order given: the kept entries are copied to the front of
 * e, in order.
 */
static size_t dedup_arr(cu__entry *e, size_t n, const cu__file *f)
{
	three t;
	three_init(&t);
	for (size_t i = 0; i < n; i++)
		three_put(&t, e[i]);
	cu__entry **p = NULL;
	size_t k = 0;
	ck_assert_int_eq(cu__dedup_store(&t.ds, &t.st, f, 1, &p, &k), 0);
	cu__entry *copy = malloc((k + 1) * sizeof *copy);
	ck_assert_ptr_nonnull(copy);
	for (size_t i = 0; i < k; i++)
		copy[i] = *p[i];
	memcpy(e, copy, k * sizeof *e);
	free(copy);
	free(p);
	three_free(&t);
	return k;
}

START_TEST(most_tokens_wins_in_any_order)
{
	/* The streaming copies of one message, in all 6 orders. */
	static const int perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		                         { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	cu__entry base[3] = { mk("msg_a", "req_a", 2, 0, 1, 100, 0), mk("msg_a", "req_a", 700, 0, 3, 300, 0),
		              mk("msg_a", "req_a", 9, 1, 2, 200, 0) };
	for (int p = 0; p < 6; p++) {
		cu__entry e[3];
		for (int i = 0; i < 3; i++)
			e[i] = base[perms[p][i]];
		size_t n = dedup_arr(e, 3, files);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(e[0].output, 700);
		ck_assert_int_eq(e[0].line, 3);
	}
}
END_TEST

START_TEST(ties)
{
	/* Equal tokens: the non-sidechain copy, then the first by file and line. */
	cu__entry e[4] = { mk("m", "r", 10, 1, 5, 1, CU__E_SIDECHAIN), mk("m", "r", 10, 1, 9, 2, 0),
		           mk("x", "r", 10, 1, 7, 3, 0), mk("x", "r", 10, 0, 8, 4, 0) };
	size_t n = dedup_arr(e, 4, files);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(e[0].line, 9); /* m: the non-sidechain copy, though later */
	ck_assert_int_eq(e[1].file, 0); /* x: file 0 before file 1 */
	ck_assert_int_eq(e[1].line, 8);
}
END_TEST

START_TEST(no_message_id_is_kept)
{
	cu__entry e[3] = { mk(NULL, "", 10, 0, 1, 1, 0), mk(NULL, "", 10, 0, 2, 1, 0),
		           mk(NULL, "", 10, 0, 1, 1, 0) };
	ck_assert_uint_eq(dedup_arr(e, 3, files), 3);
}
END_TEST

START_TEST(request_id_separates)
{
	/* Same message id, other request id, no sidechain: two requests. */
	cu__entry e[3] = { mk("m", "r1", 10, 0, 1, 1, 0), mk("m", "r2", 20, 0, 2, 2, 0),
		           mk("m", "", 30, 0, 3, 3, 0) };
	ck_assert_uint_eq(dedup_arr(e, 3, files), 3);
}
END_TEST

START_TEST(sidechain_replay_dropped)
{
	/* The replay after the main-chain copy it repeats, then before it. */
	cu__entry after[3] = {
		mk("m", "r1", 10, 0, 1, 1, 0),
		mk("m", "r2", 50, 1, 2, 2, CU__E_SIDECHAIN), /* same session 0: a replay */
		mk("m", "r3", 50, 2, 2, 3, CU__E_SIDECHAIN), /* session 1: its own request */
	};
	cu__entry before[3] = {
		mk("m", "r2", 50, 0, 1, 1, CU__E_SIDECHAIN), /* session 0: a replay of file 1's */
		mk("m", "r1", 10, 1, 1, 2, 0),
		mk("m", "r3", 50, 2, 1, 3, CU__E_SIDECHAIN),
	};
	cu__entry *cases[2] = { after, before };
	for (int c = 0; c < 2; c++) {
		cu__entry *e = cases[c];
		size_t n = dedup_arr(e, 3, files);
		ck_assert_uint_eq(n, 2);
		ck_assert_int_eq(e[0].output, 10);
		ck_assert_int_eq(e[1].file, 2);
	}
}
END_TEST

START_TEST(outdone_sidechain_copy_forgotten)
{
	/*
	 * m:r1's sidechain copy is outdone by its main-chain copy. A later load
	 * adds m:r9 in the same session: with no sidechain copy of m kept, that
	 * is settled without a full run, and nothing is dropped.
	 */
	three t;
	three_init(&t);
	three_put(&t, mk("m", "r1", 10, 0, 1, 1, CU__E_SIDECHAIN));
	three_put(&t, mk("m", "r1", 50, 1, 1, 2, 0));
	cu__entry **p = NULL;
	size_t k = 0;
	ck_assert_int_eq(cu__dedup_store(&t.ds, &t.st, files, 1, &p, &k), 0);
	ck_assert_uint_eq(k, 1);
	ck_assert_int_eq(p[0]->output, 50);
	free(p);

	t.fs[1].dirty = 1;
	t.fs[1].prev_n = t.fs[1].n;
	three_put(&t, mk("m", "r9", 7, 1, 2, 3, 0));
	ck_assert_int_eq(cu__dedup_store(&t.ds, &t.st, files, 0, &p, &k), 0);
	ck_assert_uint_eq(k, 2);
	ck_assert_int_eq(p[1]->output, 7);
	ck_assert_uint_eq(t.ds.full_runs, 1);
	ck_assert_uint_eq(t.ds.incremental_runs, 1);
	free(p);
	three_free(&t);
}
END_TEST

START_TEST(equal_times_in_file_and_line_order)
{
	/* A copy improved in place can sit before lines it follows. */
	cu__entry e[4] = { mk("b", "1", 1, 1, 9, 50, 0), mk("a", "1", 1, 1, 8, 50, 0),
		           mk("c", "1", 1, 0, 3, 50, 0), mk("d", "1", 1, 0, 1, 10, 0) };
	size_t n = dedup_arr(e, 4, files);
	ck_assert_uint_eq(n, 4);
	static const uint32_t file[4] = { 0, 0, 1, 1 }, line[4] = { 1, 3, 8, 9 };
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(e[i].file, file[i]);
		ck_assert_uint_eq(e[i].line, line[i]);
	}
}
END_TEST

START_TEST(sorted_by_time)
{
	cu__entry e[4] = { mk("a", "1", 1, 0, 1, 40, 0), mk("b", "1", 1, 0, 2, 10, 0),
		           mk("c", "1", 1, 0, 3, 30, 0), mk(NULL, "", 1, 0, 4, 20, 0) };
	size_t n = dedup_arr(e, 4, files);
	ck_assert_uint_eq(n, 4);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_le(e[i - 1].ts_ms, e[i].ts_ms);
}
END_TEST

START_TEST(many_keys)
{
	/* Enough keys to grow past any small table; every key twice. */
	size_t n = 20000;
	cu__entry *e = calloc(n, sizeof *e);
	ck_assert_ptr_nonnull(e);
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "msg_%zu", i / 2);
		e[i] = mk(id, "req", (int64_t)(i % 2 ? 100 : 1), 0, (uint32_t)i, (int64_t)i, 0);
	}
	size_t k = dedup_arr(e, n, files);
	ck_assert_uint_eq(k, n / 2);
	for (size_t i = 0; i < k; i++)
		ck_assert_int_eq(e[i].output, 100);
	free(e);
}
END_TEST

START_TEST(key_is_stable)
{
	/*
	 * Keys are saved in the history index: the key of "id:req" stays the
	 * 64-bit hash under two fixed seeds, whatever way it is computed, for
	 * every length of the last word.
	 */
	char id[64], joined[128];
	for (size_t n = 0; n < 40; n++) {
		memset(id, 'a' + (int)(n % 26), n);
		id[n] = '\0';
		uint64_t key[2];
		cu__dedup_key(id, n, "req_9", 5, key);
		snprintf(joined, sizeof joined, "%s:req_9", id);
		ck_assert_uint_eq(key[0], cu__hash64(joined, n + 6, UINT64_C(0x243f6a8885a308d3)));
		ck_assert_uint_eq(key[1], cu__hash64(joined, n + 6, UINT64_C(0x13198a2e03707344)));
		ck_assert_uint_ne(key[0], key[1]);
	}
	/* A fixed value: a change of hash would silently orphan saved keys. */
	uint64_t k[2];
	cu__dedup_key("msg_01", 6, "req_01", 6, k);
	ck_assert_uint_eq(k[0], UINT64_C(0xd15c1c5a809b3b1e));
	ck_assert_uint_eq(k[1], UINT64_C(0xf697d5c2d075e3d7));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dedup");
	TCase *tc = tcase_create("dedup");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, most_tokens_wins_in_any_order);
	tcase_add_test(tc, ties);
	tcase_add_test(tc, no_message_id_is_kept);
	tcase_add_test(tc, request_id_separates);
	tcase_add_test(tc, sidechain_replay_dropped);
	tcase_add_test(tc, outdone_sidechain_copy_forgotten);
	tcase_add_test(tc, equal_times_in_file_and_line_order);
	tcase_add_test(tc, sorted_by_time);
	tcase_add_test(tc, many_keys);
	tcase_add_test(tc, key_is_stable);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
