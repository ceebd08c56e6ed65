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

/* A store of many entries over NF files in two sessions, made from a seed. */
#define NF 6
typedef struct big {
	cu__fstate fs[NF];
	cu__file files[NF];
	cu__store st;
	cu__dedup_state ds;
} big;

static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005u + 1442695040888963407u;
	return *s >> 33;
}

static void big_init(big *b, uint32_t threads)
{
	memset(b, 0, sizeof *b);
	for (int i = 0; i < NF; i++) {
		b->files[i].session = (uint32_t)(i / 3);
		b->files[i].session_key = (uint64_t)(i / 3) + 1;
	}
	b->st.v = b->fs;
	b->st.n = NF;
	b->ds.threads = threads;
}

static void big_put(big *b, cu__entry e)
{
	cu__fstate *x = &b->fs[e.file];
	ck_assert_int_eq(cu__fstate_grow(x), 0);
	x->e[x->n++] = e;
}

/*
 * Streaming copies (in a file and across files), sidechain copies and
 * replays, entries without a message id, equal times, and now and then a
 * line out of order (a copy improved in place). Messages whose id starts
 * with 'm' never get a sidechain copy.
 */
static void big_fill(big *b, uint64_t seed)
{
	char msg[32], req[32];
	uint32_t line[NF] = { 0 };
	for (int m = 0; m < 24000; m++) {
		int side_ok = m % 4 == 0;
		snprintf(msg, sizeof msg, "%c%d", side_ok ? 's' : 'm', m);
		snprintf(req, sizeof req, "r%d", m);
		int copies = 1 + (int)(rnd(&seed) % 3);
		for (int c = 0; c < copies; c++) {
			uint32_t file = (uint32_t)(rnd(&seed) % NF);
			uint32_t flags = side_ok && rnd(&seed) % 3 == 0 ? CU__E_SIDECHAIN : 0;
			int64_t ts = 1700000000000 + (int64_t)(rnd(&seed) % 20000) * 3000;
			line[file] += 2;
			uint32_t at = line[file] - (rnd(&seed) % 50 == 0 ? 3 : 0);
			big_put(b, mk(msg, req, (int64_t)(rnd(&seed) % 8), file, at, ts, flags));
			if (side_ok && rnd(&seed) % 5 == 0) {
				/* A replay: the same message in a sidechain, under another request. */
				uint32_t f2 = (uint32_t)((file / 3) * 3 + rnd(&seed) % 3);
				line[f2] += 2;
				big_put(b, mk(msg, "replay", 3, f2, line[f2], ts + 1, CU__E_SIDECHAIN));
			}
		}
		if (m % 97 == 0) {
			uint32_t file = (uint32_t)(rnd(&seed) % NF);
			line[file] += 2;
			big_put(b, mk(NULL, NULL, 1, file, line[file], 1700000000000, 0));
		}
	}
}

static void big_free(big *b)
{
	cu__dedup_state_clear(&b->ds);
	for (int i = 0; i < NF; i++)
		free(b->fs[i].e);
}

static void same_result(cu__entry **p, size_t n, cu__entry **q, size_t m)
{
	ck_assert_uint_eq(n, m);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(p[i]->file, q[i]->file);
		ck_assert_uint_eq(p[i]->line, q[i]->line);
		ck_assert_int_eq(p[i]->ts_ms, q[i]->ts_ms);
	}
}

START_TEST(pieces_agree_with_one)
{
	/*
	 * A full run cut into pieces (by key part, then by ranges of files)
	 * keeps what one piece keeps, in the same order; an incremental run
	 * then carries on from the tables the pieces filled.
	 */
	static big one, two, ref;
	big_init(&one, 1);
	big_init(&two, 2);
	big_fill(&one, 7);
	big_fill(&two, 7);
	ck_assert_uint_ge(cu__store_entry_count(&two.st), 3 * 16384);
	cu__entry **p = NULL, **q = NULL;
	size_t n = 0, m = 0;
	ck_assert_int_eq(cu__dedup_store(&one.ds, &one.st, one.files, 1, &p, &n), 0);
	ck_assert_int_eq(cu__dedup_store(&two.ds, &two.st, two.files, 1, &q, &m), 0);
	ck_assert_uint_gt(n, 20000);
	same_result(p, n, q, m);
	free(p);
	free(q);

	/* New messages and better copies of old ones, appended to two files. */
	uint32_t at[NF];
	for (int i = 0; i < NF; i++) {
		two.fs[i].prev_n = two.fs[i].n;
		at[i] = 1000000;
	}
	two.fs[1].dirty = two.fs[4].dirty = 1;
	big_init(&ref, 1);
	big_fill(&ref, 7);
	char msg[32], req[32];
	for (int k = 0; k < 3000; k++) {
		uint32_t file = k % 2 ? 1 : 4;
		int old = k % 3 == 0;
		snprintf(msg, sizeof msg, old ? "m%d" : "new%d", old ? k * 4 + 1 : k);
		snprintf(req, sizeof req, "r%d", old ? k * 4 + 1 : k);
		cu__entry e = mk(msg, req, old ? 100 : 2, file, at[file] += 2, 1690000000000 + k, 0);
		big_put(&two, e);
		big_put(&ref, e);
	}
	ck_assert_int_eq(cu__dedup_store(&two.ds, &two.st, two.files, 0, &q, &m), 0);
	ck_assert_uint_eq(two.ds.incremental_runs, 1);
	ck_assert_int_eq(cu__dedup_store(&ref.ds, &ref.st, ref.files, 1, &p, &n), 0);
	same_result(p, n, q, m);
	free(p);
	free(q);
	big_free(&one);
	big_free(&two);
	big_free(&ref);
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
	tcase_add_test(tc, pieces_agree_with_one);
	tcase_add_test(tc, sorted_by_time);
	tcase_add_test(tc, many_keys);
	tcase_add_test(tc, key_is_stable);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
