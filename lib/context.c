/*
 * context.c - the context: configuration, and cu_ctx_load(), which runs the
 * pipeline discover -> scan -> dedup -> price.
 */
#include "context-private.h"
#include "dedup-private.h"
#include "fileio-private.h"
#include "hash-private.h"
#include "index-private.h"
#include "par-private.h"

#include <claudeusage/cu-pricing.h>
#include <claudeusage/cu-status.h>

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* Set in status.c: the detail of failures that have no context. */
void cu__set_last_error(const char *fmt, ...);

int cu__ctx_error(cu_ctx *ctx, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
	va_end(ap);
	return status;
}

static int ok(cu_ctx *ctx)
{
	ctx->err[0] = '\0';
	return CU_OK;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int push_str(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return -1;
	(*n)++;
	return 0;
}

static const char *home_dir(char *buf, size_t size)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	struct passwd pw, *res = NULL;
	if (getpwuid_r(getuid(), &pw, buf, size, &res) == 0 && res && res->pw_dir)
		return res->pw_dir;
	return NULL;
}

/* $CLAUDE_CONFIG_DIR (comma-separated), else ~/.config/claude and ~/.claude. */
static int compute_default_roots(cu_ctx *ctx)
{
	free_strv(ctx->default_roots, ctx->ndefault_roots);
	ctx->default_roots = NULL;
	ctx->ndefault_roots = 0;
	const char *env = getenv("CLAUDE_CONFIG_DIR");
	if (env && *env) {
		const char *p = env;
		while (*p) {
			const char *comma = strchr(p, ',');
			const char *end = comma ? comma : p + strlen(p);
			const char *s = p;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			const char *e = end;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (e > s && push_str(&ctx->default_roots, &ctx->ndefault_roots, s, (size_t)(e - s)))
				return -1;
			p = comma ? comma + 1 : end;
		}
		if (ctx->ndefault_roots)
			return 0;
	}
	char pwbuf[4096], path[4096];
	const char *home = home_dir(pwbuf, sizeof pwbuf);
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && *xdg)
		snprintf(path, sizeof path, "%s/claude", xdg);
	else if (home)
		snprintf(path, sizeof path, "%s/.config/claude", home);
	else
		path[0] = '\0';
	if (path[0] && push_str(&ctx->default_roots, &ctx->ndefault_roots, path, strlen(path)))
		return -1;
	if (home) {
		snprintf(path, sizeof path, "%s/.claude", home);
		if (push_str(&ctx->default_roots, &ctx->ndefault_roots, path, strlen(path)))
			return -1;
	}
	return 0;
}

char *const *cu__ctx_roots(const cu_ctx *ctx, size_t *n)
{
	if (ctx->nroots) {
		*n = ctx->nroots;
		return ctx->roots;
	}
	*n = ctx->ndefault_roots;
	return ctx->default_roots;
}

int cu_ctx_new(cu_ctx **out)
{
	char err[256];
	if (!out) {
		cu__set_last_error("cu_ctx_new: out is NULL");
		return CU_EINVALID;
	}
	*out = NULL;
	cu_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx) {
		cu__set_last_error("out of memory");
		return CU_ENOMEM;
	}
	ctx->since_day = ctx->until_day = CU__NO_DAY;
	ctx->cost_mode = CU_COST_AUTO;
	if (cu__tz_load(NULL, &ctx->tz, err, sizeof err) != 0 &&
	    cu__tz_load("UTC", &ctx->tz, err, sizeof err) != 0) {
		cu__set_last_error("cannot load a timezone: %s", err);
		cu_ctx_free(ctx);
		return CU_ENOTFOUND;
	}
	/* The environment gives defaults every program using the library shares. */
	const char *off = getenv("CLAUDE_USAGE_OFFLINE");
	ctx->offline = off && *off && strcmp(off, "0") != 0;
	const char *url = getenv("CLAUDE_USAGE_PRICING_URL");
	ctx->pinfo.source = CU__SRC_EMBEDDED;
	if ((url && *url && !(ctx->pricing_url = strdup(url))) ||
	    cu__pricetab_embedded(&ctx->prices) != 0 || compute_default_roots(ctx) != 0) {
		cu__set_last_error("out of memory");
		cu_ctx_free(ctx);
		return CU_ENOMEM;
	}
	*out = ctx;
	return CU_OK;
}

/* A call that would change the entries while cu_ctx_foreach_entry() hands them out. */
static int busy(cu_ctx *ctx)
{
	return cu__ctx_error(ctx, CU_ESTATE, "not allowed while iterating over the entries");
}

static void clear_load(cu_ctx *ctx)
{
	cu__discover_clear(&ctx->disc);
	free(ctx->entries);
	ctx->entries = NULL;
	ctx->n = 0;
	memset(&ctx->io, 0, sizeof ctx->io);
	free(ctx->model_price);
	ctx->model_price = NULL;
	ctx->unpriced = 0;
	ctx->usage_lines = ctx->duplicates = 0;
	ctx->loaded = 0;
}

void cu_ctx_free(cu_ctx *ctx)
{
	if (!ctx)
		return;
	clear_load(ctx);
	cu__store_clear(&ctx->store);
	cu__dedup_state_clear(&ctx->dedup);
	cu__diags_clear(&ctx->disc_errors);
	free_strv(ctx->roots, ctx->nroots);
	free_strv(ctx->default_roots, ctx->ndefault_roots);
	cu__tz_free(ctx->tz);
	cu__pricetab_free(ctx->prices);
	free(ctx->price_reported);
	free(ctx->pricing_url);
	free(ctx->pricing_file);
	free(ctx->cache_dir);
	free(ctx->project);
	free(ctx);
}

const char *cu_ctx_last_error(const cu_ctx *ctx)
{
	return ctx ? ctx->err : "no context";
}

int cu_ctx_add_root(cu_ctx *ctx, const char *path)
{
	if (!ctx || !path || !*path)
		return ctx ? cu__ctx_error(ctx, CU_EINVALID, "empty data directory") : CU_EINVALID;
	if (push_str(&ctx->roots, &ctx->nroots, path, strlen(path)) != 0)
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory");
	return ok(ctx);
}

size_t cu_ctx_root_count(const cu_ctx *ctx)
{
	size_t n = 0;
	if (ctx)
		cu__ctx_roots(ctx, &n);
	return n;
}

const char *cu_ctx_root(const cu_ctx *ctx, size_t i)
{
	size_t n = 0;
	char *const *v = ctx ? cu__ctx_roots(ctx, &n) : NULL;
	return i < n ? v[i] : NULL;
}

int cu_ctx_set_exclude_vms(cu_ctx *ctx, int exclude)
{
	if (!ctx)
		return CU_EINVALID;
	ctx->exclude_vms = exclude != 0;
	return ok(ctx);
}

int cu_ctx_set_timezone(cu_ctx *ctx, const char *tz)
{
	if (!ctx)
		return CU_EINVALID;
	if (ctx->iterating)
		return busy(ctx);
	cu__tz *z;
	char err[256];
	if (cu__tz_load(tz, &z, err, sizeof err) != 0)
		return cu__ctx_error(ctx, CU_ENOTFOUND, "%s", err);
	cu__tz_free(ctx->tz);
	ctx->tz = z;
	return ok(ctx);
}

const char *cu_ctx_timezone(const cu_ctx *ctx)
{
	return ctx ? cu__tz_name(ctx->tz) : NULL;
}

static int set_day(cu_ctx *ctx, const char *date, int64_t *day)
{
	if (!ctx)
		return CU_EINVALID;
	if (ctx->iterating)
		return busy(ctx);
	if (!date || !*date) {
		*day = CU__NO_DAY;
		return ok(ctx);
	}
	int64_t d;
	if (cu__parse_date(date, &d) != 0)
		return cu__ctx_error(ctx, CU_EINVALID,
		                     "invalid date '%s' (expected YYYY-MM-DD or YYYYMMDD)", date);
	*day = d;
	return ok(ctx);
}

int cu_ctx_set_since(cu_ctx *ctx, const char *date)
{
	return set_day(ctx, date, ctx ? &ctx->since_day : NULL);
}

int cu_ctx_set_until(cu_ctx *ctx, const char *date)
{
	return set_day(ctx, date, ctx ? &ctx->until_day : NULL);
}

/* A pricing setting changed: every entry is priced again, now or at the next load. */
static int reprice(cu_ctx *ctx)
{
	if (ctx->iterating)
		return busy(ctx);
	ctx->price_fresh = 0;
	if (!ctx->loaded)
		return ok(ctx);
	int rc = cu__price_entries(ctx, 1);
	ctx->price_fresh = rc == CU_OK;
	return rc == CU_OK ? ok(ctx) : rc;
}

int cu_ctx_set_cost_mode(cu_ctx *ctx, int32_t mode)
{
	if (!ctx)
		return CU_EINVALID;
	if (mode != CU_COST_AUTO && mode != CU_COST_CALCULATE && mode != CU_COST_DISPLAY)
		return cu__ctx_error(ctx, CU_EINVALID, "unknown cost mode %d", (int)mode);
	ctx->cost_mode = mode;
	return reprice(ctx);
}

int cu_ctx_set_week_start(cu_ctx *ctx, int32_t weekday)
{
	if (!ctx)
		return CU_EINVALID;
	if (weekday < 0 || weekday > 6)
		return cu__ctx_error(ctx, CU_EINVALID, "week start must be 0 (Sunday) to 6");
	ctx->week_start = weekday;
	return ok(ctx);
}

int cu_ctx_set_project(cu_ctx *ctx, const char *project)
{
	if (!ctx)
		return CU_EINVALID;
	if (ctx->iterating)
		return busy(ctx);
	char *p = NULL;
	if (project && *project && !(p = strdup(project)))
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory");
	free(ctx->project);
	ctx->project = p;
	return ok(ctx);
}

int cu_ctx_set_threads(cu_ctx *ctx, uint32_t threads)
{
	if (!ctx)
		return CU_EINVALID;
	ctx->threads = threads;
	return ok(ctx);
}

int cu_ctx_set_index(cu_ctx *ctx, int enable)
{
	if (!ctx)
		return CU_EINVALID;
	ctx->use_index = enable != 0;
	return ok(ctx);
}

int cu_ctx_set_offline(cu_ctx *ctx, int offline)
{
	if (!ctx)
		return CU_EINVALID;
	ctx->offline = offline != 0;
	ctx->prices_ready = 0;
	return ok(ctx);
}

/* Replace an optional string setting; the price table must be chosen again. */
static int set_pricing_str(cu_ctx *ctx, char **field, const char *value)
{
	if (!ctx)
		return CU_EINVALID;
	char *v = NULL;
	if (value && *value && !(v = strdup(value)))
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory");
	free(*field);
	*field = v;
	ctx->prices_ready = 0;
	return ok(ctx);
}

int cu_ctx_set_pricing_url(cu_ctx *ctx, const char *url)
{
	return set_pricing_str(ctx, ctx ? &ctx->pricing_url : NULL, url);
}

int cu_ctx_set_pricing_file(cu_ctx *ctx, const char *path)
{
	return set_pricing_str(ctx, ctx ? &ctx->pricing_file : NULL, path);
}

int cu_ctx_set_cache_dir(cu_ctx *ctx, const char *dir)
{
	return set_pricing_str(ctx, ctx ? &ctx->cache_dir : NULL, dir);
}

int cu_ctx_set_network_timeout(cu_ctx *ctx, uint32_t ms)
{
	if (!ctx)
		return CU_EINVALID;
	ctx->net_timeout_ms = ms;
	return ok(ctx);
}

int cu_ctx_set_long_context(cu_ctx *ctx, int32_t rule)
{
	if (!ctx)
		return CU_EINVALID;
	if (rule != CU_LONG_CONTEXT_CCUSAGE && rule != CU_LONG_CONTEXT_ANTHROPIC)
		return cu__ctx_error(ctx, CU_EINVALID, "unknown long-context rule %d", (int)rule);
	ctx->long_context = rule == CU_LONG_CONTEXT_ANTHROPIC ? CU__TIER_ANTHROPIC : CU__TIER_CCUSAGE;
	return reprice(ctx);
}

int cu_ctx_load_prices(cu_ctx *ctx)
{
	if (!ctx)
		return CU_EINVALID;
	if (ctx->iterating)
		return busy(ctx);
	cu__pricing_opts o = { ctx->pricing_url, ctx->pricing_file, ctx->cache_dir, ctx->offline,
		               ctx->net_timeout_ms, cu_ctx_now(ctx) / 1000 };
	cu__pricetab *tab = NULL;
	cu__pricing_info info;
	char err[CU__ERRLEN];
	if (cu__pricing_load(&o, &tab, &info, err, sizeof err) != 0)
		return cu__ctx_error(ctx, ctx->pricing_file ? CU_EIO : CU_ENOMEM, "%s", err);
	cu__pricetab_free(ctx->prices);
	ctx->prices = tab;
	ctx->pinfo = info;
	ctx->prices_ready = 1;
	if (info.note[0] && ctx->diag_fn)
		ctx->diag_fn(CU_DIAG_NOTE, NULL, 0, info.note, ctx->diag_ud);
	return reprice(ctx);
}

int cu_ctx_set_diag_fn(cu_ctx *ctx, cu_diag_fn fn, void *userdata)
{
	if (!ctx)
		return CU_EINVALID;
	ctx->diag_fn = fn;
	ctx->diag_ud = userdata;
	return ok(ctx);
}

int cu_ctx_set_now(cu_ctx *ctx, int64_t unix_ms)
{
	if (!ctx)
		return CU_EINVALID;
	ctx->now_ms = unix_ms;
	return ok(ctx);
}

int64_t cu_ctx_now(const cu_ctx *ctx)
{
	if (ctx && ctx->now_ms)
		return ctx->now_ms;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int cu_ctx_format_date(const cu_ctx *ctx, int64_t unix_ms, char *buf, size_t size)
{
	if (!ctx || !buf || size < 11)
		return CU_EINVALID;
	cu__format_date(cu__tz_local_day(ctx->tz, unix_ms), buf);
	return CU_OK;
}

static const char torn_msg[] = "incomplete last line skipped (file still being written?)";

/* Hands diagnostics to the callback, up to CU__DIAG_MAX per load. */
typedef struct emitter {
	cu_ctx *ctx;
	size_t n, dropped;
} emitter;

static void emit(emitter *em, int32_t kind, const char *path, int64_t line, const char *msg)
{
	if (!em->ctx->diag_fn)
		return;
	if (em->n++ >= CU__DIAG_MAX) {
		em->dropped++;
		return;
	}
	em->ctx->diag_fn(kind, path, line, msg, em->ctx->diag_ud);
}

static uint64_t diags_hash(const cu__diags *d)
{
	uint64_t h = d->n;
	for (size_t i = 0; i < d->n; i++) {
		h = cu__hash64(d->v[i].msg, strlen(d->v[i].msg), h);
		if (d->v[i].path)
			h = cu__hash64(d->v[i].path, strlen(d->v[i].path), h);
	}
	return h;
}

/*
 * Report what this load found, in file order: the diagnostics of the files
 * it read (all stored ones on a context's first load, which may come from
 * the index), failures to read, and the discovery's diagnostics when they
 * changed. errors is sorted by file and emptied.
 */
static void emit_diags(cu_ctx *ctx, const cu__job *jobs, size_t njobs, cu__diags *errors)
{
	emitter em = { ctx, 0, 0 };
	int first = ctx->loads == 0;
	uint64_t dh = 0;
	size_t k = 0, j = 0;
	for (size_t i = 0; i < ctx->store.n; i++) {
		for (; k < errors->n && errors->v[k].file == i; k++)
			emit(&em, errors->v[k].kind, errors->v[k].path, errors->v[k].line, errors->v[k].msg);
		while (j < njobs && jobs[j].file < i)
			j++;
		cu__fstate *f = &ctx->store.v[i];
		if (!first && !(j < njobs && jobs[j].file == i))
			continue;
		for (size_t d = first ? 0 : f->emitted; d < f->diags.n; d++)
			emit(&em, f->diags.v[d].kind, f->path, f->diags.v[d].line, f->diags.v[d].msg);
		em.dropped += f->diags.dropped;
		f->emitted = f->diags.n;
		if (f->tail_state == CU__TAIL_TORN)
			emit(&em, CU_DIAG_TORN_LINE, f->path, f->lines + 1, torn_msg);
	}
	/* The rest concern no single file: the discovery's. Kept for reports. */
	cu__diags rest = { errors->n > k ? errors->v + k : NULL, errors->n - k, 0, 0 };
	cu__diags_clear(&ctx->disc_errors);
	for (size_t r = k; r < errors->n; r++)
		cu__diags_add(&ctx->disc_errors, errors->v[r].kind, errors->v[r].path, UINT32_MAX,
		              errors->v[r].line, "%s", errors->v[r].msg);
	dh = diags_hash(&rest);
	if (first || dh != ctx->discover_diags)
		for (; k < errors->n; k++)
			emit(&em, errors->v[k].kind, errors->v[k].path, errors->v[k].line, errors->v[k].msg);
	ctx->discover_diags = dh;
	if (em.dropped && ctx->diag_fn) {
		char msg[128];
		snprintf(msg, sizeof msg, "%zu more diagnostics not shown", em.dropped);
		ctx->diag_fn(CU_DIAG_NOTE, NULL, 0, msg, ctx->diag_ud);
	}
	cu__diags_clear(errors);
}

static int not_found(cu_ctx *ctx)
{
	size_t n;
	char *const *roots = cu__ctx_roots(ctx, &n);
	char list[CU__ERRLEN - 64];
	size_t at = 0;
	list[0] = '\0';
	for (size_t i = 0; i < n && at < sizeof list; i++)
		at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", roots[i]);
	return cu__ctx_error(ctx, CU_ENOTFOUND, "no Claude data directory found (looked in: %s)",
	                     n ? list : "nowhere: set CLAUDE_CONFIG_DIR or HOME");
}

/* Keep one copy of each message, from what changed when it can. */
static int dedup_store(cu_ctx *ctx, int full)
{
	int64_t usage_lines = 0;
	for (size_t i = 0; i < ctx->store.n; i++) {
		const cu__fstate *f = &ctx->store.v[i];
		usage_lines += f->usage_lines + (f->tail_state == CU__TAIL_ENTRY);
	}
	ctx->dedup.threads = ctx->threads;
	if (cu__dedup_store(&ctx->dedup, &ctx->store, ctx->disc.files.v, full, &ctx->entries,
	                    &ctx->n) != 0)
		return -1;
	ctx->usage_lines = usage_lines;
	ctx->duplicates = usage_lines - (int64_t)ctx->n;
	return 0;
}

/* Reading the index, and stating the transcripts it will be compared with. */
typedef struct index_job {
	cu_ctx *ctx;
	const char *path;
	uint64_t config, pricing;
	int rc;
	cu__diags diags;
} index_job;

static void index_piece(void *arg, uint32_t i)
{
	index_job *j = arg;
	if (i == 0)
		j->rc = cu__index_read(j->path, j->config, &j->ctx->store, &j->ctx->dedup, &j->pricing);
	else
		cu__discover_state(&j->ctx->disc, &j->diags);
}

/*
 * cu__index_read(), with the files listed but not yet stated stated at the
 * same time when an index is there to be read: neither needs the other, and
 * each takes some milliseconds (mapping and checking the index; a stat per
 * transcript).
 */
static int read_index(cu_ctx *ctx, const char *path, uint64_t config, uint64_t *pricing,
                      cu__diags *diags)
{
	index_job j = { ctx, path, config, 0, -1, { 0 } };
	uint32_t np = ctx->disc.unstated && access(path, R_OK) == 0
	                      ? cu__par_pieces(ctx->threads, 2, 1)
	                      : 1;
	cu__par_run(np, index_piece, &j);
	cu__diags_merge(diags, &j.diags);
	*pricing = j.pricing;
	return j.rc;
}

int cu_ctx_load(cu_ctx *ctx)
{
	if (!ctx)
		return CU_EINVALID;
	if (ctx->iterating)
		return busy(ctx);
	clear_load(ctx);
	if (!ctx->nroots && compute_default_roots(ctx) != 0)
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory");

	if (!ctx->prices_ready) {
		int rc = cu_ctx_load_prices(ctx);
		if (rc != CU_OK)
			return rc;
	}
	cu__diags diags = { 0 };
	size_t nroots;
	char *const *roots = cu__ctx_roots(ctx, &nroots);
	/*
	 * Transcripts are listed without a stat each: the ones a load compares
	 * with what it read before, or skips by time, are stated below (on all
	 * threads); a first load reads every file, and the scan states each.
	 */
	ctx->disc.threads = ctx->threads;
	if (cu__discover(roots, nroots, ctx->exclude_vms, 1, &ctx->disc, &diags) != 0) {
		cu__diags_clear(&diags);
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory while listing files");
	}
	if (ctx->disc.roots_found == 0) {
		emit_diags(ctx, NULL, 0, &diags);
		return not_found(ctx);
	}
	if (ctx->store.oracle != ctx->oracle) {
		cu__store_clear(&ctx->store);
		ctx->store.oracle = ctx->oracle;
	}
	/* The dedup result carries on only from a store it describes. */
	int full = ctx->store.n == 0;
	char idir[1024] = "", ipath[1200] = "";
	uint64_t config = 0;
	int from_index = 0;
	if (ctx->use_index) {
		cu__cache_dir(ctx->cache_dir, idir, sizeof idir);
		config = cu__index_config(roots, nroots, ctx->exclude_vms, ctx->oracle);
		if (idir[0])
			cu__index_path(idir, config, ipath, sizeof ipath);
		uint64_t pricing = 0;
		if (ipath[0] && ctx->loads == 0 && ctx->store.n == 0 &&
		    read_index(ctx, ipath, config, &pricing, &diags) == 0) {
			from_index = 1;
			full = !ctx->dedup.valid;
			/* Saved costs hold if they follow the same prices and rules. */
			ctx->price_fresh = pricing == cu__price_fingerprint(ctx);
		}
	}
	/*
	 * What was read before is compared with the files as they are now, and
	 * --since skips files by their time: both need the files stated.
	 */
	if (ctx->store.n > 0 || ctx->since_day != CU__NO_DAY)
		cu__discover_state(&ctx->disc, &diags);

	/* A file last written more than a day before --since holds nothing newer. */
	int64_t min_mtime = INT64_MIN;
	if (ctx->since_day != CU__NO_DAY)
		min_mtime = (cu__tz_day_start(ctx->tz, ctx->since_day) - 86400) * 1000;
	cu__job *jobs = NULL;
	size_t njobs = 0, dropped = 0;
	cu__scan_opts opts = { ctx->threads, ctx->oracle };
	if (cu__store_plan(&ctx->store, &ctx->disc.files, min_mtime, &jobs, &njobs, &dropped) != 0 ||
	    cu__scan(&ctx->store, jobs, njobs, &opts, &ctx->io, &diags) != 0 ||
	    dedup_store(ctx, full || dropped > 0) != 0) {
		free(jobs);
		cu__diags_clear(&diags);
		cu__store_clear(&ctx->store);
		cu__dedup_state_clear(&ctx->dedup);
		clear_load(ctx);
		return cu__ctx_error(ctx, CU_ENOMEM, "out of memory while reading transcripts");
	}
	cu__diags_sort(&diags);
	emit_diags(ctx, jobs, njobs, &diags);
	free(jobs);
	ctx->loads++;
	ctx->loaded = 1;
	int priced_before = ctx->price_fresh;
	int rc = cu__price_entries(ctx, (full && !from_index) || !ctx->price_fresh);
	ctx->price_fresh = rc == CU_OK;
	if (rc != CU_OK) {
		clear_load(ctx);
		return rc;
	}
	/* Saved when it changed; failing to save costs the next run time, nothing else. */
	if (ipath[0] && (ctx->io.files_read > 0 || dropped > 0 || (ctx->loads == 1 && !from_index) ||
	                 !priced_before))
		cu__index_write(idir, ipath, config, &ctx->store, &ctx->dedup,
		                cu__price_fingerprint(ctx));
	return ok(ctx);
}

int64_t cu_ctx_stat(const cu_ctx *ctx, int32_t which)
{
	if (!ctx)
		return -1;
	int64_t lines = 0, malformed = 0, torn = 0;
	for (size_t i = 0; i < ctx->store.n; i++) {
		const cu__fstate *f = &ctx->store.v[i];
		lines += f->lines + (f->tail_state != CU__TAIL_NONE);
		malformed += f->malformed;
		torn += f->tail_state == CU__TAIL_TORN;
	}
	switch (which) {
	case CU_STAT_FILES: return (int64_t)ctx->disc.files.n;
	case CU_STAT_FILES_READ: return ctx->io.files_read;
	case CU_STAT_FILE_ERRORS: return ctx->io.file_errors;
	case CU_STAT_BYTES: return ctx->io.bytes;
	case CU_STAT_LINES: return lines;
	case CU_STAT_MALFORMED_LINES: return malformed;
	case CU_STAT_TORN_LINES: return torn;
	case CU_STAT_USAGE_LINES: return ctx->usage_lines;
	case CU_STAT_ENTRIES: return (int64_t)ctx->n;
	case CU_STAT_DUPLICATES: return ctx->duplicates;
	case CU_STAT_UNPRICED_MODELS: return (int64_t)ctx->unpriced;
	default: return -1;
	}
}

int cu__ctx_diag_summary(const cu_ctx *ctx, cu__diag_summary *s)
{
	memset(s, 0, sizeof *s);
	s->files = cu_ctx_stat(ctx, CU_STAT_FILES);
	s->lines = cu_ctx_stat(ctx, CU_STAT_LINES);
	s->usage_lines = cu_ctx_stat(ctx, CU_STAT_USAGE_LINES);
	s->duplicates = cu_ctx_stat(ctx, CU_STAT_DUPLICATES);
	s->entries = cu_ctx_stat(ctx, CU_STAT_ENTRIES);
	s->malformed = cu_ctx_stat(ctx, CU_STAT_MALFORMED_LINES);
	s->torn = cu_ctx_stat(ctx, CU_STAT_TORN_LINES);
	/* Unreadable directories and roots first, then each file in path order. */
	for (size_t i = 0; i < ctx->disc_errors.n; i++) {
		const cu__diag *d = &ctx->disc_errors.v[i];
		s->file_errors++;
		cu__diag_summary_add(s, d->kind, d->path, d->line, d->msg);
	}
	for (size_t i = 0; i < ctx->store.n; i++) {
		const cu__fstate *f = &ctx->store.v[i];
		if (f->error) {
			s->file_errors++;
			cu__diag_summary_add(s, CU_DIAG_FILE_ERROR, f->path, 0, f->error);
		}
		for (size_t d = 0; d < f->diags.n; d++)
			cu__diag_summary_add(s, f->diags.v[d].kind, f->path, f->diags.v[d].line,
			                     f->diags.v[d].msg);
		/* Lines skipped beyond what the file's list holds. */
		s->not_listed += (int64_t)f->diags.dropped;
		if (f->tail_state == CU__TAIL_TORN)
			cu__diag_summary_add(s, CU_DIAG_TORN_LINE, f->path, f->lines + 1, torn_msg);
	}
	if (s->listed.dropped) { /* out of memory while listing */
		cu__diag_summary_clear(s);
		return -1;
	}
	return 0;
}

int cu__ctx_entry_selected(const cu_ctx *ctx, const cu__entry *e)
{
	if (ctx->since_day != CU__NO_DAY || ctx->until_day != CU__NO_DAY) {
		int64_t day = cu__tz_local_day(ctx->tz, e->ts_ms);
		if (ctx->since_day != CU__NO_DAY && day < ctx->since_day)
			return 0;
		if (ctx->until_day != CU__NO_DAY && day > ctx->until_day)
			return 0;
	}
	if (ctx->project) {
		const cu__file *f = &ctx->disc.files.v[e->file];
		const char *name = cu__pool_str(&ctx->disc.projects, f->project);
		const char *cwd = ctx->store.v[e->file].cwd;
		if (strcmp(name, ctx->project) != 0 && !(cwd && strcmp(cwd, ctx->project) == 0))
			return 0;
	}
	return 1;
}
