/*
 * discover.c - the discover stage: roots -> the sorted list of transcripts.
 */
#include "discover-private.h"
#include "hash-private.h"
#include "par-private.h"

#include <claudeusage/cu-context.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Deeper trees than this are not transcripts; it also bounds the recursion. */
#define MAX_DEPTH 32

typedef struct walk {
	cu__discover_out *out;
	cu__diags *diags;
	uint32_t root, source;
	size_t base_len;          /* length of ".../projects/" in paths */
	struct { uint64_t dev, ino; } stack[MAX_DEPTH + 1];
	int depth;
	int oom;
	int lazy;                 /* leave transcripts unstated while nothing can alias them */
	int aliased;              /* a link met, or a directory met twice: state them all */
	struct ident { uint64_t dev, ino; } *dirs; /* every directory walked */
	size_t ndirs, dcap;
} walk;

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

void cu__discover_names(const char *rel, const char **project, size_t *project_len,
                        const char **session, size_t *session_len)
{
	const char *slash = strchr(rel, '/');
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	if (slash) {
		*project = rel;
		*project_len = (size_t)(slash - rel);
	} else {
		*project = "-";
		*project_len = 1;
	}
	/* <session>/subagents/<agent>.jsonl: the spend belongs to <session>. */
	if (base - rel >= (ptrdiff_t)sizeof("/subagents/") - 1 &&
	    memcmp(base - 11, "/subagents/", 11) == 0) {
		const char *end = base - 11;
		const char *start = end;
		while (start > rel && start[-1] != '/')
			start--;
		*session = start;
		*session_len = (size_t)(end - start);
		return;
	}
	size_t n = strlen(base);
	*session = base;
	*session_len = ends_with(base, n, ".jsonl") ? n - 6 : n;
}

static void set_stat(cu__file *x, const struct stat *st)
{
	x->mtime_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
	x->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	x->size = (int64_t)st->st_size;
	x->dev = (uint64_t)st->st_dev;
	x->ino = (uint64_t)st->st_ino;
	x->unstated = 0;
}

/* st is NULL for a transcript left unstated. */
static int add_file(walk *w, const char *path, const struct stat *st)
{
	cu__files *f = &w->out->files;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		cu__file *v = realloc(f->v, cap * sizeof *v);
		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	const char *project, *session;
	size_t plen, slen;
	cu__discover_names(path + w->base_len, &project, &plen, &session, &slen);
	cu__file *x = &f->v[f->n];
	memset(x, 0, sizeof *x);
	x->path = strdup(path);
	x->project = cu__pool_intern(&w->out->projects, project, plen);
	x->session = cu__pool_intern(&w->out->sessions, session, slen);
	x->session_key = cu__hash64(session, slen, 0);
	if (!x->path || x->project == UINT32_MAX || x->session == UINT32_MAX) {
		free(x->path);
		return -1;
	}
	x->root = w->root;
	x->source = w->source;
	if (st)
		set_stat(x, st);
	else
		x->unstated = 1;
	f->n++;
	return 0;
}

/* A directory about to be walked: if one is walked twice, its files have two paths. */
static void note_dir(walk *w, const struct stat *st)
{
	if (w->ndirs == w->dcap) {
		size_t cap = w->dcap ? w->dcap * 2 : 32;
		struct ident *v = realloc(w->dirs, cap * sizeof *v);
		if (!v) {
			w->aliased = 1; /* cannot tell: state every file */
			return;
		}
		w->dirs = v;
		w->dcap = cap;
	}
	w->dirs[w->ndirs++] = (struct ident){ (uint64_t)st->st_dev, (uint64_t)st->st_ino };
}

static int cmp_ident(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

/* Was a directory walked twice (roots that overlap)? */
static int dir_twice(walk *w)
{
	if (w->ndirs > 1)
		qsort(w->dirs, w->ndirs, sizeof *w->dirs, cmp_ident);
	for (size_t i = 1; i < w->ndirs; i++)
		if (cmp_ident(&w->dirs[i - 1], &w->dirs[i]) == 0)
			return 1;
	return 0;
}

static void walk_dir(walk *w, const char *dir);

/*
 * name is an entry of the directory open as dfd, of type d_type (DT_UNKNOWN
 * when the file system does not tell); path is the whole path.
 */
static void visit(walk *w, int dfd, const char *path, const char *name, unsigned char d_type)
{
	struct stat st;
	if (d_type == DT_REG) {
		/* A plain file: only transcripts matter, and the scan states those itself. */
		if (!ends_with(name, strlen(name), ".jsonl"))
			return;
		if (w->lazy) {
			if (add_file(w, path, NULL) != 0)
				w->oom = 1;
			return;
		}
	} else if (d_type != DT_DIR) {
		w->aliased = 1; /* a link, or a file system that does not say */
	}
	if (fstatat(dfd, name, &st, 0) != 0) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			cu__diags_add(w->diags, CU_DIAG_FILE_ERROR, path, UINT32_MAX, 0,
			              "broken symbolic link or link loop: %s", strerror(errno));
		else
			cu__diags_add(w->diags, CU_DIAG_FILE_ERROR, path, UINT32_MAX, 0,
			              "cannot stat: %s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		for (int i = 0; i <= w->depth; i++) {
			if (w->stack[i].dev == (uint64_t)st.st_dev && w->stack[i].ino == (uint64_t)st.st_ino) {
				cu__diags_add(w->diags, CU_DIAG_FILE_ERROR, path, UINT32_MAX, 0,
				              "symbolic link loop; not followed");
				return;
			}
		}
		if (w->depth >= MAX_DEPTH) {
			cu__diags_add(w->diags, CU_DIAG_FILE_ERROR, path, UINT32_MAX, 0,
			              "directory nested too deep; not read");
			return;
		}
		note_dir(w, &st);
		w->depth++;
		w->stack[w->depth].dev = (uint64_t)st.st_dev;
		w->stack[w->depth].ino = (uint64_t)st.st_ino;
		walk_dir(w, path);
		w->depth--;
	} else if (S_ISREG(st.st_mode) && ends_with(name, strlen(name), ".jsonl")) {
		if (add_file(w, path, &st) != 0)
			w->oom = 1;
	}
}

static void walk_dir(walk *w, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		cu__diags_add(w->diags, CU_DIAG_FILE_ERROR, dir, UINT32_MAX, 0,
		              "cannot read directory: %s", strerror(errno));
		return;
	}
	struct dirent *de;
	size_t dlen = strlen(dir);
	while (!w->oom && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		size_t nlen = strlen(name);
		char *path = malloc(dlen + nlen + 2);
		if (!path) {
			w->oom = 1;
			break;
		}
		memcpy(path, dir, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + 1, name, nlen + 1);
		visit(w, dirfd(d), path, name, de->d_type);
		free(path);
	}
	closedir(d);
}

/* Walk <dir> (a projects/ directory) as one source. */
static void walk_projects(walk *w, const char *dir, const char *source)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return;
	w->source = cu__pool_intern(&w->out->sources, source, strlen(source));
	if (w->source == UINT32_MAX) {
		w->oom = 1;
		return;
	}
	note_dir(w, &st);
	w->base_len = strlen(dir) + 1;
	w->depth = 0;
	w->stack[0].dev = (uint64_t)st.st_dev;
	w->stack[0].ino = (uint64_t)st.st_ino;
	walk_dir(w, dir);
}

static char *join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	while (na > 1 && a[na - 1] == '/')
		na--;
	char *s = malloc(na + nb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, na);
	s[na] = '/';
	memcpy(s + na + 1, b, nb + 1);
	return s;
}

static void walk_vms(walk *w, const char *root)
{
	char *vms = join(root, "vms");
	if (!vms) {
		w->oom = 1;
		return;
	}
	DIR *d = opendir(vms);
	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR)
			cu__diags_add(w->diags, CU_DIAG_FILE_ERROR, vms, UINT32_MAX, 0,
			              "cannot read directory: %s", strerror(errno));
		free(vms);
		return;
	}
	/* Sorted, so that source ids do not depend on directory order. */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			char **v = realloc(names, cap * sizeof *v);
			if (!v)
				break;
			names = v;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		char *vm = join(vms, names[i]);
		char *proj = vm ? join(vm, "projects") : NULL;
		if (proj)
			walk_projects(w, proj, names[i]);
		else
			w->oom = 1;
		free(proj);
		free(vm);
		free(names[i]);
	}
	free(names);
	free(vms);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const cu__file *)a)->path, ((const cu__file *)b)->path);
}

static int cmp_inode(const void *a, const void *b)
{
	const cu__file *x = *(const cu__file *const *)a, *y = *(const cu__file *const *)b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* A file reachable twice (a linked root, a linked folder) is read once. */
static void drop_same_inode(cu__files *f)
{
	if (f->n < 2)
		return;
	const cu__file **byino = malloc(f->n * sizeof *byino);
	if (!byino)
		return;
	for (size_t i = 0; i < f->n; i++)
		byino[i] = &f->v[i];
	qsort(byino, f->n, sizeof *byino, cmp_inode);
	for (size_t i = 1; i < f->n; i++)
		if (!byino[i]->unstated && byino[i]->dev == byino[i - 1]->dev &&
		    byino[i]->ino == byino[i - 1]->ino)
			((cu__file *)byino[i])->size = -1; /* mark: a later path of the same file */
	free(byino);
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].size < 0)
			free(f->v[i].path);
		else
			f->v[k++] = f->v[i];
	}
	f->n = k;
}

/* Files a piece of state_all() must have to be worth a thread of its own. */
#define STAT_PIECE_MIN 512

typedef struct stat_piece {
	cu__files *f;
	size_t lo, hi;
	cu__diags diags;
} stat_piece;

static void stat_range(void *arg, uint32_t i)
{
	stat_piece *pc = &((stat_piece *)arg)[i];
	for (size_t k = pc->lo; k < pc->hi; k++) {
		cu__file *x = &pc->f->v[k];
		struct stat st;
		if (!x->unstated)
			continue;
		if (stat(x->path, &st) != 0) {
			cu__diags_add(&pc->diags, CU_DIAG_FILE_ERROR, x->path, UINT32_MAX, 0,
			              "cannot stat: %s", strerror(errno));
			x->size = -1; /* gone */
			continue;
		}
		set_stat(x, &st);
	}
}

/*
 * State the transcripts discovery left unstated (in pieces at once: a stat
 * each); those gone are reported and dropped.
 */
static void state_all(cu__discover_out *out, cu__diags *diags)
{
	cu__files *f = &out->files;
	stat_piece pcs[CU__PAR_MAX];
	uint32_t np = cu__par_pieces(out->threads, f->n, STAT_PIECE_MIN);
	for (uint32_t i = 0; i < np; i++) {
		pcs[i] = (stat_piece){ f, 0, 0, { 0 } };
		cu__par_range(f->n, np, i, &pcs[i].lo, &pcs[i].hi);
	}
	cu__par_run(np, stat_range, pcs);
	for (uint32_t i = 0; i < np; i++)
		cu__diags_merge(diags, &pcs[i].diags);
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].unstated && f->v[i].size < 0) {
			free(f->v[i].path);
			continue;
		}
		f->v[i].unstated = 0;
		f->v[k++] = f->v[i];
	}
	f->n = k;
	drop_same_inode(f);
	out->unstated = 0;
}

void cu__discover_state(cu__discover_out *out, cu__diags *diags)
{
	if (out->unstated)
		state_all(out, diags);
}

int cu__discover(char *const *roots, size_t nroots, int exclude_vms, int lazy,
                 cu__discover_out *out, cu__diags *diags)
{
	walk w;
	memset(&w, 0, sizeof w);
	w.out = out;
	w.diags = diags;
	w.lazy = lazy;
	for (size_t r = 0; r < nroots && !w.oom; r++) {
		struct stat st;
		if (stat(roots[r], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			cu__diags_add(diags, CU_DIAG_FILE_ERROR, roots[r], UINT32_MAX, 0,
			              "data directory is not a directory");
			continue;
		}
		out->roots_found++;
		w.root = (uint32_t)r;
		char *proj = join(roots[r], "projects");
		if (!proj) {
			free(w.dirs);
			return -1;
		}
		walk_projects(&w, proj, "main");
		free(proj);
		if (!exclude_vms)
			walk_vms(&w, roots[r]);
	}
	if (lazy && !w.aliased)
		w.aliased = dir_twice(&w);
	free(w.dirs);
	if (w.oom)
		return -1;
	out->unstated = lazy;
	/* Two paths to a file are possible: state every file to find them. */
	if (w.aliased || !lazy)
		state_all(out, diags);
	if (out->files.n > 1)
		qsort(out->files.v, out->files.n, sizeof *out->files.v, cmp_file);
	return 0;
}

void cu__discover_clear(cu__discover_out *out)
{
	for (size_t i = 0; i < out->files.n; i++) {
		free(out->files.v[i].path);
	}
	free(out->files.v);
	cu__pool_clear(&out->projects);
	cu__pool_clear(&out->sessions);
	cu__pool_clear(&out->sources);
	memset(out, 0, sizeof *out);
}
