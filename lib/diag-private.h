/*
 * diag-private.h - diagnostics collected while loading, handed to the
 * user's callback afterwards in a stable order (file, line), from the
 * thread that called cu_ctx_load().
 */
#ifndef CU_DIAG_PRIVATE_H
#define CU_DIAG_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* Diagnostics kept per load; beyond this they are only counted. */
#define CU__DIAG_MAX 10000

typedef struct cu__diag {
	int32_t kind;     /* enum cu_diag_kind */
	uint32_t file;    /* index in the file list, or UINT32_MAX */
	int64_t line;
	char *path;       /* owned; may be NULL */
	char *msg;        /* owned */
} cu__diag;

typedef struct cu__diags {
	cu__diag *v;
	size_t n, cap;
	size_t dropped;
} cu__diags;

void cu__diags_add(cu__diags *d, int32_t kind, const char *path, uint32_t file, int64_t line,
                   const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 7)))
#endif
	;
/* How many problems a report names; the others are only counted. */
#define CU__DIAG_LISTED 20

/*
 * What the loaded data holds that was not counted, as a report keeps it for
 * its JSON: the counters, and the first CU__DIAG_LISTED problems (files that
 * could not be read, then skipped lines in file order) with their paths.
 */
typedef struct cu__diag_summary {
	int64_t files, file_errors, lines, usage_lines, duplicates, entries;
	int64_t malformed, torn;
	cu__diags listed;
	int64_t not_listed;
} cu__diag_summary;

/* Add a problem to a summary: listed while there is room, else counted. */
void cu__diag_summary_add(cu__diag_summary *s, int32_t kind, const char *path, int64_t line,
                          const char *msg);
void cu__diag_summary_clear(cu__diag_summary *s);

/* Move all of src into dst (src is left empty). */
void cu__diags_merge(cu__diags *dst, cu__diags *src);
/* Sort by (file, line), keeping insertion order among equals. */
void cu__diags_sort(cu__diags *d);
void cu__diags_clear(cu__diags *d);

#endif
