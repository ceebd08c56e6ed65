/*
 * cu-context.h - the context: where to read, how to read it, and loading.
 *
 * A context holds the configuration (data roots, timezone, date range, cost
 * mode, ...), the price table, the loaded and deduplicated usage entries,
 * and the last error message. Reports (cu-report.h) are built from it.
 *
 * Threads: a cu_ctx and the objects it creates must be used by one thread at
 * a time; different contexts are independent. cu_ctx_load() uses worker
 * threads of its own internally and joins them before it returns.
 */
#ifndef CLAUDEUSAGE_CU_CONTEXT_H
#define CLAUDEUSAGE_CU_CONTEXT_H

#include "cu-common.h"

CU_BEGIN_DECLS

/** Opaque context. */
typedef struct cu_ctx cu_ctx;

/** How a usage line's cost is found (carried as int32_t). */
enum cu_cost_mode {
	CU_COST_AUTO = 0,      /**< the line's costUSD when present, else computed */
	CU_COST_CALCULATE = 1, /**< always computed from tokens and the price table */
	CU_COST_DISPLAY = 2    /**< only the line's costUSD; 0 when absent */
};

/** Kinds of diagnostics passed to a cu_diag_fn (carried as int32_t). */
enum cu_diag_kind {
	CU_DIAG_MALFORMED_LINE = 1, /**< a line that is not a JSON object, or not a valid usage line */
	CU_DIAG_TORN_LINE = 2,      /**< the last line of a file has no newline and does not parse */
	CU_DIAG_FILE_ERROR = 3,     /**< a file or directory could not be read */
	CU_DIAG_UNPRICED_MODEL = 4, /**< a model the price table does not know */
	CU_DIAG_NOTE = 5            /**< anything else worth telling the user */
};

/**
 * Diagnostic callback. Strings are borrowed for the duration of the call.
 * @param kind     one of enum cu_diag_kind
 * @param path     file concerned, or NULL
 * @param line     1-based line number, or 0
 * @param message  finished, human-readable message
 * @param userdata as given to cu_ctx_set_diag_fn()
 */
typedef void (*cu_diag_fn)(int32_t kind, const char *path, int64_t line,
                           const char *message, void *userdata);

/** Counters readable with cu_ctx_stat() after cu_ctx_load() (carried as int32_t). */
enum cu_stat {
	CU_STAT_FILES = 1,            /**< transcript files found */
	CU_STAT_FILES_READ = 2,       /**< files read by this load (others unchanged, or skipped by date) */
	CU_STAT_FILE_ERRORS = 3,      /**< files or directories that could not be read */
	CU_STAT_BYTES = 4,            /**< bytes read by this load (not those known from before) */
	CU_STAT_LINES = 5,            /**< lines seen */
	CU_STAT_MALFORMED_LINES = 6,  /**< lines skipped as malformed (not counting torn ones) */
	CU_STAT_TORN_LINES = 7,       /**< torn last lines skipped */
	CU_STAT_USAGE_LINES = 8,      /**< lines that carried usage, before deduplication */
	CU_STAT_ENTRIES = 9,          /**< entries after deduplication */
	CU_STAT_DUPLICATES = 10,      /**< usage lines dropped as copies of another */
	CU_STAT_UNPRICED_MODELS = 11  /**< distinct models with no price */
};

/**
 * Create a context with default settings: default data roots, the local
 * timezone, CU_COST_AUTO, weeks starting on Sunday, all dates, the embedded
 * price table, one worker thread per online CPU.
 * @param[out] out  receives the context; free it with cu_ctx_free()
 * @return CU_OK, or CU_ENOMEM (detail in cu_last_error())
 * @since 0.1
 */
CU_API int cu_ctx_new(cu_ctx **out);

/** Free a context and everything it owns. Accepts NULL. @since 0.1 */
CU_API void cu_ctx_free(cu_ctx *ctx);

/**
 * Detail of the last failure on this context, valid until the next call on
 * it. Empty string when the last call succeeded. Never NULL.
 * @since 0.1
 */
CU_API const char *cu_ctx_last_error(const cu_ctx *ctx);

/**
 * Add a Claude data root (a directory holding projects/ and possibly vms/).
 * Once any root is added, the default roots are not used. The path is
 * copied.
 * @since 0.1
 */
CU_API int cu_ctx_add_root(cu_ctx *ctx, const char *path);

/**
 * Number of roots the next load will look at (the added ones, or the
 * defaults: each entry of $CLAUDE_CONFIG_DIR, comma-separated, else
 * ~/.config/claude and ~/.claude).
 * @since 0.1
 */
CU_API size_t cu_ctx_root_count(const cu_ctx *ctx);

/** Root number i (borrowed, valid until the context changes), or NULL. @since 0.1 */
CU_API const char *cu_ctx_root(const cu_ctx *ctx, size_t i);

/** Skip the vms/<name>/projects/ trees of every root (1) or read them (0, default). @since 0.1 */
CU_API int cu_ctx_set_exclude_vms(cu_ctx *ctx, int exclude);

/**
 * Timezone for days, weeks and months: an IANA name ("Europe/Paris"),
 * "UTC", or NULL / "" for the local zone ($TZ, else /etc/localtime).
 * @return CU_OK, or CU_ENOTFOUND for an unknown zone
 * @since 0.1
 */
CU_API int cu_ctx_set_timezone(cu_ctx *ctx, const char *tz);

/** Name of the timezone in use (borrowed). @since 0.1 */
CU_API const char *cu_ctx_timezone(const cu_ctx *ctx);

/**
 * Date range, inclusive, in the context's timezone: "YYYY-MM-DD" or
 * "YYYYMMDD"; NULL or "" removes that bound. Set it before cu_ctx_load():
 * the load skips files that cannot hold entries in the range.
 * @return CU_OK or CU_EINVALID (not a valid date)
 * @since 0.1
 */
CU_API int cu_ctx_set_since(cu_ctx *ctx, const char *date);
/** @copydoc cu_ctx_set_since @since 0.1 */
CU_API int cu_ctx_set_until(cu_ctx *ctx, const char *date);

/** Cost mode, one of enum cu_cost_mode. @since 0.1 */
CU_API int cu_ctx_set_cost_mode(cu_ctx *ctx, int32_t mode);

/** First day of the week for weekly reports: 0 = Sunday (default) ... 6 = Saturday. @since 0.1 */
CU_API int cu_ctx_set_week_start(cu_ctx *ctx, int32_t weekday);

/**
 * Keep only entries of one project: its folder name under projects/
 * ("-home-me-src-app") or its working directory ("/home/me/src/app").
 * NULL or "" removes the filter.
 * @since 0.1
 */
CU_API int cu_ctx_set_project(cu_ctx *ctx, const char *project);

/**
 * Worker threads for loading (and for building large reports); 0 (default)
 * means one per online CPU. Results do not depend on it. @since 0.1
 */
CU_API int cu_ctx_set_threads(cu_ctx *ctx, uint32_t threads);

/**
 * Keep a persistent index of what was read (1) or not (0, default). With
 * it, a load restores the previous run's per-file state from
 * <cache dir>/index-<hash>.bin (see cu_ctx_set_cache_dir()) and reads only
 * the transcripts that changed since; afterwards the index is replaced
 * atomically. An index that is stale, foreign or corrupt is ignored and
 * rebuilt; results are the same with or without it.
 * @since 0.1
 */
CU_API int cu_ctx_set_index(cu_ctx *ctx, int enable);

/** Never use the network (1) or allow it (0, default). @since 0.1 */
CU_API int cu_ctx_set_offline(cu_ctx *ctx, int offline);

/**
 * Set the callback that receives diagnostics (skipped lines, unreadable
 * files, unpriced models). NULL removes it; counts are kept either way.
 * @since 0.1
 */
CU_API int cu_ctx_set_diag_fn(cu_ctx *ctx, cu_diag_fn fn, void *userdata);

/**
 * Fix "now" (Unix time in milliseconds) for reports that depend on it; 0
 * returns to the real clock. For tests and reproducible output.
 * @since 0.1
 */
CU_API int cu_ctx_set_now(cu_ctx *ctx, int64_t unix_ms);

/** "Now" in Unix milliseconds (the fixed one, or the clock). @since 0.1 */
CU_API int64_t cu_ctx_now(const cu_ctx *ctx);

/**
 * Write the calendar date of a Unix time (ms) in the context's timezone as
 * "YYYY-MM-DD" into buf (at least 11 bytes).
 * @since 0.1
 */
CU_API int cu_ctx_format_date(const cu_ctx *ctx, int64_t unix_ms, char *buf, size_t size);

/**
 * Write the local date and time of a Unix time (ms) in the context's
 * timezone as "YYYY-MM-DD HH:MM:SS" into buf (at least 20 bytes).
 * @return CU_OK, or CU_EINVALID (NULL argument or buf too small)
 * @since 0.1
 */
CU_API int cu_ctx_format_time(const cu_ctx *ctx, int64_t unix_ms, char *buf, size_t size);

/**
 * Discover the transcripts under the roots, read them, deduplicate and price
 * the entries. A root that does not exist is skipped; when none of the
 * roots exists the call fails with CU_ENOTFOUND and the error names the
 * places looked at. Unreadable files and malformed lines are diagnostics,
 * not failures.
 *
 * Call it again to refresh: the context remembers each file's identity
 * (device, inode), size, mtime and how far it was read, so a reload reads
 * only the bytes appended since, reads again files that shrank or were
 * replaced, and forgets vanished ones; the result is the same as a first
 * load's. Transcripts are taken to be append-only logs: a rewrite that
 * keeps a file's inode and grows it without touching the bytes just before
 * the last read position is not noticed. Diagnostics are reported once:
 * a reload reports only those of the bytes it read.
 * @since 0.1
 */
CU_API int cu_ctx_load(cu_ctx *ctx);

/** A counter from the last load, one of enum cu_stat; -1 for an unknown one. @since 0.1 */
CU_API int64_t cu_ctx_stat(const cu_ctx *ctx, int32_t which);

CU_END_DECLS

#endif /* CLAUDEUSAGE_CU_CONTEXT_H */
