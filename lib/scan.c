/*
 * scan.c - the scan stage.
 *
 * Files are independent, so workers claim them one at a time from a shared
 * counter and each fills its own entry buffer and model pool; the results
 * are merged after the join. Nothing here depends on which worker read
 * which file: dedup and sorting later make the result deterministic.
 */
#include "scan-private.h"
#include "dedup-private.h"
#include "hash-private.h"
#include "parse-private.h"

#include <claudeusage/cu-context.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK ((size_t)1 << 20)

typedef struct worker {
	cu__files *files;
	const cu__scan_opts *opts;
	atomic_size_t *next;
	cu__jparser *jp;
	char *buf;
	size_t cap;
	cu__scan_out out; /* entries and a model pool local to this worker */
	cu__diags diags;
	int oom;
} worker;

/* The per-file state while its lines are handled. */
typedef struct filescan {
	worker *w;
	uint32_t file;
	const char *path;
	char **cwd;     /* where the first cwd goes, or NULL */
	int64_t line;
} filescan;

static int push_entry(worker *w, const cu__rec *r, uint32_t file, int64_t line)
{
	cu__scan_out *o = &w->out;
	if (o->n % 1024 == 0) {
		cu__entry *v = realloc(o->entries, (o->n + 1024) * sizeof *v);
		if (!v)
			return -1;
		o->entries = v;
	}
	uint32_t model = cu__pool_intern(&o->models, r->model.p ? r->model.p : "", r->model.n);
	if (model == UINT32_MAX)
		return -1;
	cu__entry *e = &o->entries[o->n++];
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
	e->model = model;
	e->flags = (r->has_msg_id ? CU__E_HAS_MSG_ID : 0u) | (r->has_cost ? CU__E_HAS_COST : 0u) |
	           (r->sidechain ? CU__E_SIDECHAIN : 0u) | (r->api_error ? CU__E_API_ERROR : 0u) |
	           (r->fast ? CU__E_FAST : 0u) | (r->from_progress ? CU__E_PROGRESS : 0u);
	if (r->has_msg_id) {
		cu__dedup_key(r->msg_id.p, r->msg_id.n, r->req_id.p ? r->req_id.p : "", r->req_id.n,
		              e->key);
		e->msg_hash = cu__hash64(r->msg_id.p, r->msg_id.n, 0);
	}
	return 0;
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

static void bad_line(filescan *fs, int torn, const char *why)
{
	worker *w = fs->w;
	if (torn) {
		w->out.stats.torn++;
		cu__diags_add(&w->diags, CU_DIAG_TORN_LINE, fs->path, fs->file, fs->line,
		              "incomplete last line skipped (file still being written?)");
	} else {
		w->out.stats.malformed++;
		cu__diags_add(&w->diags, CU_DIAG_MALFORMED_LINE, fs->path, fs->file, fs->line,
		              "line skipped: %s", why);
	}
}

/*
 * One line, without its newline. has_usage says whether the bytes "usage"
 * occur in it; unterminated marks a last line with no newline.
 */
static void handle_line(filescan *fs, const char *p, size_t n, int has_usage, int unterminated)
{
	worker *w = fs->w;
	fs->line++;
	w->out.stats.lines++;
	if (!has_usage) {
		if (!looks_like_object(p, n) && !is_blank(p, n))
			bad_line(fs, unterminated, "not a JSON object");
		return;
	}
	cu__rec rec;
	int rc = w->opts && w->opts->oracle ? CU__LINE_UNSURE : cu__parse_fast(p, n, &rec);
	if (rc == CU__LINE_UNSURE)
		rc = cu__parse_json(w->jp, p, n, &rec);
	if (rc == CU__LINE_BAD) {
		if (!is_blank(p, n))
			bad_line(fs, unterminated, rec.why);
		return;
	}
	if (rc != CU__LINE_ENTRY)
		return;
	w->out.stats.usage_lines++;
	if (fs->cwd && !*fs->cwd && rec.cwd.n > 0)
		*fs->cwd = strndup(rec.cwd.p, rec.cwd.n);
	if (push_entry(w, &rec, fs->file, fs->line) != 0)
		w->oom = 1;
}

/*
 * Handle the complete lines of buf[0..len); returns how many bytes were
 * consumed. "usage" is searched once per run of lines, not once per line.
 */
static size_t handle_lines(filescan *fs, const char *buf, size_t len)
{
	static const char needle[] = "\"usage\"";
	const char *p = buf, *end = buf + len;
	const char *usage = NULL; /* next occurrence at or after p, or end */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if (!usage || usage < p) {
			usage = memmem(p, (size_t)(end - p), needle, sizeof needle - 1);
			if (!usage)
				usage = end;
		}
		handle_line(fs, p, (size_t)(nl - p), usage < nl, 0);
		p = nl + 1;
	}
	return (size_t)(p - buf);
}

/* The last bytes of a file when they lack a newline. */
static void handle_tail(filescan *fs, const char *p, size_t n)
{
	if (n == 0)
		return;
	handle_line(fs, p, n, memmem(p, n, "\"usage\"", 7) != NULL, 1);
}

/* Skip the rest of a line too long to hold; returns 1 when its end was found. */
static int discard_until_newline(worker *w, size_t *len)
{
	char *nl = memchr(w->buf, '\n', *len);
	if (!nl) {
		*len = 0;
		return 0;
	}
	size_t rest = *len - (size_t)(nl + 1 - w->buf);
	memmove(w->buf, nl + 1, rest);
	*len = rest;
	return 1;
}

static void scan_fd(filescan *fs, int fd)
{
	worker *w = fs->w;
	size_t len = 0;
	int discarding = 0;
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
				if (!discarding) {
					fs->line++;
					w->out.stats.lines++;
					bad_line(fs, 0, "line longer than the 128 MiB limit");
				}
				discarding = 1;
				len = 0;
			}
		}
		ssize_t r = read(fd, w->buf + len, w->cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			w->out.stats.file_errors++;
			cu__diags_add(&w->diags, CU_DIAG_FILE_ERROR, fs->path, fs->file, 0,
			              "read failed: %s", strerror(errno));
			return;
		}
		if (r == 0)
			break;
		w->out.stats.bytes += r;
		len += (size_t)r;
		if (discarding) {
			if (!discard_until_newline(w, &len))
				continue;
			discarding = 0;
		}
		size_t used = handle_lines(fs, w->buf, len);
		memmove(w->buf, w->buf + used, len - used);
		len -= used;
		if (w->oom)
			return;
	}
	if (!discarding)
		handle_tail(fs, w->buf, len);
}

static void scan_file(worker *w, uint32_t i)
{
	cu__file *f = &w->files->v[i];
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		w->out.stats.file_errors++;
		cu__diags_add(&w->diags, CU_DIAG_FILE_ERROR, f->path, i, 0, "cannot open: %s",
		              strerror(errno));
		return;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	w->out.stats.files_read++;
	filescan fs = { w, i, f->path, &f->cwd, 0 };
	scan_fd(&fs, fd);
	close(fd);
}

static int worker_init(worker *w)
{
	w->jp = cu__jparser_new();
	w->buf = malloc(CHUNK);
	w->cap = CHUNK;
	cu__pool_init(&w->out.models);
	return w->jp && w->buf ? 0 : -1;
}

static void worker_fini(worker *w)
{
	cu__jparser_free(w->jp);
	free(w->buf);
	cu__scan_clear(&w->out);
	cu__diags_clear(&w->diags);
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	for (;;) {
		size_t i = atomic_fetch_add(w->next, 1);
		if (i >= w->files->n || w->oom)
			break;
		const cu__file *f = &w->files->v[i];
		if (w->opts->min_mtime_ms != INT64_MIN && f->mtime_ms < w->opts->min_mtime_ms)
			continue;
		scan_file(w, (uint32_t)i);
	}
	return NULL;
}

static uint32_t thread_count(const cu__scan_opts *o, size_t nfiles)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t n = o->threads ? o->threads : (cpus > 0 ? (uint32_t)cpus : 1u);
	if (n > 64)
		n = 64;
	if (n > nfiles)
		n = nfiles ? (uint32_t)nfiles : 1u;
	return n;
}

/* Move a worker's entries into out, mapping its model ids to out's. */
static int merge(cu__scan_out *out, worker *w)
{
	cu__scan_out *in = &w->out;
	uint32_t *map = malloc((in->models.count + 1) * sizeof *map);
	if (!map)
		return -1;
	for (size_t m = 0; m < in->models.count; m++) {
		const char *s = cu__pool_str(&in->models, (uint32_t)m);
		map[m] = cu__pool_intern(&out->models, s, strlen(s));
		if (map[m] == UINT32_MAX) {
			free(map);
			return -1;
		}
	}
	cu__entry *v = realloc(out->entries, (out->n + in->n + 1) * sizeof *v);
	if (!v) {
		free(map);
		return -1;
	}
	out->entries = v;
	for (size_t k = 0; k < in->n; k++) {
		cu__entry e = in->entries[k];
		e.model = map[e.model];
		out->entries[out->n++] = e;
	}
	free(map);
	cu__scan_stats *a = &out->stats;
	const cu__scan_stats *b = &in->stats;
	a->files_read += b->files_read;
	a->file_errors += b->file_errors;
	a->bytes += b->bytes;
	a->lines += b->lines;
	a->malformed += b->malformed;
	a->torn += b->torn;
	a->usage_lines += b->usage_lines;
	return 0;
}

int cu__scan(cu__files *files, const cu__scan_opts *opts, cu__scan_out *out, cu__diags *diags)
{
	uint32_t n = thread_count(opts, files->n);
	worker *ws = calloc(n, sizeof *ws);
	pthread_t *tids = calloc(n, sizeof *tids);
	atomic_size_t next;
	int rc = 0;

	atomic_init(&next, 0);
	if (!ws || !tids) {
		free(ws);
		free(tids);
		return -1;
	}
	uint32_t started = 0;
	for (uint32_t i = 0; i < n; i++) {
		ws[i].files = files;
		ws[i].opts = opts;
		ws[i].next = &next;
		if (worker_init(&ws[i]) != 0) {
			rc = -1;
			break;
		}
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
		if (rc == 0 && (ws[i].oom || merge(out, &ws[i]) != 0))
			rc = -1;
		cu__diags_merge(diags, &ws[i].diags);
		worker_fini(&ws[i]);
	}
	cu__diags_sort(diags);
	free(ws);
	free(tids);
	return rc;
}

int cu__scan_buffer(const char *data, size_t len, uint32_t file, int oracle, cu__scan_out *out,
                    cu__diags *diags)
{
	cu__scan_opts opts = { INT64_MIN, 1, oracle };
	worker w;
	memset(&w, 0, sizeof w);
	w.opts = &opts;
	if (worker_init(&w) != 0) {
		worker_fini(&w);
		return -1;
	}
	filescan fs = { &w, file, "(buffer)", NULL, 0 };
	size_t used = handle_lines(&fs, data, len);
	handle_tail(&fs, data + used, len - used);
	w.out.stats.bytes = (int64_t)len;
	int rc = w.oom || merge(out, &w) != 0 ? -1 : 0;
	cu__diags_merge(diags, &w.diags);
	worker_fini(&w);
	return rc;
}

void cu__scan_clear(cu__scan_out *out)
{
	free(out->entries);
	cu__pool_clear(&out->models);
	memset(out, 0, sizeof *out);
}
