/*
 * scan-private.h - the scan stage: read the transcripts a load must read
 * (from the start, or from where the last load stopped), split them into
 * lines and turn usage lines into entries, on a small pool of threads.
 */
#ifndef CU_SCAN_PRIVATE_H
#define CU_SCAN_PRIVATE_H

#include "diag-private.h"
#include "discover-private.h"
#include "entry-private.h"
#include "pool-private.h"
#include "store-private.h"

/* Lines longer than this are skipped (and counted) rather than held. */
#define CU__MAX_LINE ((size_t)128 << 20)

typedef struct cu__scan_opts {
	uint32_t threads;     /* 0: one per online CPU */
	int oracle;           /* parse every usage line with jansson (tests) */
} cu__scan_opts;

/* What one scan did. */
typedef struct cu__scan_stats {
	int64_t files_read, file_errors, bytes;
} cu__scan_stats;

/*
 * Read the files the jobs name into their states in st (v[job.file], as
 * cu__store_plan aligned them with the discovered files),
 * interning models in st->models. A file that cannot be read keeps what
 * earlier loads had from it; the failure becomes a diagnostic in errors the
 * first time. An append that finds the file rewritten reads it again from
 * the start. Returns 0, or -1 when out of memory.
 */
int cu__scan(cu__store *st, const cu__job *jobs, size_t njobs, const cu__scan_opts *opts,
             cu__scan_stats *stats, cu__diags *errors);

/*
 * Tests only; the library never sets it. When set, called on the scanning
 * thread after each read() of a file, with how many bytes of it have been
 * read so far, so that a test can change the file in the middle of a scan.
 */
extern void (*cu__scan_read_hook)(const char *path, int64_t bytes_read);

/* Tests only: search with SSE2 even where AVX2 is there. */
extern int cu__scan_sse2_only;

/* The first newline or "usage" (with quotes) in p[0..n), whichever comes first, or NULL. */
const char *cu__find_line_event(const char *p, size_t n);

/*
 * Scan one buffer as a whole file would be (tests and fuzzing) into f,
 * which must be zeroed or reset; models are interned in models.
 * Returns 0, or -1 when out of memory.
 */
int cu__scan_buffer(const char *data, size_t len, int oracle, cu__fstate *f, cu__pool *models);

#endif
