/*
 * price-source.c - the price table in use: from a file, from the cache,
 * downloaded with libcurl, or the embedded one.
 *
 * The cache keeps, per URL, one file of two lines: a small JSON object of
 * metadata (when fetched, ETag, Last-Modified) and the Claude entries of the
 * table as compact LiteLLM JSON, so that a warm run parses a few kB instead
 * of LiteLLM's whole file. It is replaced atomically (temp file in the same
 * directory, fsync, rename) and only by a table that parsed; a cache that
 * does not parse is ignored, and replaced by the next good download.
 */
#include "price-source-private.h"
#include "fileio-private.h"
#include "hash-private.h"

#include <claudeusage/cu-version.h>

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_FORMAT "claude-usage-prices"
#define CACHE_VERSION 1
#define DEFAULT_TIMEOUT_MS 10000
#define MAX_CACHE_BYTES ((size_t)4 << 20)

typedef struct meta {
	int64_t fetched;
	char etag[256];
	char last_modified[128];
} meta;

static void cache_paths(const cu__pricing_opts *o, const char *url, char *dir, size_t dsize,
                        char *file, size_t fsize)
{
	cu__cache_dir(o->cache_dir, dir, dsize);
	uint64_t h = cu__hash64(url, strlen(url), 0);
	snprintf(file, fsize, "%s/prices-%016llx.json", dir, (unsigned long long)h);
}

/* ---- the cache ---- */

static void copy_field(json_t *obj, const char *key, char *out, size_t size)
{
	const char *s = json_string_value(json_object_get(obj, key));
	snprintf(out, size, "%s", s ? s : "");
}

/*
 * Read and parse a cache file; NULL when absent or not valid. *models gets
 * the text of its table line (free() it), for rewriting the file as is.
 */
static cu__pricetab *cache_read(const char *path, const char *url, meta *m, char **models)
{
	size_t len;
	int err;
	char *text = cu__read_file(path, MAX_CACHE_BYTES, &len, &err);
	if (!text)
		return NULL;
	cu__pricetab *tab = NULL;
	char *nl = memchr(text, '\n', len);
	json_t *head = nl ? json_loadb(text, (size_t)(nl - text), 0, NULL) : NULL;
	const char *fmt = json_string_value(json_object_get(head, "format"));
	const char *curl = json_string_value(json_object_get(head, "url"));
	if (fmt && strcmp(fmt, CACHE_FORMAT) == 0 &&
	    json_integer_value(json_object_get(head, "version")) == CACHE_VERSION && curl &&
	    strcmp(curl, url) == 0) {
		m->fetched = json_integer_value(json_object_get(head, "fetched"));
		copy_field(head, "etag", m->etag, sizeof m->etag);
		copy_field(head, "lastModified", m->last_modified, sizeof m->last_modified);
		char e[256];
		size_t rest = len - (size_t)(nl + 1 - text);
		if (cu__pricetab_parse(nl + 1, rest, CU__SRC_CACHE, &tab, e, sizeof e) == 0)
			*models = strndup(nl + 1, rest);
		else
			tab = NULL;
	}
	json_decref(head);
	free(text);
	return tab;
}

static int cache_write(const char *dir, const char *path, const char *url, const meta *m,
                       const char *kept)
{
	if (!dir[0] || cu__mkdir_p(dir) != 0)
		return -1;
	json_t *head = json_pack("{s:s, s:i, s:s, s:I, s:s, s:s}", "format", CACHE_FORMAT,
	                         "version", CACHE_VERSION, "url", url, "fetched",
	                         (json_int_t)m->fetched, "etag", m->etag, "lastModified",
	                         m->last_modified);
	char *h = head ? json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(head);
	if (!h)
		return -1;
	size_t hn = strlen(h);
	char *line = malloc(hn + 2);
	int rc = -1;
	if (line) {
		memcpy(line, h, hn);
		line[hn] = '\n';
		line[hn + 1] = '\0';
		cu__iov parts[2] = { { line, hn + 1 }, { kept, strlen(kept) } };
		rc = cu__write_atomic(dir, path, parts, 2, 1);
	}
	free(line);
	free(h);
	return rc;
}

/* ---- the download ---- */

/*
 * libcurl is loaded when a download is first wanted, not linked: loading it
 * and the thirty-odd libraries it needs cost every process about 4 ms, and
 * most runs download nothing (a fresh cache, --offline, a price file).
 */
static struct curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;
static char curl_why[200]; /* why it is not ready */

static void curl_init(void)
{
	static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };
	static const struct {
		size_t at;
		const char *name;
	} fns[] = {
		{ offsetof(struct curl_api, global_init), "curl_global_init" },
		{ offsetof(struct curl_api, easy_init), "curl_easy_init" },
		{ offsetof(struct curl_api, easy_setopt), "curl_easy_setopt" },
		{ offsetof(struct curl_api, easy_perform), "curl_easy_perform" },
		{ offsetof(struct curl_api, easy_getinfo), "curl_easy_getinfo" },
		{ offsetof(struct curl_api, easy_cleanup), "curl_easy_cleanup" },
		{ offsetof(struct curl_api, easy_strerror), "curl_easy_strerror" },
		{ offsetof(struct curl_api, slist_append), "curl_slist_append" },
		{ offsetof(struct curl_api, slist_free_all), "curl_slist_free_all" },
	};
	void *lib = NULL;
	for (size_t i = 0; !lib && i < sizeof sonames / sizeof *sonames; i++)
		lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(curl_why, sizeof curl_why, "libcurl could not be loaded: %s", dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
		void *fn = dlsym(lib, fns[i].name);
		if (!fn) {
			snprintf(curl_why, sizeof curl_why, "libcurl lacks %s", fns[i].name);
			return;
		}
		/* POSIX: a function's address comes back as a void *. */
		memcpy((char *)&curl + fns[i].at, &fn, sizeof fn);
	}
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(curl_why, sizeof curl_why, "libcurl could not be initialised");
		return;
	}
	curl_ready = 1;
}

typedef struct body {
	char *p;
	size_t n, cap;
	int too_big;
	meta *m;
} body;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	body *b = ud;
	size_t n = size * nmemb;
	if (b->n + n > CU__PRICING_MAX_BYTES) {
		b->too_big = 1;
		return 0; /* aborts the transfer */
	}
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, ptr, n);
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

/* Keep ETag and Last-Modified of the final response. */
static size_t on_header(char *ptr, size_t size, size_t nitems, void *ud)
{
	body *b = ud;
	size_t n = size * nitems;
	if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		/* A new response (after a redirect): forget the previous one's validators. */
		b->m->etag[0] = '\0';
		b->m->last_modified[0] = '\0';
		return n;
	}
	struct { const char *name; char *out; size_t size; } want[] = {
		{ "etag:", b->m->etag, sizeof b->m->etag },
		{ "last-modified:", b->m->last_modified, sizeof b->m->last_modified },
	};
	for (size_t i = 0; i < 2; i++) {
		size_t k = strlen(want[i].name);
		if (n > k && strncasecmp(ptr, want[i].name, k) == 0) {
			const char *v = ptr + k;
			size_t vn = n - k;
			while (vn && (*v == ' ' || *v == '\t')) {
				v++;
				vn--;
			}
			while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
				vn--;
			if (vn < want[i].size) {
				memcpy(want[i].out, v, vn);
				want[i].out[vn] = '\0';
			}
		}
	}
	return n;
}

enum { DL_OK, DL_NOT_MODIFIED, DL_FAILED };

/*
 * GET the URL, conditional on the cached copy's validators. On DL_OK the
 * body is in b and the new validators in got; on failure why says why.
 */
static int download(const cu__pricing_opts *o, const char *url, const meta *cached, body *b,
                    meta *got, char *why, size_t wsize)
{
	pthread_once(&curl_once, curl_init);
	if (!curl_ready) {
		snprintf(why, wsize, "%s", curl_why);
		return DL_FAILED;
	}
	CURL *c = curl.easy_init();
	if (!c) {
		snprintf(why, wsize, "out of memory");
		return DL_FAILED;
	}
	struct curl_slist *hdrs = NULL;
	char h[512];
	if (cached && cached->etag[0]) {
		snprintf(h, sizeof h, "If-None-Match: %s", cached->etag);
		hdrs = curl.slist_append(hdrs, h);
	}
	if (cached && cached->last_modified[0]) {
		snprintf(h, sizeof h, "If-Modified-Since: %s", cached->last_modified);
		hdrs = curl.slist_append(hdrs, h);
	}
	long timeout = o->timeout_ms ? (long)o->timeout_ms : DEFAULT_TIMEOUT_MS;
	b->m = got;
	curl.easy_setopt(c, CURLOPT_URL, url);
	curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	/* An https table is never fetched over plain http, redirects included. */
	curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
	                 strncasecmp(url, "https:", 6) == 0 ? "https" : "http,https");
	curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl.easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* Always verified: no setting and no environment variable turns this off. */
	curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)CU__PRICING_MAX_BYTES);
	curl.easy_setopt(c, CURLOPT_USERAGENT, "claude-usage/" CU_VERSION_STRING " (libclaudeusage)");
	curl.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl.easy_setopt(c, CURLOPT_HEADERDATA, b);
	CURLcode rc = curl.easy_perform(c);
	long status = 0;
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl.easy_cleanup(c);
	curl.slist_free_all(hdrs);

	if (b->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(why, wsize, "the table is larger than %zu MiB", CU__PRICING_MAX_BYTES >> 20);
		return DL_FAILED;
	}
	if (rc != CURLE_OK) {
		snprintf(why, wsize, "%s", curl.easy_strerror(rc));
		return DL_FAILED;
	}
	if (status == 304)
		return DL_NOT_MODIFIED;
	if (status != 200 && status != 0) { /* 0: file:// */
		snprintf(why, wsize, "HTTP status %ld", status);
		return DL_FAILED;
	}
	return DL_OK;
}

/* ---- choosing ---- */

static int load_file(const cu__pricing_opts *o, cu__pricetab **out, cu__pricing_info *info,
                     char *err, size_t errlen)
{
	size_t len;
	int e = 0;
	char *text = cu__read_file(o->file, (size_t)256 << 20, &len, &e);
	if (!text) {
		snprintf(err, errlen, "cannot read price table %s: %s", o->file, strerror(e));
		return -1;
	}
	char why[256];
	int rc = cu__pricetab_parse(text, len, CU__SRC_FILE, out, why, sizeof why);
	free(text);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", o->file, why);
		return -1;
	}
	info->source = CU__SRC_FILE;
	snprintf(info->location, sizeof info->location, "%s", o->file);
	return 0;
}

static int fallback(cu__pricetab *cached, const meta *m, const char *path, cu__pricetab **out,
                    cu__pricing_info *info, char *err, size_t errlen)
{
	if (cached) {
		*out = cached;
		info->source = CU__SRC_CACHE;
		info->fetched_s = m->fetched;
		snprintf(info->location, sizeof info->location, "%s", path);
		return 0;
	}
	info->source = CU__SRC_EMBEDDED;
	if (cu__pricetab_embedded(out) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int cu__pricing_load(const cu__pricing_opts *o, cu__pricetab **out, cu__pricing_info *info,
                     char *err, size_t errlen)
{
	memset(info, 0, sizeof *info);
	*out = NULL;
	if (o->file)
		return load_file(o, out, info, err, errlen);

	const char *url = o->url && *o->url ? o->url : CU__PRICING_DEFAULT_URL;
	char dir[1024], path[1100];
	cache_paths(o, url, dir, sizeof dir, path, sizeof path);
	meta m;
	memset(&m, 0, sizeof m);
	char *models = NULL;
	cu__pricetab *cached = dir[0] ? cache_read(path, url, &m, &models) : NULL;
	int fresh = cached && o->now_s - m.fetched < CU__PRICING_MAX_AGE_S && m.fetched <= o->now_s;
	body b = { NULL, 0, 0, 0, NULL };
	meta got;
	memset(&got, 0, sizeof got);
	char why[256] = "";
	int dl = o->offline || fresh ? DL_NOT_MODIFIED
	                             : download(o, url, cached ? &m : NULL, &b, &got, why, sizeof why);
	if (dl == DL_NOT_MODIFIED && cached) {
		if (!o->offline && !fresh) {
			/* Still current: keep it, with its validators, for another day. */
			m.fetched = o->now_s;
			if (got.etag[0])
				memcpy(m.etag, got.etag, sizeof m.etag);
			cache_write(dir, path, url, &m, models);
		}
		free(models);
		free(b.p);
		return fallback(cached, &m, path, out, info, err, errlen);
	}
	free(models);
	if (o->offline) /* and no cache: the embedded table, silently */
		return fallback(NULL, &m, path, out, info, err, errlen);
	if (dl == DL_OK) {
		char *kept = NULL;
		cu__pricetab *tab = NULL;
		if (cu__pricetab_parse_keep(b.p ? b.p : "", b.n, CU__SRC_DOWNLOAD, &tab, &kept, why,
		                            sizeof why) == 0) {
			got.fetched = o->now_s;
			if (cache_write(dir, path, url, &got, kept) != 0)
				snprintf(info->note, sizeof info->note,
				         "prices downloaded, but the price cache %.400s could not be written",
				         dir[0] ? dir : "(no cache directory)");
			free(kept);
			free(b.p);
			cu__pricetab_free(cached);
			*out = tab;
			info->source = CU__SRC_DOWNLOAD;
			info->fetched_s = o->now_s;
			snprintf(info->location, sizeof info->location, "%s", url);
			return 0;
		}
	}
	free(b.p);
	if (dl == DL_NOT_MODIFIED)
		snprintf(why, sizeof why, "the server answered 304 but there is no cached copy");
	snprintf(info->note, sizeof info->note,
	         "could not update the price table from %s (%s); using the %s", url, why,
	         cached ? "cached table" : "embedded table");
	return fallback(cached, &m, path, out, info, err, errlen);
}
