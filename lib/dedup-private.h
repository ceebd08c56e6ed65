/*
 * dedup-private.h - the dedup stage: one rule, global across files, roots and
 * VMs, used by every report.
 *
 * The rule: of the copies of a key (message.id:requestId) keep the one with
 * the most tokens; on a tie the non-sidechain copy, then the first in (file,
 * line) order. Entries without message.id are all kept. A sidechain replay
 * (a sidechain copy whose message.id and session match a kept non-sidechain
 * entry, under another requestId) is dropped. The kept entries are sorted
 * by (time, file, line); the result does not depend on the order in which
 * files were read.
 *
 * The stage keeps its result between loads (cu__dedup_state), naming
 * entries by (file uid, index) so that the result survives files being
 * added to the store. A load that only appended to files or added new ones
 * looks at the new and improved entries alone; anything else (a file
 * dropped, truncated or replaced, a winner moving between the main chain
 * and a sidechain) is done again in full. Both ways give the same result.
 */
#ifndef CU_DEDUP_PRIVATE_H
#define CU_DEDUP_PRIVATE_H

#include "discover-private.h"
#include "entry-private.h"
#include "store-private.h"

/* The key of a message: a 128-bit hash of "message.id:requestId". */
void cu__dedup_key(const char *msg_id, size_t msg_len, const char *req_id, size_t req_len,
                   uint64_t key[2]);

/* The total order that picks the copy of a key to keep: is a better than b? */
int cu__dedup_better(const cu__entry *a, const cu__entry *b);

/* The index of a file's tail entry in a cu__kept. */
#define CU__TAIL_IDX UINT32_MAX

/* A kept entry: its time, and where it is (file uid, index in its entries). */
typedef struct cu__kept {
	int64_t ts;
	uint32_t uid, idx;
} cu__kept;

/*
 * The copy picked per key, for entries with a message.id: one table per
 * value of the key's top bit, so that a full run can fill both at once.
 */
#define CU__DEDUP_PARTS 2
typedef struct cu__gtab {
	struct cu__gslot *v;
	size_t cap, n;
} cu__gtab;

typedef struct cu__dedup_state {
	cu__kept *win;           /* the kept entries, in (time, file, line) order */
	size_t n, cap;
	cu__gtab gt[CU__DEDUP_PARTS];
	struct cu__rslot *rs;    /* replay key -> main-chain copies picked (built on demand) */
	size_t rcap, rn;
	struct cu__rslot *ss;    /* replay key -> sidechain copies picked */
	size_t scap, sn;
	uint32_t threads;        /* a full run's threads (0: one per online CPU; 1: none) */
	int valid;               /* win describes the store */
	int tables;              /* gt and ss describe it too (not after an index load) */
	uint64_t full_runs, incremental_runs; /* how loads were done, for tests */
} cu__dedup_state;

/*
 * Deduplicate the store after a scan: files[i] is the discovery of
 * st->v[i]. In full when `full` is set (the store lost files since the last
 * run) or the state cannot be carried on, else from the entries of the
 * files read since (cu__fstate.dirty). Sets every entry's file index, clears
 * the scan's marks, and gives the kept entries in order as a new array of
 * pointers into the store (*entries, *n). Returns 0, or -1 when out of
 * memory (the state is then emptied).
 */
int cu__dedup_store(cu__dedup_state *ds, cu__store *st, const cu__file *files, int full,
                    cu__entry ***entries, size_t *n);

/*
 * Adopt a saved result (from the index): win[0..n) must name entries of st
 * in (time, file, line) order, each once. Takes win. Returns 0, or -1 if it
 * does not fit the store (the state is then emptied).
 */
int cu__dedup_adopt(cu__dedup_state *ds, const cu__store *st, cu__kept *win, size_t n);

void cu__dedup_state_clear(cu__dedup_state *ds);

#endif
