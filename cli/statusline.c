/*
 * statusline.c - claude-usage statusline: one line for Claude Code's
 * statusLine hook.
 *
 * Claude Code runs the hook after every message, often several at once.
 * The figures that need the whole history (this session's cost, today's,
 * the active block's) are kept in a small cache file per session under
 * $XDG_RUNTIME_DIR (else the temp dir), written atomically; a call within
 * its time to live reuses it. When it is stale, one call takes a lock and
 * brings it up to date (a load that uses the history index); the others
 * do not wait for it but answer from the stale figures, or wait only when
 * there are none yet. The context use comes from the tail of the
 * transcript, read on every call (a few kilobytes).
 */
#include "statusline.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INPUT (1 << 20)
#define TAIL_BYTES (256 * 1024)

typedef struct figures {
	int64_t at;              /* when they were computed, Unix ms */
	double session, today;   /* USD */
	int block;               /* an active block exists */
	double block_cost, usd_per_hour;
	int64_t block_end;
} figures;

static char *read_all(FILE *in, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	while (b) {
		size_t r = fread(b + n, 1, cap - n, in);
		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			if (cap >= MAX_INPUT) {
				free(b);
				return NULL;
			}
			char *q = realloc(b, cap * 2 + 1);
			if (!q) {
				free(b);
				return NULL;
			}
			b = q;
			cap *= 2;
		}
	}
	if (b)
		b[n] = '\0';
	*len = n;
	return b;
}

/* ---- the cache ---- */

static uint64_t fnv(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

static int cache_path(cu_ctx *ctx, const char *session, char *out, size_t size)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	const char *tmp = getenv("TMPDIR");
	char dir[3000];
	if (run && *run)
		snprintf(dir, sizeof dir, "%s/claude-usage", run);
	else
		snprintf(dir, sizeof dir, "%s/claude-usage-%lu", tmp && *tmp ? tmp : "/tmp",
		         (unsigned long)getuid());
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return -1; /* not ours: no cache rather than someone else's */
	/* One file per session and set of data directories. */
	uint64_t h = fnv(session, UINT64_C(0xcbf29ce484222325));
	for (size_t i = 0; i < cu_ctx_root_count(ctx); i++)
		h = fnv(cu_ctx_root(ctx, i), h * 31);
	snprintf(out, size, "%s/statusline-%016llx.json", dir, (unsigned long long)h);
	return 0;
}

static int cache_read(const char *path, figures *f)
{
	json_t *j = json_load_file(path, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	f->at = json_integer_value(json_object_get(j, "at"));
	f->session = json_number_value(json_object_get(j, "session"));
	f->today = json_number_value(json_object_get(j, "today"));
	f->block = json_is_true(json_object_get(j, "block"));
	f->block_cost = json_number_value(json_object_get(j, "blockCost"));
	f->usd_per_hour = json_number_value(json_object_get(j, "usdPerHour"));
	f->block_end = json_integer_value(json_object_get(j, "blockEnd"));
	json_decref(j);
	return f->at > 0 ? 0 : -1;
}

static void cache_write(const char *path, const figures *f)
{
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%.4200s.%ld.tmp", path, (long)getpid());
	FILE *o = fopen(tmp, "w");
	if (!o)
		return;
	fprintf(o,
	        "{\"at\": %lld, \"session\": %.10g, \"today\": %.10g, \"block\": %s, "
	        "\"blockCost\": %.10g, \"usdPerHour\": %.10g, \"blockEnd\": %lld}\n",
	        (long long)f->at, f->session, f->today, f->block ? "true" : "false", f->block_cost,
	        f->usd_per_hour, (long long)f->block_end);
	int ok = fflush(o) == 0 && fsync(fileno(o)) == 0;
	ok &= fclose(o) == 0;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
}

/* ---- the figures ---- */

static int compute(cu_ctx *ctx, const char *session, figures *f)
{
	memset(f, 0, sizeof *f);
	if (cu_ctx_load(ctx) != CU_OK)
		return -1;
	f->at = cu_ctx_now(ctx);
	cu_report *r = NULL;
	if (cu_report_new(ctx, CU_GROUP_SESSION, 0, 0, &r) != CU_OK)
		return -1;
	for (size_t i = 0; i < cu_report_count(r); i++)
		if (!strcmp(cu_row_key(cu_report_row(r, i)), session))
			f->session = cu_row_cost_usd(cu_report_row(r, i));
	cu_report_free(r);
	char today[16];
	cu_ctx_format_date(ctx, f->at, today, sizeof today);
	cu_ctx_set_since(ctx, today);
	cu_ctx_set_until(ctx, today);
	int rc = cu_report_new(ctx, CU_GROUP_DAILY, 0, 0, &r);
	cu_ctx_set_since(ctx, NULL);
	cu_ctx_set_until(ctx, NULL);
	if (rc != CU_OK)
		return -1;
	f->today = cu_row_cost_usd(cu_report_totals(r));
	cu_report_free(r);
	cu_blocks *bl = NULL;
	if (cu_blocks_new(ctx, 0, CU_BLOCKS_ACTIVE, &bl) != CU_OK)
		return -1;
	const cu_block *b = cu_blocks_active(bl);
	if (b) {
		f->block = 1;
		f->block_cost = cu_block_cost_usd(b);
		f->block_end = cu_block_end(b);
		cu_block_burn_rate(b, NULL, NULL, &f->usd_per_hour);
	}
	cu_blocks_free(bl);
	return 0;
}

/*
 * Fresh figures from the cache, or computed by this call under the lock;
 * stale ones when another call is computing them.
 */
static int get_figures(cu_ctx *ctx, const char *session, int64_t ttl_ms, figures *f)
{
	char path[4200], lock[4300];
	if (cache_path(ctx, session, path, sizeof path) != 0)
		return compute(ctx, session, f);
	int64_t now = cu_ctx_now(ctx);
	int have = cache_read(path, f) == 0;
	if (have && now - f->at >= 0 && now - f->at < ttl_ms)
		return 0;
	snprintf(lock, sizeof lock, "%s.lock", path);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return have ? 0 : compute(ctx, session, f);
	int rc = 0;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		figures fresh;
		/* Someone may have finished just before we got the lock. */
		if (cache_read(path, &fresh) == 0 && now - fresh.at >= 0 && now - fresh.at < ttl_ms) {
			*f = fresh;
		} else if (compute(ctx, session, &fresh) == 0) {
			cache_write(path, &fresh);
			*f = fresh;
		} else {
			rc = have ? 0 : -1;
		}
	} else if (!have) {
		/* The first figures are on their way: wait for them. */
		if (flock(fd, LOCK_EX) == 0 && cache_read(path, f) == 0)
			rc = 0;
		else
			rc = compute(ctx, session, f);
	}
	close(fd);
	return rc;
}

/* ---- the context window ---- */

/* Tokens in the prompt of the last assistant line with usage, or -1. */
static int64_t context_tokens(const char *path)
{
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return -1;
	struct stat st;
	int64_t tokens = -1;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		off_t from = st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0;
		size_t n = (size_t)(st.st_size - from);
		char *b = malloc(n + 1);
		ssize_t r = b ? pread(fd, b, n, from) : -1;
		if (r > 0) {
			b[r] = '\0';
			/* Lines from the last, back to the first whole one. */
			char *end = b + r;
			while (end > b && tokens < 0) {
				char *start = end;
				while (start > b && start[-1] != '\n')
					start--;
				if ((start > b || from == 0) && memmem(start, (size_t)(end - start), "\"usage\"", 7)) {
					json_t *j = json_loadb(start, (size_t)(end - start), 0, NULL);
					json_t *u = json_object_get(json_object_get(j, "message"), "usage");
					if (json_is_object(u) && !json_is_true(json_object_get(j, "isSidechain")))
						tokens = json_integer_value(json_object_get(u, "input_tokens")) +
						         json_integer_value(json_object_get(u, "cache_creation_input_tokens")) +
						         json_integer_value(json_object_get(u, "cache_read_input_tokens"));
					json_decref(j);
				}
				end = start > b ? start - 1 : b;
			}
		}
		free(b);
	}
	close(fd);
	return tokens;
}

static int64_t context_size(json_t *in, const char *id, const char *name)
{
	json_t *cw = json_object_get(in, "context_window");
	json_int_t size = json_integer_value(json_object_get(cw, "context_window_size"));
	if (size > 0)
		return size;
	if ((id && (strstr(id, "[1m]") || strstr(id, "-1m"))) || (name && strstr(name, "1M")))
		return 1000000;
	return 200000;
}

/* ---- the line ---- */

static void money(char *out, size_t size, double usd)
{
	snprintf(out, size, usd >= 100 ? "$%.0f" : "$%.2f", usd);
}

int statusline_command(cu_ctx *ctx, FILE *in, int color)
{
	size_t len = 0;
	char *text = read_all(in, &len);
	json_error_t err;
	json_t *j = text && len ? json_loadb(text, len, 0, &err) : NULL;
	free(text);
	if (!json_is_object(j)) {
		fprintf(stderr, "claude-usage statusline: %s\n",
		        !len ? "no input: expected Claude Code's statusLine JSON on stdin"
		             : "the input is not a JSON object");
		json_decref(j);
		return 1;
	}
	json_t *model = json_object_get(j, "model");
	const char *name = json_string_value(json_object_get(model, "display_name"));
	const char *id = json_string_value(json_object_get(model, "id"));
	const char *session = json_string_value(json_object_get(j, "session_id"));
	const char *transcript = json_string_value(json_object_get(j, "transcript_path"));
	const char *ttl_env = getenv("CLAUDE_USAGE_STATUSLINE_TTL_MS");
	int64_t ttl = ttl_env && *ttl_env ? strtoll(ttl_env, NULL, 10) : 15000;

	figures f;
	if (get_figures(ctx, session ? session : "", ttl, &f) != 0) {
		fprintf(stderr, "claude-usage statusline: %s\n", cu_ctx_last_error(ctx));
		json_decref(j);
		return 1;
	}
	char s[32], t[32], b[32], h[32];
	money(s, sizeof s, f.session);
	money(t, sizeof t, f.today);
	const char *dim = color ? "\033[2m" : "", *reset = color ? "\033[0m" : "";
	printf("%s%s%s | %s session / %s today", name ? name : id ? id : "?", dim, reset, s, t);
	if (f.block) {
		int64_t left = (f.block_end - cu_ctx_now(ctx)) / 60000;
		left = left < 0 ? 0 : left;
		money(b, sizeof b, f.block_cost);
		printf(" / %s block (%lldh %02lldm left)", b, (long long)(left / 60),
		       (long long)(left % 60));
		money(h, sizeof h, f.usd_per_hour);
		printf(" | %s/h", h);
	} else {
		printf(" / no active block");
	}
	int64_t used = context_tokens(transcript);
	if (used >= 0) {
		int64_t size = context_size(j, id, name);
		printf(" | ctx %lldk (%lld%%)", (long long)((used + 500) / 1000),
		       (long long)(used * 100 / (size > 0 ? size : 1)));
	}
	printf("\n");
	json_decref(j);
	return ferror(stdout) ? 1 : 0;
}
