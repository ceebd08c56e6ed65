/*
 * index.c - the persistent index (see index-private.h).
 *
 * Native byte order and entry layout: the header records both, and an
 * index from another machine or build is simply not used.
 */
#include "index-private.h"
#include "fileio-private.h"
#include "hash-private.h"

#include <claudeusage/cu-version.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "CUINDEX\0"
#define FORMAT 1
#define HEADER 64
#define NO_STRING UINT32_MAX
/* Larger files are not indexes of ours. */
#define MAX_INDEX ((size_t)4 << 30)
/* The token counts the parser accepts, and the flags entries may carry. */
#define MAX_TOKENS INT64_C(1000000000000)
#define ENTRY_FLAGS                                                                        \
	(CU__E_HAS_MSG_ID | CU__E_HAS_COST | CU__E_SIDECHAIN | CU__E_API_ERROR | CU__E_FAST | \
	 CU__E_PROGRESS | CU__E_UNPRICED | CU__E_SYNTHETIC)
/* Set again by pricing on every load. */
#define PRICING_FLAGS (CU__E_UNPRICED | CU__E_SYNTHETIC)

typedef struct header {
	char magic[8];
	uint32_t format, entry_size;
	uint64_t endian;   /* 0x0102030405060708 as written */
	uint64_t config;
	uint64_t length;   /* of the payload */
	uint64_t checksum; /* of the payload */
	char version[16];  /* CU_VERSION_STRING: a new library rebuilds */
} header;

_Static_assert(sizeof(header) <= HEADER, "index header");

uint64_t cu__index_config(char *const *roots, size_t nroots, int exclude_vms, int oracle)
{
	uint64_t h = cu__hash64(CU_VERSION_STRING, strlen(CU_VERSION_STRING), FORMAT);
	for (size_t i = 0; i < nroots; i++)
		h = cu__hash64(roots[i], strlen(roots[i]) + 1, h);
	return h ^ ((uint64_t)(exclude_vms != 0) << 62) ^ ((uint64_t)(oracle != 0) << 61);
}

void cu__index_path(const char *dir, uint64_t config, char *out, size_t size)
{
	snprintf(out, size, "%s/index-%016llx.bin", dir, (unsigned long long)config);
}

/* ---- writing ---- */

typedef struct wbuf {
	char *p;
	size_t n, cap;
	int oom;
} wbuf;

static void put(wbuf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->n + n)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->oom = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put_u32(wbuf *b, uint32_t v)
{
	put(b, &v, sizeof v);
}

static void put_u64(wbuf *b, uint64_t v)
{
	put(b, &v, sizeof v);
}

static void put_str(wbuf *b, const char *s)
{
	if (!s) {
		put_u32(b, NO_STRING);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	put(b, s, n);
}

int cu__index_write(const char *dir, const char *path, uint64_t config, const cu__store *st)
{
	wbuf b = { 0 };
	char zero[HEADER] = { 0 };
	put(&b, zero, HEADER);
	put_u32(&b, (uint32_t)st->models.count);
	for (size_t m = 0; m < st->models.count; m++)
		put_str(&b, cu__pool_str(&st->models, (uint32_t)m));
	uint32_t nfiles = 0;
	for (size_t i = 0; i < st->n; i++)
		nfiles += st->v[i].read != 0;
	put_u32(&b, nfiles);
	for (size_t i = 0; i < st->n; i++) {
		const cu__fstate *f = &st->v[i];
		if (!f->read)
			continue;
		put_str(&b, f->path);
		int64_t nums[] = { (int64_t)f->dev, (int64_t)f->ino, f->size, f->mtime_ns, f->offset,
			           (int64_t)f->edge, f->lines, f->malformed, f->usage_lines };
		put(&b, nums, sizeof nums);
		put_str(&b, f->cwd);
		put_u32(&b, (uint32_t)f->tail_state);
		if (f->tail_state == CU__TAIL_ENTRY)
			put(&b, &f->tail, sizeof f->tail);
		put_u32(&b, (uint32_t)f->diags.n);
		put_u64(&b, f->diags.dropped);
		for (size_t d = 0; d < f->diags.n; d++) {
			put_u32(&b, (uint32_t)f->diags.v[d].kind);
			put_u64(&b, (uint64_t)f->diags.v[d].line);
			put_str(&b, f->diags.v[d].msg);
		}
		put_u64(&b, f->n);
		put(&b, f->e, f->n * sizeof *f->e);
	}
	if (b.oom || cu__mkdir_p(dir) != 0) {
		free(b.p);
		return -1;
	}
	header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, MAGIC, 8);
	h.format = FORMAT;
	h.entry_size = sizeof(cu__entry);
	h.endian = UINT64_C(0x0102030405060708);
	h.config = config;
	h.length = b.n - HEADER;
	h.checksum = cu__checksum(b.p + HEADER, b.n - HEADER);
	snprintf(h.version, sizeof h.version, "%s", CU_VERSION_STRING);
	memcpy(b.p, &h, sizeof h);
	/*
	 * No fsync: after a crash a torn index fails its checksum and is
	 * rebuilt, which costs one full read, not a wrong result.
	 */
	cu__iov part = { b.p, b.n };
	int rc = cu__write_atomic(dir, path, &part, 1, 0);
	free(b.p);
	return rc;
}

/* ---- reading: every length and value is checked ---- */

typedef struct rbuf {
	const char *p, *end;
	int bad;
} rbuf;

static const void *take(rbuf *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	const void *q = r->p;
	r->p += n;
	return q;
}

static uint32_t get_u32(rbuf *r)
{
	uint32_t v = 0;
	const void *q = take(r, sizeof v);
	if (q)
		memcpy(&v, q, sizeof v);
	return v;
}

static uint64_t get_u64(rbuf *r)
{
	uint64_t v = 0;
	const void *q = take(r, sizeof v);
	if (q)
		memcpy(&v, q, sizeof v);
	return v;
}

/* A string, or NULL for an absent one (*absent set) or a bad one (r->bad). */
static char *get_str(rbuf *r, int *absent)
{
	uint32_t n = get_u32(r);
	*absent = !r->bad && n == NO_STRING;
	if (r->bad || n == NO_STRING)
		return NULL;
	const char *s = take(r, n);
	if (!s || memchr(s, '\0', n)) {
		r->bad = 1;
		return NULL;
	}
	char *c = strndup(s, n);
	if (!c)
		r->bad = 1;
	return c;
}

static int entry_ok(cu__entry *e, const uint32_t *map, uint32_t nmodels)
{
	if (e->input < 0 || e->input > MAX_TOKENS || e->output < 0 || e->output > MAX_TOKENS ||
	    e->cache_create < 0 || e->cache_create > MAX_TOKENS || e->cache_read < 0 ||
	    e->cache_read > MAX_TOKENS || e->cache_1h < 0 || e->cache_1h > e->cache_create ||
	    !isfinite(e->line_cost) || e->model >= nmodels || (e->flags & ~(uint32_t)ENTRY_FLAGS))
		return 0;
	e->model = map[e->model];
	e->flags &= ~(uint32_t)PRICING_FLAGS;
	e->cost = 0;
	e->file = 0;
	return 1;
}

static int read_file_state(rbuf *r, cu__fstate *f, const uint32_t *map, uint32_t nmodels)
{
	int absent;
	f->path = get_str(r, &absent);
	if (!f->path)
		return -1;
	int64_t nums[9];
	const void *q = take(r, sizeof nums);
	if (!q)
		return -1;
	memcpy(nums, q, sizeof nums);
	f->dev = (uint64_t)nums[0];
	f->ino = (uint64_t)nums[1];
	f->size = nums[2];
	f->mtime_ns = nums[3];
	f->offset = nums[4];
	f->edge = (uint64_t)nums[5];
	f->lines = nums[6];
	f->malformed = nums[7];
	f->usage_lines = nums[8];
	if (f->size < 0 || f->offset < 0 || f->lines < 0 || f->malformed < 0 ||
	    f->usage_lines < 0 || f->malformed > f->lines || f->usage_lines > f->lines)
		return -1;
	f->cwd = get_str(r, &absent);
	if (r->bad)
		return -1;
	f->tail_state = (int32_t)get_u32(r);
	if (f->tail_state < CU__TAIL_NONE || f->tail_state > CU__TAIL_LINE)
		return -1;
	if (f->tail_state == CU__TAIL_ENTRY) {
		if (!(q = take(r, sizeof f->tail)))
			return -1;
		memcpy(&f->tail, q, sizeof f->tail);
		if (!entry_ok(&f->tail, map, nmodels))
			return -1;
	}
	uint32_t nd = get_u32(r);
	uint64_t dropped = get_u64(r);
	if (r->bad || nd > CU__DIAG_MAX || dropped > (uint64_t)f->lines)
		return -1;
	for (uint32_t d = 0; d < nd; d++) {
		int32_t kind = (int32_t)get_u32(r);
		int64_t line = (int64_t)get_u64(r);
		char *msg = get_str(r, &absent);
		if (!msg || kind < 1 || kind > 5) {
			free(msg);
			return -1;
		}
		cu__diags_add(&f->diags, kind, NULL, 0, line, "%s", msg);
		free(msg);
	}
	f->diags.dropped += (size_t)dropped;
	uint64_t n = get_u64(r);
	if (r->bad || n > (uint64_t)(r->end - r->p) / sizeof(cu__entry))
		return -1;
	if (n) {
		f->e = malloc((size_t)n * sizeof *f->e);
		if (!f->e)
			return -1;
		memcpy(f->e, take(r, (size_t)n * sizeof *f->e), (size_t)n * sizeof *f->e);
		f->n = f->cap = (size_t)n;
		for (size_t i = 0; i < f->n; i++)
			if (!entry_ok(&f->e[i], map, nmodels))
				return -1;
	}
	f->read = 1;
	return 0;
}

static int parse(const char *data, size_t len, uint64_t config, cu__store *st)
{
	header h;
	if (len < HEADER)
		return -1;
	memcpy(&h, data, sizeof h);
	if (memcmp(h.magic, MAGIC, 8) != 0 || h.format != FORMAT ||
	    h.entry_size != sizeof(cu__entry) || h.endian != UINT64_C(0x0102030405060708) ||
	    h.config != config || h.length != len - HEADER ||
	    strncmp(h.version, CU_VERSION_STRING, sizeof h.version) != 0 ||
	    cu__checksum(data + HEADER, len - HEADER) != h.checksum)
		return -1;
	rbuf r = { data + HEADER, data + len, 0 };
	uint32_t nmodels = get_u32(&r);
	if (r.bad || nmodels > (size_t)(r.end - r.p) / 4)
		return -1;
	uint32_t *map = malloc(((size_t)nmodels + 1) * sizeof *map);
	if (!map)
		return -1;
	for (uint32_t m = 0; m < nmodels && !r.bad; m++) {
		int absent;
		char *s = get_str(&r, &absent);
		map[m] = s ? cu__pool_intern(&st->models, s, strlen(s)) : UINT32_MAX;
		if (map[m] == UINT32_MAX)
			r.bad = 1;
		free(s);
	}
	uint32_t nfiles = get_u32(&r);
	if (r.bad || nfiles > (size_t)(r.end - r.p) / 64) {
		free(map);
		return -1;
	}
	st->v = calloc((size_t)nfiles + 1, sizeof *st->v);
	int rc = st->v ? 0 : -1;
	for (uint32_t i = 0; i < nfiles && rc == 0; i++) {
		rc = read_file_state(&r, &st->v[i], map, nmodels);
		st->n = i + 1;
		/* The store is sorted by path, strictly. */
		if (rc == 0 && i > 0 && strcmp(st->v[i - 1].path, st->v[i].path) >= 0)
			rc = -1;
	}
	if (rc == 0 && r.p != r.end)
		rc = -1;
	free(map);
	return rc;
}

int cu__index_read(const char *path, uint64_t config, cu__store *st)
{
	size_t len;
	int err;
	char *data = cu__read_file(path, MAX_INDEX, &len, &err);
	if (!data)
		return -1;
	int oracle = st->oracle;
	int rc = parse(data, len, config, st);
	free(data);
	if (rc != 0) {
		cu__store_clear(st);
		st->oracle = oracle;
	}
	return rc;
}
