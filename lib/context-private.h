/*
 * context-private.h - the context's fields, shared by the modules that
 * implement its public functions (context.c, price-apply.c, report.c).
 */
#ifndef CU_CONTEXT_PRIVATE_H
#define CU_CONTEXT_PRIVATE_H

#include <claudeusage/cu-context.h>

#include "diag-private.h"
#include "discover-private.h"
#include "entry-private.h"
#include "pool-private.h"
#include "price-private.h"
#include "price-source-private.h"
#include "scan-private.h"
#include "dedup-private.h"
#include "store-private.h"
#include "time-private.h"

#define CU__ERRLEN 512

/* No bound on a date. */
#define CU__NO_DAY INT64_MIN

struct cu_ctx {
	/* configuration */
	char **roots;          /* added with cu_ctx_add_root */
	size_t nroots;
	char **default_roots;  /* computed when no root was added */
	size_t ndefault_roots;
	int exclude_vms;
	cu__tz *tz;
	int64_t since_day, until_day; /* local days, or CU__NO_DAY */
	int32_t cost_mode;
	int32_t week_start;
	char *project;
	uint32_t threads;
	int offline;
	char *pricing_url;     /* NULL: the default */
	char *pricing_file;
	char *cache_dir;
	uint32_t net_timeout_ms;
	int32_t long_context;  /* CU__TIER_* */
	int prices_ready;      /* ctx->prices follows the pricing settings */
	cu__pricing_info pinfo;
	int oracle;            /* tests: parse with jansson only */
	cu_diag_fn diag_fn;
	void *diag_ud;
	int64_t now_ms;        /* 0: the clock */
	cu__pricetab *prices;

	/* kept from load to load */
	cu__store store;       /* per file: how far it was read, what it gave */
	cu__dedup_state dedup; /* the last load's dedup, carried on by the next */
	int64_t loads;         /* loads done; the first reports every stored diagnostic */
	uint64_t discover_diags; /* hash of the last discovery's diagnostics */
	cu__diags disc_errors;   /* the last discovery's diagnostics (unreadable directories) */
	int use_index;         /* read and write the persistent index */
	int iterating;         /* inside cu_ctx_foreach_entry(): no load, no repricing */

	/* the last load */
	int loaded;
	cu__discover_out disc; /* disc.files.v[i] is store.v[i] */
	cu__entry **entries;   /* into the store: deduplicated, sorted by (time, file, line) */
	size_t n;
	cu__scan_stats io;     /* what the last load read */
	int64_t usage_lines, duplicates;
	int32_t *model_price;  /* per model id: price-table index, -1 unpriced, -2 synthetic */
	size_t unpriced;       /* unpriced models among the entries */
	char *price_reported;  /* per model id: its lack of a price was reported */
	size_t price_nreported;
	int price_fresh;       /* the entries' costs follow the pricing settings */

	char err[CU__ERRLEN];
};

/* Record an error message on the context and return status. */
int cu__ctx_error(cu_ctx *ctx, int status, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* The roots a load reads (added ones, else the defaults). */
char *const *cu__ctx_roots(const cu_ctx *ctx, size_t *n);

/*
 * The price stage: resolve each model once and set the cost of every entry
 * (all), or of those not priced yet (new since the last load).
 */
int cu__price_entries(cu_ctx *ctx, int all);

/* What the costs of entries depend on besides the entries: nonzero. */
uint64_t cu__price_fingerprint(const cu_ctx *ctx);

/*
 * What the loaded data holds that was not counted (unreadable files and
 * directories, skipped lines), for a report to carry. Returns 0, or -1 when
 * out of memory (s is then cleared).
 */
int cu__ctx_diag_summary(const cu_ctx *ctx, cu__diag_summary *s);

/* Is the entry counted in reports, given the context's filters? */
int cu__ctx_entry_selected(const cu_ctx *ctx, const cu__entry *e);

#endif
