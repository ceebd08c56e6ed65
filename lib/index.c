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
#define FORMAT 3
#define HEADER 96
#define NO_STRING UINT32_MAX
/* Larger files are not indexes of ours. */
#define MAX_INDEX ((size_t)4 << 30)
/* The token counts the parser accepts, and the flags entries may carry. */
#define MAX_TOKENS INT64_C(1000000000000)
#define ENTRY_FLAGS                                                                        \
	(CU__E_HAS_MSG_ID | CU__E_HAS_COST | CU__E_SIDECHAIN | CU__E_API_ERROR | CU__E_FAST | \
	 CU__E_PROGRESS | CU__E_UNPRICED | CU__E_SYNTHETIC | CU__E_PRICED)

typedef struct header {
	char magic[8];
	uint32_t format, entry_size;
	uint64_t endian;   /* 0x0102030405060708 as written */
	uint64_t config;
	uint64_t length;   /* of the payload */
	uint64_t checksum; /* of the payload */
	char version[16];  /* CU_VERSION_STRING: a new library rebuilds */
	uint64_t pricing;  /* fingerprint of the pricing the entries' costs follow, or 0 */
} header;

_Static_assert(sizeof(header) <= HEADER, "index header");

/* Of the payload and the pricing fingerprint, which is in the header. */
static uint64_t checksum(const char *payload, size_t n, uint64_t pricing)
{
	return cu__checksum(payload, n) ^ cu__hash64(&pricing, sizeof pricing, 0);
}

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
	if (n) /* p may be NULL then (a file without entries) */
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

/* Entries start on an 8-byte boundary of the file, so that they are used in place. */
static void put_align(wbuf *b)
{
	static const char zero[8];
	put(b, zero, (8 - b->n % 8) % 8);
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

int cu__index_write(const char *dir, const char *path, uint64_t config, const cu__store *st,
                    const cu__dedup_state *ds, uint64_t pricing)
{
	/* Files are saved by ordinal among those read: uid -> ordinal. */
	size_t nuid = st->next_uid;
	for (size_t i = 0; i < st->n; i++)
		nuid = st->v[i].uid >= nuid ? (size_t)st->v[i].uid + 1 : nuid;
	uint32_t *ord = malloc((nuid + 1) * sizeof *ord);
	if (!ord)
		return -1;
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
	for (size_t i = 0, k = 0; i < st->n; i++) {
		const cu__fstate *f = &st->v[i];
		ord[f->uid] = f->read ? (uint32_t)k++ : UINT32_MAX;
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
		put_align(&b);
		put(&b, f->e, f->n * sizeof *f->e);
	}
	/* The dedup result, so that an unchanged history needs no dedup. */
	size_t nwin = ds && ds->valid ? ds->n : 0;
	put_u64(&b, nwin);
	for (size_t i = 0; i < nwin; i++) {
		uint32_t o = ord[ds->win[i].uid];
		cu__kept k = { ds->win[i].ts, o, ds->win[i].idx };
		b.oom |= o == UINT32_MAX;
		put(&b, &k, sizeof k);
	}
	free(ord);
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
	h.checksum = checksum(b.p + HEADER, b.n - HEADER, pricing);
	snprintf(h.version, sizeof h.version, "%s", CU_VERSION_STRING);
	h.pricing = pricing;
	memcpy(b.p, &h, sizeof h);
	/*
	 * No fsync: after a crash a torn index fails its checksum and is
	 * rebuilt, which costs one full read, not a wrong result. Syncing the
	 * 29 MB index of a 1 GB history took a first run here from 0.35 s to
	 * 1.3-7 s (2026-11-24), and the live monitor rewrites it every change.
	 */
	cu__iov part = { b.p, b.n };
	int rc = cu__write_atomic(dir, path, &part, 1, 0);
	free(b.p);
	return rc;
}

/* ---- reading: every length and value is checked ---- */

typedef struct rbuf {
	const char *start, *p, *end;
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

/*
 * Check an entry where it lies. It is written to only when its model id
 * differs in this process: an unchanged index stays shared with the page
 * cache.
 */
static int entry_ok(cu__entry *e, const uint32_t *map, uint32_t nmodels, uint32_t file)
{
	if (e->input < 0 || e->input > MAX_TOKENS || e->output < 0 || e->output > MAX_TOKENS ||
	    e->cache_create < 0 || e->cache_create > MAX_TOKENS || e->cache_read < 0 ||
	    e->cache_read > MAX_TOKENS || e->cache_1h < 0 || e->cache_1h > e->cache_create ||
	    !isfinite(e->line_cost) || !isfinite(e->cost) || e->model >= nmodels ||
	    (e->flags & ~(uint32_t)ENTRY_FLAGS) || e->file != file)
		return 0;
	if (map[e->model] != e->model)
		e->model = map[e->model];
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
		if (!entry_ok(&f->tail, map, nmodels, f->tail.file))
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
	take(r, (size_t)(r->p - r->start) % 8 ? 8 - (size_t)(r->p - r->start) % 8 : 0);
	if (r->bad || n > (uint64_t)(r->end - r->p) / sizeof(cu__entry))
		return -1;
	if (n) {
		/* Used where they lie, in the index's buffer: cap 0 marks them borrowed. */
		f->e = (cu__entry *)(uintptr_t)take(r, (size_t)n * sizeof *f->e);
		f->n = (size_t)n;
		f->cap = 0;
		/* The entries of a file share its index of the time. */
		for (size_t i = 0; i < f->n; i++)
			if (!entry_ok(&f->e[i], map, nmodels, f->e[0].file))
				return -1;
	}
	f->read = 1;
	return 0;
}

/* The saved dedup result; one that does not fit is dropped, not the index. */
static int read_win(rbuf *r, cu__store *st, cu__dedup_state *ds)
{
	uint64_t n = get_u64(r);
	if (r->bad || n > (uint64_t)(r->end - r->p) / sizeof(cu__kept))
		return -1;
	cu__kept *win = malloc(((size_t)n + 1) * sizeof *win);
	if (!win)
		return -1;
	memcpy(win, take(r, (size_t)n * sizeof *win), (size_t)n * sizeof *win);
	if (n)
		cu__dedup_adopt(ds, st, win, (size_t)n);
	else
		free(win);
	return 0;
}

static int parse(char *data, size_t len, uint64_t config, cu__store *st, cu__dedup_state *ds,
                 uint64_t *pricing)
{
	header h;
	if (len < HEADER)
		return -1;
	memcpy(&h, data, sizeof h);
	if (memcmp(h.magic, MAGIC, 8) != 0 || h.format != FORMAT ||
	    h.entry_size != sizeof(cu__entry) || h.endian != UINT64_C(0x0102030405060708) ||
	    h.config != config || h.length != len - HEADER ||
	    strncmp(h.version, CU_VERSION_STRING, sizeof h.version) != 0 ||
	    checksum(data + HEADER, len - HEADER, h.pricing) != h.checksum)
		return -1;
	*pricing = h.pricing;
	rbuf r = { data, data + HEADER, data + len, 0 };
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
		st->v[i].uid = i;
	}
	st->next_uid = nfiles;
	if (rc == 0)
		rc = read_win(&r, st, ds);
	if (rc == 0 && r.p != r.end)
		rc = -1;
	free(map);
	return rc;
}

int cu__index_read(const char *path, uint64_t config, cu__store *st, cu__dedup_state *ds,
                   uint64_t *pricing)
{
	size_t len = 0;
	int err;
	char *data = cu__map_file(path, MAX_INDEX, &len, &err);
	if (!data)
		return -1;
	int oracle = st->oracle;
	st->arena = data; /* the entries stay in it */
	st->arena_len = len;
	st->priced = 1;   /* with the costs saved */
	int rc = parse(data, len, config, st, ds, pricing);
	if (rc != 0) {
		cu__store_clear(st);
		cu__dedup_state_clear(ds);
		st->oracle = oracle;
	}
	return rc;
}
