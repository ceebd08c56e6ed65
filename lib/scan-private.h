/*
 * scan-private.h - the scan stage: read every transcript once, split it into
 * lines and turn usage lines into entries, on a small pool of threads.
 */
#ifndef CU_SCAN_PRIVATE_H
#define CU_SCAN_PRIVATE_H

#include "diag-private.h"
#include "discover-private.h"
#include "entry-private.h"
#include "pool-private.h"

/* Lines longer than this are skipped (and counted) rather than held. */
#define CU__MAX_LINE ((size_t)128 << 20)

typedef struct cu__scan_opts {
	int64_t min_mtime_ms; /* skip files last written before this; INT64_MIN: none */
	uint32_t threads;     /* 0: one per online CPU */
	int oracle;           /* parse every usage line with jansson (tests) */
} cu__scan_opts;

typedef struct cu__scan_stats {
	int64_t files_read, file_errors, bytes, lines, malformed, torn, usage_lines;
} cu__scan_stats;

typedef struct cu__scan_out {
	cu__entry *entries; /* every usage line, not yet deduplicated */
	size_t n;
	cu__pool models;    /* entry.model ids */
	cu__scan_stats stats;
} cu__scan_out;

/*
 * Scan files (their cwd fields are filled in). Diagnostics are appended to
 * diags, sorted by file and line. Returns 0, or -1 when out of memory.
 */
int cu__scan(cu__files *files, const cu__scan_opts *opts, cu__scan_out *out, cu__diags *diags);
void cu__scan_clear(cu__scan_out *out);

/*
 * Scan one buffer as a whole file would be (tests and fuzzing): entries are
 * appended to out, which must be zeroed or hold earlier results.
 */
int cu__scan_buffer(const char *data, size_t len, uint32_t file, int oracle, cu__scan_out *out,
                    cu__diags *diags);

#endif
