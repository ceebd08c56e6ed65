/*
 * dedup-private.h - the dedup stage: one rule, global across files, roots and
 * VMs, used by every report.
 */
#ifndef CU_DEDUP_PRIVATE_H
#define CU_DEDUP_PRIVATE_H

#include "discover-private.h"
#include "entry-private.h"

/* The key of a message: a 128-bit hash of "message.id:requestId". */
void cu__dedup_key(const char *msg_id, size_t msg_len, const char *req_id, size_t req_len,
                   uint64_t key[2]);

/*
 * The total order that picks the copy of a key to keep: is a better than b?
 * More tokens; on a tie the non-sidechain copy, then the first in (file,
 * line) order.
 */
int cu__dedup_better(const cu__entry *a, const cu__entry *b);

/*
 * Keep one copy of each key: the one with the most tokens; on a tie the
 * non-sidechain copy, then the first in (file, line) order. Entries without
 * message.id are all kept. A sidechain replay (same message.id and session
 * as a kept non-sidechain entry, another requestId) is dropped. Pointers to
 * the kept entries are compacted to the front of e and sorted by (time,
 * file, line); the result does not depend on the input order.
 * Returns the number kept, or (size_t)-1 when out of memory.
 */
size_t cu__dedup(cu__entry **e, size_t n, const cu__file *files);

#endif
