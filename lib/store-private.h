/*
 * store-private.h - what a context remembers of every transcript between
 * loads, so that a load reads only what changed.
 *
 * Per file: its identity (device, inode), the size and mtime seen before it
 * was last read, how far it was read (the end of the last complete line),
 * a hash of the bytes just before that point, and what its complete lines
 * gave: counters, diagnostics and entries (the best copy of each key within
 * the file). The unterminated last line, if any, is kept apart and read
 * again every time, since it may still be growing.
 *
 * A load matches the discovered files against the store (cu__store_plan):
 * unchanged files are not opened, grown ones are read from their offset,
 * shrunk or replaced ones from the start, vanished ones are dropped. The
 * persistent index (index.c) saves and restores exactly this state.
 */
#ifndef CU_STORE_PRIVATE_H
#define CU_STORE_PRIVATE_H

#include "diag-private.h"
#include "discover-private.h"
#include "entry-private.h"
#include "pool-private.h"

/* How many bytes before the offset are hashed to recognise the same file. */
#define CU__EDGE_BYTES 64

/* What the unterminated last line of a file held. */
enum { CU__TAIL_NONE = 0, CU__TAIL_ENTRY = 1, CU__TAIL_TORN = 2, CU__TAIL_LINE = 3 };

typedef struct cu__fstate {
	char *path;              /* owned; the store is sorted by it */
	uint64_t dev, ino;
	int64_t size, mtime_ns;  /* seen just before the last read */
	int64_t offset;          /* end of the last complete line read */
	uint64_t edge;           /* hash of the CU__EDGE_BYTES (or fewer) before offset */
	int64_t lines, malformed, usage_lines; /* of the complete lines */
	char *cwd;               /* the first cwd of its usage lines, or NULL */
	cu__entry *e;            /* best copy per key within the file; model ids in the store pool */
	size_t n, cap;           /* cap 0 with n > 0: e is borrowed from the store's arena */
	cu__entry tail;          /* with CU__TAIL_ENTRY */
	int32_t tail_state;      /* CU__TAIL_* */
	int read;                /* read at least once (else skipped by date) */
	cu__diags diags;         /* of the complete lines; path NULL, file unset */
	size_t emitted;          /* diags already handed to the user */
	char *error;             /* owned: why the last attempt to read it failed (reported once), or NULL */
	uint32_t uid;            /* names the file while it is in the store (see cu__kept) */
	/* What this load's scan did to the file, for the dedup stage, which clears it: */
	int dirty;               /* it was read */
	int reset;               /* read from the start, losing entries it had */
	int side_flip;           /* a copy replaced in place changed its sidechain flag */
	size_t prev_n;           /* entries before: e[prev_n..n) are new */
} cu__fstate;

typedef struct cu__store {
	cu__fstate *v;           /* after cu__store_plan: v[i] is discovered file i */
	size_t n;
	cu__pool models;         /* model ids of every stored entry */
	int oracle;              /* the parser the entries came from */
	int priced;              /* some entry may carry CU__E_PRICED (priced, or from the index) */
	uint32_t next_uid;       /* for the next file added */
	void *arena;             /* owned: the index mapping that borrowed entries lie in */
	size_t arena_len;
} cu__store;

/* How a file is to be read by this load. */
enum { CU__READ_NONE = 0, CU__READ_FULL = 1, CU__READ_APPEND = 2 };

typedef struct cu__job {
	uint32_t file;           /* index in the discovered list (= in the store) */
	int32_t how;             /* CU__READ_FULL or CU__READ_APPEND */
} cu__job;

/*
 * Align the store with a fresh discovery (files sorted by path): keep the
 * state of files that are still there, drop the others, and list what must
 * be read. Files last written before min_mtime_ms that were never read are
 * skipped. *dropped counts vanished files. Returns 0, or -1 when out of
 * memory (the store is then emptied).
 */
int cu__store_plan(cu__store *st, const cu__files *files, int64_t min_mtime_ms, cu__job **jobs,
                   size_t *njobs, size_t *dropped);

/* Forget everything a file gave, to read it again from the start. */
void cu__fstate_reset(cu__fstate *f);

/* Room for one more entry in f->e (which then is owned). Returns 0 or -1. */
int cu__fstate_grow(cu__fstate *f);

void cu__store_clear(cu__store *st);

/* Entries the store holds (complete lines and tails). */
size_t cu__store_entry_count(const cu__store *st);

/* The entries of file i (its complete lines and a tail). */
static inline size_t cu__fstate_entries(const cu__fstate *f)
{
	return f->n + (f->tail_state == CU__TAIL_ENTRY);
}

/*
 * Cut the files into np ranges of about total / np entries each (total: the
 * store's count): range i is files [bound[i], bound[i + 1]), and first[i]
 * (when first is not NULL) the count of entries before it.
 */
void cu__store_split(const cu__store *st, size_t total, uint32_t np, size_t *bound,
                     size_t *first);

#endif
