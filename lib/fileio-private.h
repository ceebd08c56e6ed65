/*
 * fileio-private.h - the library's own files (the price cache, the history
 * index): where they live, and reading and replacing them safely.
 */
#ifndef CU_FILEIO_PRIVATE_H
#define CU_FILEIO_PRIVATE_H

#include <stddef.h>

/*
 * The cache directory: configured if set, else $XDG_CACHE_HOME/claude-usage
 * (when absolute), else ~/.cache/claude-usage. Empty when none can be named.
 */
void cu__cache_dir(const char *configured, char *out, size_t size);

/* mkdir -p with mode 0700. Returns 0 or -1. */
int cu__mkdir_p(const char *dir);

/*
 * Read a whole file (NUL-terminated) of at most max bytes. NULL on failure,
 * with *err an errno value (EFBIG when larger than max).
 */
char *cu__read_file(const char *path, size_t max, size_t *len, int *err);

/* One piece of a file to write. */
/*
 * Map a whole regular file of at most max bytes, private and writable
 * (writes stay in this process), its pages read in at once. Returns the
 * mapping and its length, or NULL with *err set. Release with cu__unmap.
 */
void *cu__map_file(const char *path, size_t max, size_t *len, int *err);
void cu__unmap(void *p, size_t len);

typedef struct cu__iov {
	const void *p;
	size_t n;
} cu__iov;

/*
 * Replace path with the concatenation of parts, atomically: a temp file
 * (mode 0600) in dir, which must be path's directory, fsync when sync is
 * set, rename. A reader sees the old file or the new one, never a mix.
 * Without sync, a crash may leave a torn file: only for files that carry a
 * checksum. Returns 0 or -1.
 */
int cu__write_atomic(const char *dir, const char *path, const cu__iov *parts, size_t nparts,
                     int sync);

#endif
