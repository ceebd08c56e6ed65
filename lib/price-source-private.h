/*
 * price-source-private.h - where the price table comes from: a local file,
 * the cache, a download (libcurl), or the table compiled in.
 */
#ifndef CU_PRICE_SOURCE_PRIVATE_H
#define CU_PRICE_SOURCE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "price-private.h"

#define CU__PRICING_DEFAULT_URL \
	"https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
/* A cached table younger than this is used without asking the network. */
#define CU__PRICING_MAX_AGE_S (24 * 3600)
/* Larger downloads are refused. */
#define CU__PRICING_MAX_BYTES ((size_t)32 << 20)

typedef struct cu__pricing_opts {
	const char *url;        /* NULL: the default URL */
	const char *file;       /* a local table: no network, no cache */
	const char *cache_dir;  /* NULL: $XDG_CACHE_HOME/claude-usage, else ~/.cache/claude-usage */
	int offline;
	uint32_t timeout_ms;    /* connect and total; 0: the default */
	int64_t now_s;
} cu__pricing_opts;

/* Where the table in use came from (static strings). */
#define CU__SRC_EMBEDDED "embedded"
#define CU__SRC_CACHE "cache"
#define CU__SRC_DOWNLOAD "download"
#define CU__SRC_FILE "file"

typedef struct cu__pricing_info {
	const char *source;     /* one of CU__SRC_* */
	char location[1200];    /* URL or path; empty for the embedded table */
	int64_t fetched_s;      /* when downloaded; 0 for the embedded table or a file */
	char note[512];         /* a one-line message for the user, or empty */
} cu__pricing_info;

/*
 * Load the table the options ask for. With a file, a failure is an error
 * (returns -1 with err set). Otherwise it never fails for want of network:
 * a failed download falls back to the cache or the embedded table and says
 * so in info->note. Returns -1 only on a file error or out of memory.
 */
int cu__pricing_load(const cu__pricing_opts *o, cu__pricetab **out, cu__pricing_info *info,
                     char *err, size_t errlen);

#endif
