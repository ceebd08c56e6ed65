/*
 * scan.c - the scan stage.
 *
 * Files are independent, so workers claim them one at a time from a shared
 * counter. A worker writes only into the state of the files it claimed. It
 * interns models in a pool of its own, and takes the store's pool (under a
 * lock) only for a model it has not met before. Nothing depends on which
 * worker read which file: dedup and sorting later make the result
 * deterministic.
 *
 * Within a file only the best copy of each key is kept (the order of
 * cu__dedup_better), so a file's entries take room for its distinct
 * messages, not for every streamed line; the global dedup then sees the
 * same winners it would have found among all the lines.
 */
#include "scan-private.h"
#include "dedup-private.h"
#include "hash-private.h"
#include "parse-private.h"
#include "par-private.h"

#include <claudeusage/cu-context.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#define CHUNK ((size_t)1 << 19)

/* The in-file dedup table: key -> index in the file's entries. */
typedef struct keytab {
	struct slot {
		uint32_t gen, idx;
	} *v;
	size_t cap, n;  /* cap is a power of two */
	uint32_t gen;   /* slots of other generations are empty */
} keytab;

typedef struct worker {
	cu__store *st;
	const cu__job *jobs;
	size_t njobs;
	const cu__scan_opts *opts;
	atomic_size_t *next;
	cu__jparser *jp;
	char *buf;
	size_t cap;
	keytab keys;
	cu__pool models;  /* the models this worker met */
	uint32_t *store_id; /* their ids in the store's pool, by id in models */
	size_t nstore_id;
	cu__pool *store_models;
	pthread_mutex_t *store_lock;
	uint32_t last_model; /* the previous entry's model, in models, or UINT32_MAX */
	size_t last_model_len;
	cu__scan_stats stats;
	cu__diags errors;
	int oom;
} worker;

/* The per-file state while its lines are handled. */
typedef struct filescan {
	worker *w;
	cu__fstate *f;
	uint32_t file;
	int64_t line;        /* lines handled so far, counting from the file's start */
	char edge[CU__EDGE_BYTES];
	size_t edge_len;     /* the last bytes consumed, for the next append's check */
} filescan;

/* ---- the in-file dedup table ---- */

static void keytab_new_file(keytab *t)
{
	t->n = 0;
	if (++t->gen == 0) {
		/* Wrapped: stale slots could look current. */
		if (t->v)
			memset(t->v, 0, t->cap * sizeof *t->v);
		t->gen = 1;
	}
}

static size_t keytab_home(const keytab *t, const cu__entry *e)
{
	return (size_t)e->key[0] & (t->cap - 1);
}

/* The slot holding e's key among es, or the empty slot where it goes. */
static struct slot *keytab_find(keytab *t, const cu__entry *es, const cu__entry *e)
{
	size_t h = keytab_home(t, e);
	for (;;) {
		struct slot *s = &t->v[h];
		if (s->gen != t->gen)
			return s;
		const cu__entry *o = &es[s->idx];
		if (o->key[0] == e->key[0] && o->key[1] == e->key[1])
			return s;
		h = (h + 1) & (t->cap - 1);
	}
}

static int keytab_grow(keytab *t, const cu__entry *es)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct slot *old = t->v;
	size_t oldcap = t->cap;
	uint32_t oldgen = t->gen;
	t->v = calloc(cap, sizeof *t->v);
	if (!t->v) {
		t->v = old;
		return -1;
	}
	t->cap = cap;
	t->gen = 1;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].gen != oldgen)
			continue;
		struct slot *s = keytab_find(t, es, &es[old[i].idx]);
		*s = (struct slot){ t->gen, old[i].idx };
	}
	free(old);
	return 0;
}

/* Record es[idx] under its key, which must not be in the table yet. */
static int keytab_put(keytab *t, const cu__entry *es, size_t idx)
{
	if ((t->n + 1) * 2 > t->cap && keytab_grow(t, es) != 0)
		return -1;
	*keytab_find(t, es, &es[idx]) = (struct slot){ t->gen, (uint32_t)idx };
	t->n++;
	return 0;
}

/* ---- entries ---- */

static int push_entry(cu__fstate *f, const cu__entry *e)
{
	if (cu__fstate_grow(f) != 0)
		return -1;
	f->e[f->n++] = *e;
	return 0;
}

/* Keep e in the file unless a better copy of its key is already there. */
static int keep_entry(filescan *fs, const cu__entry *e)
{
	cu__fstate *f = fs->f;
	keytab *t = &fs->w->keys;
	if (!(e->flags & CU__E_HAS_MSG_ID))
		return push_entry(f, e);
	if (t->cap) {
		struct slot *s = keytab_find(t, f->e, e);
		if (s->gen == t->gen) {
			cu__entry *o = &f->e[s->idx];
			if (cu__dedup_better(e, o)) {
				f->side_flip |= ((o->flags ^ e->flags) & CU__E_SIDECHAIN) != 0;
				*o = *e;
				o->flags |= CU__E_CHANGED;
			}
			return 0;
		}
	}
	if (push_entry(f, e) != 0)
		return -1;
	return keytab_put(t, f->e, f->n - 1);
}

/* A model new to this worker (its id in w->models): its id in the store's pool. */
static int learn_model(worker *w, uint32_t model)
{
	uint32_t *v = realloc(w->store_id, (model + 1) * sizeof *v);
	if (!v)
		return -1;
	w->store_id = v;
	const char *s = cu__pool_str(&w->models, model);
	pthread_mutex_lock(w->store_lock);
	v[model] = cu__pool_intern(w->store_models, s, strlen(s));
	pthread_mutex_unlock(w->store_lock);
	if (v[model] == UINT32_MAX)
		return -1;
	w->nstore_id = model + 1;
	return 0;
}

static int make_entry(worker *w, const cu__rec *r, uint32_t file, int64_t line, cu__entry *e)
{
	/* Runs of entries share a model: compare with the last before hashing. */
	const char *name = r->model.p ? r->model.p : "";
	uint32_t model = w->last_model;
	if (model == UINT32_MAX || w->last_model_len != r->model.n ||
	    memcmp(cu__pool_str(&w->models, model), name, r->model.n) != 0) {
		model = cu__pool_intern(&w->models, name, r->model.n);
		if (model == UINT32_MAX || (model >= w->nstore_id && learn_model(w, model) != 0))
			return -1;
		w->last_model = model;
		w->last_model_len = strlen(cu__pool_str(&w->models, model));
	}
	memset(e, 0, sizeof *e);
	e->ts_ms = r->ts_ms;
	e->input = r->input;
	e->output = r->output;
	e->cache_create = r->cache_create;
	e->cache_read = r->cache_read;
	e->cache_1h = r->has_split ? r->cache_1h : 0;
	e->line_cost = r->cost_usd;
	e->file = file;
	e->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	e->model = w->store_id[model];
	e->flags = (r->has_msg_id ? CU__E_HAS_MSG_ID : 0u) |
	           (r->has_cost ? CU__E_HAS_COST : 0u) | (r->sidechain ? CU__E_SIDECHAIN : 0u) |
	           (r->api_error ? CU__E_API_ERROR : 0u) | (r->fast ? CU__E_FAST : 0u) |
	           (r->from_progress ? CU__E_PROGRESS : 0u);
	if (r->has_msg_id) {
		cu__dedup_key(r->msg_id.p, r->msg_id.n, r->req_id.p ? r->req_id.p : "", r->req_id.n,
		              e->key);
		e->msg_hash = cu__hash64(r->msg_id.p, r->msg_id.n, 0);
	}
	return 0;
}

/* ---- lines ---- */

#define NEEDLE "\"usage\""
#define NEEDLE_LEN (sizeof NEEDLE - 1)

/*
 * The first line event in p[0..n): a newline, or the needle, whichever
 * comes first. One pass over the bytes instead of two (memchr for the
 * newline, then a needle search): the quote loaded for the newline test is
 * the needle's first byte, and with 'g' and the closing quote at their
 * offsets it picks the places worth a whole compare (letters and quotes are
 * common in JSON; that triple is not). In-memory scan about 5 % faster than
 * two passes, cold 1 GB run 383 -> 364 ms median.
 */
#define EVENT_VECTOR(W, LOAD, EQ, AND, MASK, SET1)                                              \
	const W nl = SET1('\n'), g = SET1('g'), q = SET1('"');                                  \
	size_t i = 0;                                                                           \
	for (; i + sizeof(W) + 6 <= n; i += sizeof(W)) {                                        \
		W v = LOAD(p + i);                                                              \
		unsigned mn = (unsigned)MASK(EQ(v, nl));                                        \
		unsigned mh = (unsigned)MASK(AND(AND(EQ(v, q), EQ(LOAD(p + i + 4), g)),         \
		                                 EQ(LOAD(p + i + 6), q)));                      \
		if ((mn | mh) == 0)                                                             \
			continue;                                                               \
		if (mn)                                                                         \
			mh &= (mn & -mn) - 1; /* needles before the newline */                  \
		for (; mh; mh &= mh - 1) {                                                      \
			unsigned k = (unsigned)__builtin_ctz(mh);                               \
			if (memcmp(p + i + k, NEEDLE, NEEDLE_LEN) == 0)                         \
				return p + i + k;                                               \
		}                                                                               \
		if (mn)                                                                         \
			return p + i + __builtin_ctz(mn);                                       \
	}                                                                                       \
	*stop = i;                                                                              \
	return NULL

#if defined(__SSE2__) && defined(__GNUC__)
#define HAVE_SIMD_FIND 1
#define L128(x) _mm_loadu_si128((const __m128i *)(const void *)(x))
static const char *event_sse2(const char *p, size_t n, size_t *stop)
{
	EVENT_VECTOR(__m128i, L128, _mm_cmpeq_epi8, _mm_and_si128, _mm_movemask_epi8, _mm_set1_epi8);
}
#if defined(__x86_64__) && !defined(__AVX2__)
#include <immintrin.h>
#define HAVE_AVX2_FIND 1
#define L256(x) _mm256_loadu_si256((const __m256i *)(const void *)(x))
__attribute__((target("avx2"))) static const char *event_avx2(const char *p, size_t n,
                                                               size_t *stop)
{
	EVENT_VECTOR(__m256i, L256, _mm256_cmpeq_epi8, _mm256_and_si256, _mm256_movemask_epi8,
	             _mm256_set1_epi8);
}
#endif
#endif

const char *cu__find_line_event(const char *p, size_t n)
{
	size_t i = 0;
#if defined(HAVE_SIMD_FIND)
	const char *hit;
#if defined(HAVE_AVX2_FIND)
	hit = __builtin_cpu_supports("avx2") && !cu__scan_sse2_only ? event_avx2(p, n, &i)
	                                                            : event_sse2(p, n, &i);
#else
	hit = event_sse2(p, n, &i);
#endif
	if (hit)
		return hit;
#endif
	for (; i < n; i++)
		if (p[i] == '\n' || (p[i] == '"' && n - i >= NEEDLE_LEN &&
		                     memcmp(p + i, NEEDLE, NEEDLE_LEN) == 0))
			return p + i;
	return NULL;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The cheap check for lines without usage: they must look like one object. */
static int looks_like_object(const char *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && is_ws(p[i]))
		i++;
	while (n > i && is_ws(p[n - 1]))
		n--;
	return n - i >= 2 && p[i] == '{' && p[n - 1] == '}';
}

static int is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(p[i]))
			return 0;
	return 1;
}

static void bad_line(filescan *fs, const char *why)
{
	fs->f->malformed++;
	cu__diags_add(&fs->f->diags, CU_DIAG_MALFORMED_LINE, NULL, fs->file, fs->line,
	              "line skipped: %s", why);
}

/*
 * Parse one line (without its newline); has_usage says whether the bytes
 * "usage" occur in it. Returns CU__LINE_* with *e filled for an entry.
 */
static int parse_line(filescan *fs, const char *p, size_t n, int has_usage, cu__entry *e,
                      const char **why)
{
	worker *w = fs->w;
	*why = "not a JSON object";
	if (!has_usage)
		return looks_like_object(p, n) || is_blank(p, n) ? CU__LINE_NONE : CU__LINE_BAD;
	cu__rec rec;
	int rc = w->opts->oracle ? CU__LINE_UNSURE : cu__parse_fast(p, n, &rec);
	if (rc == CU__LINE_UNSURE)
		rc = cu__parse_json(w->jp, p, n, &rec);
	if (rc == CU__LINE_BAD) {
		*why = rec.why;
		return is_blank(p, n) ? CU__LINE_NONE : CU__LINE_BAD;
	}
	if (rc != CU__LINE_ENTRY)
		return rc;
	if (!fs->f->cwd && rec.cwd.n > 0 && !(fs->f->cwd = strndup(rec.cwd.p, rec.cwd.n)))
		w->oom = 1;
	if (make_entry(w, &rec, fs->file, fs->line, e) != 0) {
		w->oom = 1;
		return CU__LINE_NONE;
	}
	return CU__LINE_ENTRY;
}

/* A complete line. */
static void handle_line(filescan *fs, const char *p, size_t n, int has_usage)
{
	cu__fstate *f = fs->f;
	fs->line++;
	f->lines++;
	cu__entry e;
	const char *why;
	switch (parse_line(fs, p, n, has_usage, &e, &why)) {
	case CU__LINE_BAD:
		bad_line(fs, why);
		break;
	case CU__LINE_ENTRY:
		f->usage_lines++;
		if (keep_entry(fs, &e) != 0)
			fs->w->oom = 1;
		break;
	default:
		break;
	}
}

/* The last bytes of a file when they lack a newline: kept apart. */
static void handle_tail(filescan *fs, const char *p, size_t n)
{
	cu__fstate *f = fs->f;
	if (n == 0)
		return;
	fs->line++;
	const char *why;
	int has_usage = cu__find_line_event(p, n) != NULL; /* the tail has no newline */
	switch (parse_line(fs, p, n, has_usage, &f->tail, &why)) {
	case CU__LINE_BAD:
		f->tail_state = CU__TAIL_TORN;
		break;
	case CU__LINE_ENTRY:
		f->tail_state = CU__TAIL_ENTRY;
		break;
	default:
		f->tail_state = CU__TAIL_LINE;
		break;
	}
}

/* Remember the last bytes consumed: the next append checks them. */
static void edge_push(filescan *fs, const char *p, size_t n)
{
	if (n >= CU__EDGE_BYTES) {
		memcpy(fs->edge, p + n - CU__EDGE_BYTES, CU__EDGE_BYTES);
		fs->edge_len = CU__EDGE_BYTES;
		return;
	}
	size_t keep = fs->edge_len < CU__EDGE_BYTES - n ? fs->edge_len : CU__EDGE_BYTES - n;
	memmove(fs->edge, fs->edge + fs->edge_len - keep, keep);
	memcpy(fs->edge + keep, p, n);
	fs->edge_len = keep + n;
}

/*
 * Handle the complete lines of buf[0..len); returns how many bytes were
 * consumed. A line is read up to its first event: its newline, or the
 * needle, after which only its newline is searched for.
 */
static size_t handle_lines(filescan *fs, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	while (p < end && !fs->w->oom) {
		const char *nl = cu__find_line_event(p, (size_t)(end - p));
		if (!nl)
			break;
		int has_usage = *nl != '\n';
		if (has_usage) {
			/* The rest of a usage line: the needle holds no newline. */
			nl = memchr(nl + NEEDLE_LEN, '\n', (size_t)(end - nl) - NEEDLE_LEN);
			if (!nl)
				break;
		}
		handle_line(fs, p, (size_t)(nl - p), has_usage);
		p = nl + 1;
	}
	size_t used = (size_t)(p - buf);
	edge_push(fs, buf, used);
	return used;
}

/* Skip the rest of a line too long to hold; returns 1 when its end was found. */
static int discard_until_newline(filescan *fs, char *buf, size_t *len, int64_t *consumed)
{
	char *nl = memchr(buf, '\n', *len);
	size_t drop = nl ? (size_t)(nl + 1 - buf) : *len;
	edge_push(fs, buf, drop);
	*consumed += (int64_t)drop;
	memmove(buf, buf + drop, *len - drop);
	*len -= drop;
	return nl != NULL;
}

void (*cu__scan_read_hook)(const char *path, int64_t bytes_read);
int cu__scan_sse2_only;

/*
 * A file could not be opened or read: counted, kept in its state (reports
 * name it), and handed to the user the first time (unless always).
 */
static void file_failed(worker *w, cu__fstate *f, uint32_t file, int always, const char *what,
                        int err)
{
	char msg[300];
	snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
	w->stats.file_errors++;
	if (always || !f->error)
		cu__diags_add(&w->errors, CU_DIAG_FILE_ERROR, f->path, file, 0, "%s", msg);
	free(f->error);
	f->error = strdup(msg);
}

/* Read fd from its current position, which is fs->f->offset. */
static void scan_fd(filescan *fs, int fd)
{
	worker *w = fs->w;
	cu__fstate *f = fs->f;
	size_t len = 0;
	int64_t consumed = 0;
	int discarding = 0;
	if (!w->buf) {
		/* The first file this worker reads (cu__scan_buffer needs none). */
		if (!(w->buf = malloc(CHUNK))) {
			w->oom = 1;
			return;
		}
		w->cap = CHUNK;
	}
	for (;;) {
		if (len == w->cap) {
			/* One line fills the buffer: grow up to the cap, then skip the line. */
			if (w->cap * 2 <= CU__MAX_LINE) {
				char *b = realloc(w->buf, w->cap * 2);
				if (!b) {
					w->oom = 1;
					return;
				}
				w->buf = b;
				w->cap *= 2;
			} else {
				fs->line++;
				f->lines++;
				bad_line(fs, "line longer than the 128 MiB limit");
				discarding = 1;
				edge_push(fs, w->buf, len);
				consumed += (int64_t)len;
				len = 0;
			}
		}
		ssize_t r = read(fd, w->buf + len, w->cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			file_failed(w, f, fs->file, 1, "read failed", errno);
			break;
		}
		if (r == 0)
			break;
		w->stats.bytes += r;
		len += (size_t)r;
		if (cu__scan_read_hook)
			cu__scan_read_hook(f->path, f->offset + consumed + (int64_t)len);
		if (discarding) {
			if (!discard_until_newline(fs, w->buf, &len, &consumed))
				continue;
			discarding = 0;
		}
		size_t used = handle_lines(fs, w->buf, len);
		consumed += (int64_t)used;
		memmove(w->buf, w->buf + used, len - used);
		len -= used;
		if (w->oom)
			return;
	}
	f->offset += consumed;
	f->edge = cu__hash64(fs->edge, fs->edge_len, 0);
	if (!discarding)
		handle_tail(fs, w->buf, len);
}

/* ---- files ---- */

static int read_exact_at(int fd, char *buf, size_t n, int64_t at)
{
	while (n > 0) {
		ssize_t r = pread(fd, buf, n, (off_t)at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
		at += r;
	}
	return 0;
}

/*
 * Is the open file the one the state describes, grown by appends? The bytes
 * before the offset must be those read last time.
 */
static int same_prefix(int fd, const struct stat *sb, const cu__fstate *f, filescan *fs)
{
	if ((uint64_t)sb->st_dev != f->dev || (uint64_t)sb->st_ino != f->ino ||
	    (int64_t)sb->st_size < f->offset)
		return 0;
	size_t k = f->offset < CU__EDGE_BYTES ? (size_t)f->offset : CU__EDGE_BYTES;
	if (read_exact_at(fd, fs->edge, k, f->offset - (int64_t)k) != 0)
		return 0;
	fs->edge_len = k;
	return cu__hash64(fs->edge, k, 0) == f->edge;
}

static void scan_file(worker *w, const cu__job *job)
{
	cu__fstate *f = &w->st->v[job->file];
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		file_failed(w, f, job->file, 0, "cannot open", err);
		return;
	}
	free(f->error);
	f->error = NULL;
	/* For the dedup stage: what was there before. A tail entry is read again as a line. */
	f->dirty = 1;
	f->reset = f->tail_state == CU__TAIL_ENTRY;
	f->side_flip = 0;
	f->prev_n = f->n;
	filescan fs;
	memset(&fs, 0, sizeof fs);
	fs.w = w;
	fs.f = f;
	fs.file = job->file;
	keytab_new_file(&w->keys);
	if (job->how == CU__READ_APPEND && f->read && same_prefix(fd, &sb, f, &fs) &&
	    lseek(fd, (off_t)f->offset, SEEK_SET) >= 0) {
		/* Carry on: the file's keys so far, then its new lines. */
		for (size_t i = 0; i < f->n && !w->oom; i++)
			if ((f->e[i].flags & CU__E_HAS_MSG_ID) && keytab_put(&w->keys, f->e, i) != 0)
				w->oom = 1;
		fs.line = f->lines;
	} else {
		f->reset |= f->n > 0;
		cu__fstate_reset(f);
		f->prev_n = 0;
		fs.edge_len = 0;
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	f->dev = (uint64_t)sb.st_dev;
	f->ino = (uint64_t)sb.st_ino;
	f->size = (int64_t)sb.st_size;
	f->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	f->tail_state = CU__TAIL_NONE;
	f->read = 1;
	w->stats.files_read++;
	scan_fd(&fs, fd);
	close(fd);
	if (f->cap > f->n + 16) {
		/* Stored until the next load: no slack. */
		cu__entry *e = realloc(f->e, (f->n ? f->n : 1) * sizeof *e);
		if (e) {
			f->e = e;
			f->cap = f->n ? f->n : 1;
		}
	}
}

static int worker_init(worker *w)
{
	w->jp = cu__jparser_new();
	cu__pool_init(&w->models);
	w->last_model = UINT32_MAX;
	return w->jp ? 0 : -1;
}

static void worker_fini(worker *w)
{
	cu__jparser_free(w->jp);
	free(w->buf);
	free(w->keys.v);
	free(w->store_id);
	cu__pool_clear(&w->models);
	cu__diags_clear(&w->errors);
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	for (;;) {
		size_t i = atomic_fetch_add(w->next, 1);
		if (i >= w->njobs || w->oom)
			break;
		scan_file(w, &w->jobs[i]);
	}
	return NULL;
}

int cu__scan(cu__store *st, const cu__job *jobs, size_t njobs, const cu__scan_opts *opts,
             cu__scan_stats *stats, cu__diags *errors)
{
	memset(stats, 0, sizeof *stats);
	if (njobs == 0)
		return 0;
	uint32_t n = cu__par_pieces(opts->threads, njobs, 1);
	worker *ws = calloc(n, sizeof *ws);
	pthread_t *tids = calloc(n, sizeof *tids);
	atomic_size_t next;
	int rc = 0;

	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	atomic_init(&next, 0);
	if (!ws || !tids) {
		free(ws);
		free(tids);
		return -1;
	}
	uint32_t started = 0;
	for (uint32_t i = 0; i < n; i++) {
		ws[i].st = st;
		ws[i].jobs = jobs;
		ws[i].njobs = njobs;
		ws[i].opts = opts;
		ws[i].next = &next;
		ws[i].store_models = &st->models;
		ws[i].store_lock = &lock;
		if (worker_init(&ws[i]) != 0)
			rc = -1;
	}
	/* The calling thread is worker 0; the others get threads of their own. */
	for (uint32_t i = 1; rc == 0 && i < n; i++) {
		if (pthread_create(&tids[i], NULL, worker_main, &ws[i]) != 0)
			break;
		started = i;
	}
	if (rc == 0)
		worker_main(&ws[0]);
	for (uint32_t i = 1; i <= started; i++)
		pthread_join(tids[i], NULL);
	for (uint32_t i = 0; i < n; i++) {
		if (ws[i].oom)
			rc = -1;
		stats->files_read += ws[i].stats.files_read;
		stats->file_errors += ws[i].stats.file_errors;
		stats->bytes += ws[i].stats.bytes;
		cu__diags_merge(errors, &ws[i].errors);
		worker_fini(&ws[i]);
	}
	cu__diags_sort(errors);
	free(ws);
	free(tids);
	return rc;
}

int cu__scan_buffer(const char *data, size_t len, int oracle, cu__fstate *f, cu__pool *models)
{
	cu__scan_opts opts = { 1, oracle };
	cu__store st;
	memset(&st, 0, sizeof st);
	st.v = f;
	st.n = 1;
	st.oracle = oracle;
	worker w;
	memset(&w, 0, sizeof w);
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	w.st = &st;
	w.opts = &opts;
	w.store_models = models;
	w.store_lock = &lock;
	int rc = worker_init(&w);
	if (rc == 0) {
		filescan fs;
		memset(&fs, 0, sizeof fs);
		fs.w = &w;
		fs.f = f;
		fs.line = f->lines;
		keytab_new_file(&w.keys);
		size_t used = handle_lines(&fs, data, len);
		f->offset += (int64_t)used;
		f->edge = cu__hash64(fs.edge, fs.edge_len, 0);
		f->tail_state = CU__TAIL_NONE;
		handle_tail(&fs, data + used, len - used);
		f->read = 1;
		rc = w.oom ? -1 : 0;
	}
	worker_fini(&w);
	return rc;
}
