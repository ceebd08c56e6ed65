/*
 * index-private.h - the persistent index: the store of a context saved
 * between runs, so that a cold run on an unchanged history reads no
 * transcript at all.
 *
 * One binary file per configuration (roots, VMs or not, parser), in the
 * cache directory: a header (magic, format version, entry layout, library
 * version, a checksum of the rest), then models, then per file its state,
 * diagnostics and entries (8-byte aligned, used in place in a private
 * mapping of the file, so that an unchanged history costs no copy), then
 * the dedup result as (file ordinal, entry index) references. It is written atomically (temp file and rename)
 * and every field is checked when read: an index that is stale, foreign,
 * truncated or corrupt is ignored, and the next load writes a good one.
 * It never decides a result: the store it restores is checked file by file
 * against the disk like any other (cu__store_plan).
 */
#ifndef CU_INDEX_PRIVATE_H
#define CU_INDEX_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "dedup-private.h"
#include "store-private.h"

/* What an index is valid for: the roots, VMs or not, the parser. */
uint64_t cu__index_config(char *const *roots, size_t nroots, int exclude_vms, int oracle);

/* The file of a configuration: dir/index-<config>.bin. */
void cu__index_path(const char *dir, uint64_t config, char *out, size_t size);

/*
 * Fill an empty store from the index at path, and the dedup state from the
 * result saved with it. The entries stay in the buffer the index was read
 * into (st->arena). Returns 0, or -1 when there is no usable index for
 * config (the store and state are then left empty).
 */
int cu__index_read(const char *path, uint64_t config, cu__store *st, cu__dedup_state *ds,
                   uint64_t *pricing);

/*
 * Save the store (files never read are left out) and ds's result; pricing
 * fingerprints the pricing that the entries flagged CU__E_PRICED follow (the
 * reader gets it back in *pricing). Returns 0 or -1.
 */
int cu__index_write(const char *dir, const char *path, uint64_t config, const cu__store *st,
                    const cu__dedup_state *ds, uint64_t pricing);

#endif
