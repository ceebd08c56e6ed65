/*
 * discover-private.h - find the transcript files under the data roots.
 */
#ifndef CU_DISCOVER_PRIVATE_H
#define CU_DISCOVER_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "diag-private.h"
#include "pool-private.h"

typedef struct cu__file {
	char *path;
	uint32_t root;     /* index of the root it was found under */
	uint32_t source;   /* id in the source pool: "main" or the VM's name */
	uint32_t project;  /* id in the project pool: the folder under projects/ */
	uint32_t session;  /* id in the session pool */
	uint64_t session_key; /* hash of the session id: the same in every load */
	int64_t mtime_ms;
	int64_t mtime_ns;
	int64_t size;
	uint64_t dev, ino;
	int unstated;      /* the four above unknown: the scan states the file itself */
} cu__file;

typedef struct cu__files {
	cu__file *v;
	size_t n, cap;
} cu__files;

typedef struct cu__discover_out {
	cu__files files;     /* sorted by path, one per (device, inode) */
	cu__pool projects, sessions, sources;
	size_t roots_found;  /* roots that exist as directories */
	int unstated;        /* files may be unstated (see cu__discover) */
	uint32_t threads;    /* for stating them: 0 one per online CPU, 1 none */
} cu__discover_out;

/*
 * Walk every root: <root>/projects/ recursively and, unless exclude_vms,
 * <root>/vms/<name>/projects/. A missing root is skipped; unreadable
 * entries and symlink loops become diagnostics. Returns 0, or -1 when out of
 * memory.
 *
 * With lazy, transcripts that are plain files in plain directories are not
 * stated (a stat each was half of discovery): a first load reads them all
 * anyway, and the scan states each file it opens. Where two paths could lead
 * to one file (a symbolic link met, a directory walked twice), every file is
 * stated as without lazy, so that the file is listed once.
 */
int cu__discover(char *const *roots, size_t nroots, int exclude_vms, int lazy,
                 cu__discover_out *out, cu__diags *diags);

/*
 * State the files a lazy discovery left unstated, before they are compared
 * with what was read last time or skipped by time (out of memory, a file may
 * stay listed twice). Many files are stated in pieces on out->threads.
 */
void cu__discover_state(cu__discover_out *out, cu__diags *diags);
void cu__discover_clear(cu__discover_out *out);

/*
 * The session and project of a transcript, from its path relative to a
 * projects/ directory: "<project>/<session>.jsonl",
 * "<project>/<session>/subagents/agent-x.jsonl" (the parent session), ...
 * Writes slices of rel. Exposed for tests.
 */
void cu__discover_names(const char *rel, const char **project, size_t *project_len,
                        const char **session, size_t *session_len);

#endif
